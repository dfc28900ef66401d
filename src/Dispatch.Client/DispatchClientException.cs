using Dispatch.Protocol;

namespace Dispatch.Client;

/// <summary>The server refused a request with an Error reply.</summary>
public sealed class DispatchRequestException : Exception
{
    /// <summary>Creates the exception from the reply.</summary>
    public DispatchRequestException(ErrorMessage error) : base($"{error.Code}: {error.Message}") => Error = error;

    /// <summary>The Error reply.</summary>
    public ErrorMessage Error { get; }

    /// <summary>The error code.</summary>
    public ErrorCode Code => Error.Code;
}

/// <summary>The connection to the server is gone; requests without a reply fail with this.</summary>
public sealed class DispatchConnectionException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DispatchConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The connection was lost while this request was in flight, and the client reconnected (to another server of a cluster):
/// the request may or may not have been applied. It is never resent by the client: query (GetOrder, GetCourier, GetCounts)
/// before sending it again.
/// </summary>
public sealed class DispatchInDoubtException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DispatchInDoubtException(MessageType request, string server, Exception? inner)
        : base($"{request}: the connection to {server} was lost with this request in flight; it may or may not have been applied (query before resending)", inner) =>
        Request = request;

    /// <summary>The type of the request in doubt.</summary>
    public MessageType Request { get; }
}
