using Dispatch.Engine;
using Dispatch.Protocol;

namespace Dispatch.Hosting;

/// <summary>The wire's error code for an engine refusal: one table for every host (the server's engine thread, a cluster region).</summary>
public static class ErrorCodes
{
    /// <summary>The <see cref="ErrorCode"/> a <see cref="DispatchException"/> of kind <paramref name="error"/> is answered with.</summary>
    public static ErrorCode For(DispatchError error) => error switch
    {
        DispatchError.UnknownId => ErrorCode.UnknownId,
        DispatchError.DuplicateId => ErrorCode.DuplicateId,
        DispatchError.InvalidValue => ErrorCode.InvalidValue,
        DispatchError.InvalidState => ErrorCode.InvalidState,
        _ => ErrorCode.InvalidValue,
    };
}
