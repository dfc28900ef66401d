namespace Dispatch.Server.LiveView;

/// <summary>
/// The feed's messages, each formatted once (by the <see cref="LiveProjection"/>) and shared by every browser: a small
/// ring of ready SSE byte chunks with sequence numbers. A viewer keeps its own cursor and copies chunks to its socket
/// at its own pace; one that falls more than the ring behind finds its next chunk gone and is dropped (counted), so a
/// slow browser costs the others nothing and the engine nothing at all.
/// </summary>
internal sealed class LiveBroadcast
{
    private readonly byte[][] _chunks;
    private readonly object _lock = new();
    private long _next;
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LiveBroadcast(int capacity) => _chunks = new byte[capacity][];

    /// <summary>The sequence number the next published chunk gets.</summary>
    public long Next { get { lock (_lock) return _next; } }

    public void Publish(byte[] chunk)
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            _chunks[_next % _chunks.Length] = chunk;
            _next++;
            done = _signal;
            _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    /// <summary>
    /// The chunk <paramref name="seq"/>: Ready (in <paramref name="chunk"/>), NotYet (wait on <paramref name="wait"/>), or
    /// Gone (overwritten: the viewer fell too far behind).
    /// </summary>
    public ChunkState TryGet(long seq, out byte[]? chunk, out Task? wait)
    {
        lock (_lock)
        {
            chunk = null; wait = null;
            if (seq >= _next) { wait = _signal.Task; return ChunkState.NotYet; }
            if (seq < _next - _chunks.Length) return ChunkState.Gone;
            chunk = _chunks[seq % _chunks.Length];
            return ChunkState.Ready;
        }
    }

    internal enum ChunkState : byte { Ready, NotYet, Gone }
}
