namespace Dispatch.Protocol;

/// <summary>What <see cref="FrameReader.TryReadFrame"/> found at the start of the buffer.</summary>
public enum FrameStatus
{
    /// <summary>A whole frame: its payload was returned and the buffer advanced past it.</summary>
    Frame,
    /// <summary>Not a whole frame yet: read more bytes and call again with the same start.</summary>
    NeedMore,
    /// <summary>The length prefix is zero or above the limit: the stream cannot be trusted any more.</summary>
    Invalid,
}
