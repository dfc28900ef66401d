namespace Dispatch.Engine;

/// <summary>Why the engine refused an event. The engine state is unchanged when one is thrown.</summary>
public enum DispatchError : byte
{
    /// <summary>An id the engine does not know.</summary>
    UnknownId = 1,
    /// <summary>An id that is already in use.</summary>
    DuplicateId = 2,
    /// <summary>A coordinate or time that is NaN or infinite, a negative time, or an inverted window.</summary>
    InvalidValue = 3,
    /// <summary>The event does not fit the entity's state (e.g. drop-off before pickup).</summary>
    InvalidState = 4,
}

/// <summary>An event the engine refused, with a message that names the id and the value at fault.</summary>
public sealed class DispatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DispatchException(DispatchError error, string message) : base(message) => Error = error;

    /// <summary>The category, for callers that map refusals to protocol error codes.</summary>
    public DispatchError Error { get; }
}
