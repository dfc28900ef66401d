namespace Dispatch.Server.Buffers;

/// <summary>
/// The pools of the server's reply path, one for the process: every reply and push frame (the engine thread's batches,
/// a connection's own errors and pongs, a cluster edge's replies) and every connection pipe's segment comes from here and
/// goes back here, whichever thread is done with it.
/// </summary>
internal static class ServerBuffers
{
    /// <summary>
    /// Arrays unused for a whole interval are dropped at the next trim: long enough that a burst's buffers survive the
    /// pauses between bursts, short enough that a quiet server holds only what its last minute of traffic needed.
    /// </summary>
    public static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(10);

    /// <summary>Up to 4 MiB per size (and never fewer than 4 arrays of a size): a batch of replies to a busy client is tens of kilobytes.</summary>
    public const long BytesPerSize = 4L << 20;

    /// <summary>Reply and push frames (<see cref="Dispatch.Protocol.FrameBuffer"/>'s memory) and the pipes' arrays.</summary>
    public static readonly TrimmingArrayPool Frames = new(BytesPerSize, TrimInterval);

    /// <summary>The connections' pipe segments, up to 1 MiB each.</summary>
    public static readonly PipeBlockPool Pipes = new(Frames, 1 << 20);
}
