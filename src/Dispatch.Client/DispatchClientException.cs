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
