using System.Diagnostics;
using System.Threading.Channels;
using Dispatch.Protocol;
using Dispatch.Engine;
using Dispatch.Hosting;
using Dispatch.Server.Journal;
using Dispatch.Server.LiveView;
using Dispatch.Server.Metrics;
using Dispatch.Server.Recording;
using Dispatch.Server.Security;
using Dispatch.Server.Snapshots;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Engine;

/// <summary>
/// Owns the engine and its one thread. Connections post decoded commands into a bounded channel;
/// this thread takes them in batches, applies each to the engine (which validates and refuses
/// without changing state), appends the accepted ones to the journal, commits the batch (group
/// commit), and only then releases the batch's replies and pushes. The engine is touched by this
/// thread alone, so it needs no locks; the bounded channel is what pushes back on clients.
/// Rebuilding the state at start (<see cref="EngineRecovery"/>) and taking snapshots between batches
/// (<see cref="PeriodicSnapshots"/>) are the Snapshots folder's; this type only calls them at their moments.
/// </summary>
internal sealed class EngineHost : ICommandHost
{
    private readonly ServerOptions _options;
    private readonly ILogger _log;
    private readonly ServerMetrics _metrics;
    private readonly Channel<InboxItem> _inbox;
    private readonly WakingInbox _inboxWriter;
    private readonly EngineRecovery _recovery;
    // Set by Start (recovery), before the engine thread exists; nothing reads it earlier.
    private IEngineDriver _driver = null!;
    private readonly EngineClock _clock;
    private readonly PushFanout _fanout;
    private readonly List<ReplyTarget> _dirty = new();
    private readonly List<ReplyTarget> _finished = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private JournalWriter? _journal;
    private GroupCommitSyncer? _syncer;
    private TraceRecorder? _recorder;
    private Thread? _thread;
    private double _nextWallTick = double.NaN;
    private readonly PeriodicSnapshots _periodicSnapshots;

    public EngineHost(ServerOptions options, ILogger log, ServerMetrics metrics, TimeProvider time)
    {
        _options = options;
        _log = log;
        _metrics = metrics;
        // Several writers (connections), one reader (this thread). Wait, not drop, when full: that
        // is the backpressure that stops a connection's read loop and, through TCP, its client.
        _inbox = Channel.CreateBounded<InboxItem>(new BoundedChannelOptions(options.InboxCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _inboxWriter = new WakingInbox(_inbox);
        metrics.SetInboxDepthSource(() => _inbox.Reader.CanCount ? _inbox.Reader.Count : 0);
        _clock = new EngineClock(options.Clock, time, options.ClockRate);
        // The live view's ring exists only with the HTTP port on: without it the engine thread writes nowhere extra.
        Live = options.HttpPort is null ? null : new LiveSource(options.HttpFeedRingEvents);
        _fanout = new PushFanout(Enqueue, Live);
        var snapshots = new SnapshotStore(options.DataDirectory, options.SnapshotsToKeep, log);
        string settings = EngineSettings.Describe(options);
        byte[] fingerprint = EngineSettings.Fingerprint(settings);
        _recovery = new EngineRecovery(options, snapshots, settings, fingerprint, log);
        _periodicSnapshots = new PeriodicSnapshots(options, snapshots, settings, fingerprint, metrics, time, log);
        TimeProvider = time;
    }

    /// <summary>How the state was rebuilt at start (null before <see cref="Start"/>).</summary>
    public RecoveryReport? Recovery { get; private set; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Where accepted commands from connections are audited (null: no audit). Set before <see cref="Start"/>.</summary>
    public AuditLog? Audit { get; set; }

    /// <summary>The live view's feed source (null when the HTTP port is off).</summary>
    public LiveSource? Live { get; }

    /// <summary>Where connections post commands.</summary>
    public ChannelWriter<InboxItem> Inbox => _inboxWriter;

    /// <summary>Engine time as last seen by the engine thread (any thread may read it).</summary>
    public double Now => _clock.Published;

    public ClockMode ClockMode => _options.Clock;

    /// <summary>Completes when the engine thread has exited (after draining and the final journal sync).</summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Rebuilds the engine (<see cref="EngineRecovery"/>: the newest usable snapshot, then the journal after
    /// it, all of it without one), opens the journal for appending, and starts the engine thread.
    /// </summary>
    public void Start()
    {
        Directory.CreateDirectory(_options.DataDirectory);
        _driver = _recovery.Recover(_options.DataDirectory, () => EngineDrivers.Create(_options));
        _clock.AdvanceTo(_recovery.ClockNow);
        var recovery = _recovery.Journal;
        long epoch = recovery.Exists ? recovery.EpochUnixMs : TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        _clock.SetEpoch(epoch);
        // --record: a copy of every accepted command from now on (a diagnostic trace, not part of durability).
        if (!string.IsNullOrWhiteSpace(_options.RecordPath))
            _recorder = TraceRecorder.Create(_options.RecordPath, _options, epoch, recovery.Records, TimeProvider, _log);
        _journal = new JournalWriter(_options.DataDirectory, recovery, epoch, _options.Fsync, _options.FsyncInterval, _options.JournalSegmentBytes);
        var journal = _journal;
        _metrics.SetJournalBytesSource(() => journal.BytesOnDisk);
        _periodicSnapshots.Resume(_recovery.SnapshotRecords, _recovery.ReplayMilliseconds);
        _periodicSnapshots.WarmUp(_driver);
        // fsync on every batch: pipeline it on its own thread, so the engine applies the next batches during the fsync.
        if (_options.Fsync == FsyncPolicy.Always)
            _syncer = new GroupCommitSyncer(_journal, _log, ex => _inboxWriter.TryComplete(ex));
        _metrics.SetOpenOrders(_driver.Counts.Open);
        Recovery = _recovery.Report(_clock.Now());
        // The live view starts from what was recovered, not empty (before the engine thread: the seed precedes the ring).
        Live?.Seed(_driver, _clock.Now());

        _thread = new Thread(Run) { IsBackground = true, Name = "dispatch-engine" };
        _thread.Start();
    }

    /// <summary>Stops taking commands; the thread applies what is queued, commits, syncs and exits.</summary>
    public Task CompleteAsync()
    {
        _inboxWriter.TryComplete();
        return Completion;
    }

    /// <summary>A snapshot for the Metrics reply.</summary>
    public MetricsSnapshot Snapshot() => new(
        _clock.Published,
        Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds,
        _metrics.Connections,
        _metrics.InboxDepth,
        _metrics.FramesIn,
        _metrics.FramesOut,
        _metrics.Errors,
        _metrics.Ticks,
        _metrics.LastTickMs,
        _journal?.Records ?? 0,
        _journal?.BytesOnDisk ?? 0,
        _metrics.OpenOrders);

    /// <summary>
    /// The ServerStats reply (engine thread: the engine's counts are read here). The bytes on disk are the
    /// journal's segments and the snapshot files as the metrics keep them; the snapshot pauses are those
    /// <see cref="PeriodicSnapshots"/> timed on the engine thread.
    /// </summary>
    private ServerStats Stats()
    {
        var k = _driver.Counts;
        return new ServerStats(
            _clock.Published,
            Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds,
            ProcessStats.RssBytes(),
            GC.GetGCMemoryInfo().HeapSizeBytes,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            _metrics.JournalBytesOnDisk, _metrics.SnapshotBytesOnDisk, _metrics.SnapshotsWritten,
            _metrics.LastSnapshotPauseMs, _metrics.SnapshotPauseP99Ms, _metrics.SnapshotPauseMaxMs,
            k.Known, k.Open + k.Assigned + k.PickedUp, k.Couriers, ProcessStats.LiveHeapBytes());
    }

    // ------------------------------------------------------------------ the engine thread

    private void Run()
    {
        Exception? fault = null;
        try
        {
            var reader = _inbox.Reader;
            while (true)
            {
                int n = 0;
                long batchStarted = Stopwatch.GetTimestamp(), recordsBefore = _journal!.Records;
                while (n < _options.MaxBatch && reader.TryRead(out var item))
                {
                    Process(item);
                    n++;
                }
                WallTickIfDue();
                Release();
                _recorder?.EndBatch();
                // A restart replays what was journaled: batches of queries alone add nothing to that.
                long batchEnded = Stopwatch.GetTimestamp();
                if (_journal.Records != recordsBefore) _periodicSnapshots.AddWork(batchEnded - batchStarted, batchEnded);
                if (_periodicSnapshots.IsDue(_journal.Records)) WriteSnapshot("periodic");
                else if (_periodicSnapshots.IsIdleDue(_journal.Records, batchEnded)) WriteSnapshot(PeriodicSnapshots.IdleReason);
                if (n == _options.MaxBatch) continue;

                if (reader.Completion.IsCompleted) break;
                if (reader.TryPeek(out _)) continue;
                // This thread exists to block: wait for commands, or until the next wall-clock tick or an idle snapshot is due.
                // A writer wakes it directly (WakingInbox), with no task, event or thread-pool item made per wait.
                int idle = _periodicSnapshots.MillisecondsUntilIdle(_journal.Records, Stopwatch.GetTimestamp());
                int waitMs = WaitMilliseconds();
                _inboxWriter.Sleep(idle == Timeout.Infinite ? waitMs : Math.Min(waitMs, idle));
            }
        }
        catch (Exception ex)
        {
            fault = ex;
            _log.LogCritical(ex, "Engine thread failed; the server stops taking commands (nothing unjournaled was acknowledged)");
            _inbox.Writer.TryComplete(ex);
        }
        finally
        {
            // Let every batch already written out, after its fsync, before the final sync and close.
            try { _syncer?.Dispose(); }
            catch (Exception ex) { fault ??= ex; _log.LogCritical(ex, "Journal sync thread failed"); }
            if (_syncer?.Fault is { } syncFault) fault ??= syncFault;
            if (fault is null && _periodicSnapshots.Enabled && _journal is not null)
            {
                try
                {
                    _periodicSnapshots.WaitForWrite();
                    WriteSnapshot("shutdown");
                }
                catch (Exception ex) { _log.LogError(ex, "Shutdown snapshot failed; the journal still holds everything"); }
            }
            _periodicSnapshots.WaitForWrite(); // the background writer uses the journal: it finishes before the journal closes
            try { _journal?.Dispose(); }
            catch (Exception ex) { fault ??= ex; _log.LogCritical(ex, "Final journal sync failed"); }
            _recorder?.Dispose();
            // Whoever is still waiting for replies gets told nothing more will come.
            foreach (var t in _finished) t.CompleteOutbound();
            if (fault is null) _completion.TrySetResult(); else _completion.TrySetException(fault);
        }
    }

    /// <summary>A snapshot of the engine as the last journaled record left it (between batches: nothing pending).</summary>
    private void WriteSnapshot(string why) => _periodicSnapshots.Start(_journal!, _driver, _clock.Current, why);

    private int WaitMilliseconds()
    {
        if (_options.Clock != ClockMode.Wall) return 1000;
        if (double.IsNaN(_nextWallTick)) return 1;
        double ms = _clock.WallMillisecondsUntil(_nextWallTick);
        return (int)Math.Clamp(Math.Ceiling(ms), 1, 1000);
    }

    private void WallTickIfDue()
    {
        if (_options.Clock != ClockMode.Wall) return;
        double now = _clock.Now();
        if (double.IsNaN(_nextWallTick))
        {
            double last = _driver.LastTick;
            _nextWallTick = double.IsFinite(last) ? last + _options.Engine.TickIntervalMinutes : now;
        }
        if (now < _nextWallTick) return;
        var tick = Command.Tick(0, now);
        RunTick(tick);
        _journal!.Append(now, tick);
        _recorder?.Append(now, tick);
        // Next boundary on the interval grid, so a slow tick does not drift the cadence.
        _nextWallTick = (Math.Floor(now / _options.Engine.TickIntervalMinutes) + 1) * _options.Engine.TickIntervalMinutes;
    }

    /// <summary>Runs a Tick command (at its own time) through the router, its decisions pushed to subscribers, and times it.</summary>
    private void RunTick(in Command tick)
    {
        long t0 = Stopwatch.GetTimestamp();
        var sink = new PushSink(_fanout);
        _driver.Route(tick, tick.T1, ref sink, null);
        _metrics.Tick(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        Live?.Ticked(tick.T1);
    }

    private void Process(in InboxItem item)
    {
        var t = item.Origin;
        if (item.Kind == InboxKind.Disconnect)
        {
            if (t is not null)
            {
                _fanout.SetSubscribed(t, false);
                _finished.Add(t);
            }
            return;
        }

        var c = item.Command;
        try
        {
            Process(t, c);
        }
        finally
        {
            t?.Processed(c); // frees the connection's in-flight slot (its read loop may be waiting for it)
        }
    }

    private void Process(ReplyTarget? t, in Command c)
    {
        switch (c.Type)
        {
            case MessageType.Hello:
                if (t is null) return;
                _fanout.SetSubscribed(t, c.Flag);
                ReplyCodec.WriteHelloOk(Out(t), c.RequestId, _options.ServerName, _options.Clock, _clock.Now(), _options.MaxFrameBytes);
                break;
            case MessageType.Subscribe:
                if (t is null) return;
                _fanout.SetSubscribed(t, c.Flag);
                ReplyCodec.WriteAck(Out(t), c.RequestId, _clock.Now());
                break;
            case MessageType.GetMetrics:
                // The server's own figures, not the engine's.
                if (t is null) return;
                ReplyCodec.WriteMetrics(Out(t), c.RequestId, Snapshot());
                break;
            case MessageType.GetServerStats:
                // The server process's figures (memory, disk, snapshot pauses) with the engine's size.
                if (t is null) return;
                if (c.Flag) ProcessStats.CollectEverything();
                ReplyCodec.WriteServerStats(Out(t), c.RequestId, Stats());
                break;
            case MessageType.Tick when _options.Clock != ClockMode.Manual:
                Error(t, c.RequestId, ErrorCode.WrongClockMode, "this server runs on the wall clock; Tick is only accepted in manual clock mode");
                break;
            default:
                if (c.IsQuery) Query(t, c);
                else if (c.IsEngineEvent && !OwnsOrder(t, c)) return;
                else if (c.IsEngineEvent) Apply(t, c);
                // Connections only forward requests they decoded; anything else is a server bug.
                else Error(t, c.RequestId, ErrorCode.UnknownMessageType, $"{c.Type} cannot be sent to the engine");
                break;
        }
    }

    /// <summary>
    /// A courier-app may confirm only orders its own courier carries, which only the engine's state tells: checked here,
    /// on the engine thread, before the command is applied (and so before it could be journaled: this server applies a
    /// command first and journals it only if the engine accepted it). A refusal is Forbidden, nothing changes. Every
    /// other role and command passes (the connection already checked the role table).
    /// </summary>
    private bool OwnsOrder(ReplyTarget? t, in Command c)
    {
        if (t is null || t.Principal.Role != Role.CourierApp || CommandPolicy.OwnsOrder(t.Principal.CourierId, c, _driver)) return true;
        _metrics.Forbidden();
        // Not "unknown order" nor whose it is: a courier's app learns nothing about orders that are not its own.
        Error(t, c.RequestId, ErrorCode.Forbidden, CommandPolicy.NotOwnOrder(t.Principal.Name, t.Principal.CourierId, c));
        return false;
    }

    /// <summary>A query: answered from the engine's state through the router; not journaled.</summary>
    private void Query(ReplyTarget? t, in Command c)
    {
        if (t is null) return;
        int frames;
        var noDecisions = default(DiscardSink); // a query never ticks
        try
        {
            // The router writes the reply frame straight into the connection's pending batch.
            frames = _driver.Route(c, _clock.Now(), ref noDecisions, t.Pending);
        }
        catch (DispatchException ex)
        {
            Error(t, c.RequestId, Map(ex.Error), ex.Message);
            return;
        }
        if (frames == 0) return;
        Enqueue(t);
        t.PendingFrames += frames;
    }

    /// <summary>
    /// An engine event or a (manual-clock) Tick: applied through the router, then journaled, recorded and
    /// acknowledged. A Tick runs at its own time and moves the clock; an event is applied at the clock's time.
    /// </summary>
    private void Apply(ReplyTarget? t, in Command c)
    {
        bool tick = c.Type == MessageType.Tick;
        double now = tick ? c.T1 : _clock.Now();
        var noDecisions = default(DiscardSink); // only a tick decides, and it pushes through RunTick
        try
        {
            if (tick) RunTick(c);
            else _driver.Route(c, now, ref noDecisions, null);
        }
        catch (DispatchException ex)
        {
            Error(t, c.RequestId, Map(ex.Error), ex.Message);
            return;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            // An engine bug must not take every client down with it; the command is not journaled.
            if (tick)
            {
                _log.LogError(ex, "Engine tick at {Now} failed", c.T1);
                Error(t, c.RequestId, ErrorCode.Internal, "internal error during the tick: " + ex.Message);
            }
            else
            {
                _log.LogError(ex, "Engine refused {Type} {Id} with an unexpected exception", c.Type, c.Id);
                Error(t, c.RequestId, ErrorCode.Internal, "internal error: " + ex.Message);
            }
            return;
        }
        if (tick) _clock.AdvanceTo(now);
        _journal!.Append(now, c);
        _recorder?.Append(now, c);
        if (!tick) Live?.Applied(c, now, _driver);
        if (t is null) return;
        // Queued for the audit thread: the engine thread does not format or write it.
        Audit?.Record(new AuditEntry(TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(), now, c, t.Principal, t.Remote));
        ReplyCodec.WriteAck(Out(t), c.RequestId, now);
    }

    /// <summary>Group commit, then hand every pending reply to its connection.</summary>
    private void Release()
    {
        if (_syncer is not null)
        {
            ReleaseThroughSyncer(_syncer);
            return;
        }
        // The journal first: nothing below may leave before the commands it acknowledges are written.
        _journal!.Commit();
        foreach (var t in _dirty)
        {
            t.Queued = false;
            if (t.PendingFrames == 0) continue;
            int frames = t.PendingFrames;
            t.PendingFrames = 0;
            t.Send(t.Pending.Detach(), frames);
        }
        _dirty.Clear();
        foreach (var t in _finished) t.CompleteOutbound();
        _finished.Clear();
        PublishCounts();
    }

    /// <summary>The open-orders gauge and, with the live view on, the counts its KPI tiles show (written only when changed).</summary>
    private void PublishCounts()
    {
        var k = _driver.Counts;
        _metrics.SetOpenOrders(k.Open);
        Live?.Counts(k, _clock.Published);
    }

    /// <summary>Fsync policy Always: write the batch to the OS now; its replies leave from the sync thread after the fsync.</summary>
    private void ReleaseThroughSyncer(GroupCommitSyncer syncer)
    {
        if (syncer.Fault is { } f) throw new IOException("journal fsync failed", f);
        _journal!.WriteToOs();
        if (_dirty.Count > 0 || _finished.Count > 0)
        {
            var release = syncer.Rent();
            release.WriteSequence = _journal.WriteSequence;
            foreach (var t in _dirty)
            {
                t.Queued = false;
                if (t.PendingFrames == 0) continue;
                release.Replies.Add((t, t.Pending.Detach(), t.PendingFrames));
                t.PendingFrames = 0;
            }
            _dirty.Clear();
            release.Finished.AddRange(_finished);
            _finished.Clear();
            syncer.Enqueue(release);
        }
        PublishCounts();
    }

    private FrameBuffer Out(ReplyTarget t)
    {
        Enqueue(t);
        t.PendingFrames++;
        return t.Pending;
    }

    private void Enqueue(ReplyTarget t)
    {
        if (t.Queued) return;
        t.Queued = true;
        _dirty.Add(t);
    }

    private void Error(ReplyTarget? t, uint rid, ErrorCode code, string message)
    {
        _metrics.Error();
        if (t is null) return;
        ReplyCodec.WriteError(Out(t), rid, code, message);
    }

    private static ErrorCode Map(DispatchError e) => ErrorCodes.For(e);

    public void Dispose()
    {
        _inboxWriter.TryComplete();
        _thread?.Join(TimeSpan.FromSeconds(10));
    }
}
