namespace Dispatch.Protocol;

/// <summary>A frame that does not decode. Carries the error code to reply with and the request id, when it was readable.</summary>
public sealed class ProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProtocolException(ErrorCode code, uint requestId, string message, Exception? inner = null) : base(message, inner)
    {
        Code = code;
        RequestId = requestId;
    }

    /// <summary>The code for the Error reply.</summary>
    public ErrorCode Code { get; }

    /// <summary>The request id, or 0 when the frame was too broken to read it.</summary>
    public uint RequestId { get; }
}
