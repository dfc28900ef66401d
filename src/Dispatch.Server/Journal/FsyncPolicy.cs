namespace Dispatch.Server.Journal;

/// <summary>
/// When the journal forces its bytes to the disk. Every policy writes a batch to the operating system
/// before any command in it is acknowledged, so a killed server process (kill -9) never loses an
/// acknowledged command; the policies differ only in what survives a machine or power failure.
/// </summary>
public enum FsyncPolicy
{
    /// <summary>fsync after every group commit, before the acknowledgements go out (safest, default).</summary>
    Always = 0,
    /// <summary>fsync at most every <c>FsyncIntervalMs</c>; a power cut can lose that window.</summary>
    Interval = 1,
    /// <summary>Never fsync explicitly; the OS writes back when it likes (tests, throwaway data).</summary>
    Never = 2,
}
