using System.Threading.Channels;

namespace Dispatch.Server.Engine;

/// <summary>
/// The engine's inbox as writers see it: the bounded channel's writer, plus a direct wake-up of the engine thread when
/// it sleeps for want of commands. The channel alone would wake it through a thread-pool work item (its continuations
/// run asynchronously, so that no connection's read loop ever runs on the engine thread when space frees up): a
/// command then took two thread wake-ups to reach the engine, which showed in profiles at every engine batch. Here
/// the writer that finds the engine asleep sets its event itself. Only the engine thread calls <see cref="Sleep"/>.
/// </summary>
internal sealed class WakingInbox : ChannelWriter<InboxItem>
{
    private readonly Channel<InboxItem> _channel;
    private readonly ChannelWriter<InboxItem> _inner;
    // No spinning before blocking: on a box whose cores are all busy, spinning only takes CPU from the threads that
    // would bring the next command.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private int _sleeping; // 1 while the engine thread announced it sleeps (or is about to)

    public WakingInbox(Channel<InboxItem> channel)
    {
        _channel = channel;
        _inner = channel.Writer;
    }

    public override bool TryWrite(InboxItem item)
    {
        if (!_inner.TryWrite(item)) return false;
        Wake();
        return true;
    }

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => _inner.WaitToWriteAsync(cancellationToken);

    public override ValueTask WriteAsync(InboxItem item, CancellationToken cancellationToken = default) =>
        TryWrite(item) ? default : WriteSlowAsync(item, cancellationToken);

    private async ValueTask WriteSlowAsync(InboxItem item, CancellationToken cancellationToken)
    {
        // Full: the engine is awake and draining (it moves this item in itself); the wake covers a race with its sleep.
        await _inner.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        Wake();
    }

    public override bool TryComplete(Exception? error = null)
    {
        bool completed = _inner.TryComplete(error);
        Wake(); // the engine must see the completion now, not at its next timeout
        return completed;
    }

    /// <summary>
    /// Engine thread, with nothing left to read: sleeps until a writer wakes it or <paramref name="timeoutMs"/> passes,
    /// unless a command or the completion arrived meanwhile. A wake-up may be spurious; the caller reads again.
    /// </summary>
    public void Sleep(int timeoutMs)
    {
        _wake.Reset();
        // Announce, then look once more. A writer adds its item under the channel's lock and reads the flag after it;
        // this thread sets the flag (a full fence) before it takes that lock to peek: one of the two sees the other.
        Interlocked.Exchange(ref _sleeping, 1);
        if (!_channel.Reader.TryPeek(out _) && !_channel.Reader.Completion.IsCompleted) _wake.Wait(timeoutMs);
        Volatile.Write(ref _sleeping, 0);
    }

    private void Wake()
    {
        if (Volatile.Read(ref _sleeping) != 0 && Interlocked.Exchange(ref _sleeping, 0) != 0) _wake.Set();
    }
}
