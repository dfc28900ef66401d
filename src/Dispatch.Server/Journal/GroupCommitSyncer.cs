using Dispatch.Server.Engine;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Journal;

/// <summary>
/// Pipelined group commit for <see cref="FsyncPolicy.Always"/>. The engine thread writes a batch to
/// the OS and hands its replies here instead of waiting for the fsync itself; this thread takes every
/// batch queued so far, runs one fsync that covers all of them (their writes happened before they
/// were queued), and only then sends their replies, in batch order. So while one fsync runs, the
/// engine thread already applies and writes the next batches, and the next fsync covers them all:
/// one disk flush per round instead of one per batch, with the guarantee unchanged (no Ack before
/// the fsync of its record). Replies of batches that wrote nothing (queries) still queue here, so a
/// connection's replies never overtake each other.
/// </summary>
internal sealed class GroupCommitSyncer : IDisposable
{
    /// <summary>One engine batch's replies, released together after the fsync.</summary>
    internal sealed class Release
    {
        public readonly List<(ReplyTarget Target, ArraySegment<byte> Frames, int Count)> Replies = new();
        public readonly List<ReplyTarget> Finished = new();
        public long WriteSequence;
    }

    private readonly JournalWriter _journal;
    private readonly ILogger _log;
    private readonly Thread _thread;
    private readonly object _lock = new();
    private List<Release> _queue = new();
    private List<Release> _spare = new();
    // Releases sent and emptied, for the engine thread to fill again: a batch allocates none once warm.
    private readonly Stack<Release> _free = new();
    private long _syncedSequence;
    private bool _completed;
    private volatile Exception? _fault;

    public GroupCommitSyncer(JournalWriter journal, ILogger log, Action<Exception> onFault)
    {
        _journal = journal;
        _log = log;
        OnFault = onFault;
        _syncedSequence = journal.WriteSequence;
        _thread = new Thread(Run) { IsBackground = true, Name = "dispatch-journal-sync" };
        _thread.Start();
    }

    private Action<Exception> OnFault { get; }

    /// <summary>Set when an fsync failed: nothing queued after it is ever sent.</summary>
    public Exception? Fault => _fault;

    /// <summary>Engine thread: an empty release to fill (one this thread sent earlier, when there is one).</summary>
    public Release Rent()
    {
        lock (_lock)
        {
            if (_free.TryPop(out var r)) return r;
        }
        return new Release();
    }

    /// <summary>Engine thread: queue a batch whose journal bytes are already written to the OS.</summary>
    public void Enqueue(Release release)
    {
        if (_fault is { } f) throw new IOException("the journal sync failed earlier", f);
        lock (_lock)
        {
            _queue.Add(release);
            if (_queue.Count == 1) Monitor.Pulse(_lock);
        }
    }

    private void Run()
    {
        while (true)
        {
            List<Release> batch;
            lock (_lock)
            {
                while (_queue.Count == 0 && !_completed) Monitor.Wait(_lock);
                if (_queue.Count == 0) return; // completed and drained
                batch = _queue;
                _queue = _spare;
                _spare = batch;
            }
            try
            {
                long upTo = batch[^1].WriteSequence;
                if (upTo > _syncedSequence)
                {
                    _journal.SyncWritten(); // fsync: covers every write made before these batches were queued
                    _syncedSequence = upTo;
                }
            }
            catch (Exception ex)
            {
                _fault = ex;
                _log.LogCritical(ex, "Journal fsync failed; the replies of the unsynced commands are not sent");
                OnFault(ex);
                lock (_lock) { _queue.Clear(); }
                return;
            }
            foreach (var r in batch)
            {
                foreach (var (target, frames, count) in r.Replies) target.Send(frames, count);
                foreach (var t in r.Finished) t.CompleteOutbound();
                r.Replies.Clear();
                r.Finished.Clear();
            }
            lock (_lock)
            {
                foreach (var r in batch) _free.Push(r);
            }
            batch.Clear();
        }
    }

    /// <summary>Engine thread, at exit: lets every queued batch out (after its fsync) and stops the thread.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.Pulse(_lock);
        }
        _thread.Join();
    }
}
