using System.Diagnostics;
using Dispatch.Hosting;
using Dispatch.Server.Journal;
using Dispatch.Server.Metrics;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Snapshots;

/// <summary>
/// Snapshots of the running engine: one every <see cref="ServerOptions.SnapshotEveryRecords"/> journal
/// records or every <see cref="ServerOptions.SnapshotEveryEngineMilliseconds"/> of engine work, whichever comes
/// first, one once the engine has been idle <see cref="ServerOptions.SnapshotWhenIdleMilliseconds"/> with work to
/// cover, and one at shutdown, so a restart replays only the journal after the newest (see
/// <see cref="EngineRecovery"/>), and the journal compacted behind them. Split in two:
/// <list type="number">
/// <item>on the engine thread, between batches (the only time the engine is not being changed), <see cref="Start"/>
/// rolls the journal to a new segment and serialises the engine into a pooled in-memory buffer: that copy of
/// the state is the whole pause, measured (<see cref="ServerMetrics.LastSnapshotPauseMs"/>);</item>
/// <item>a background task fsyncs the journal up to the snapshot's record, writes the file (temporary file,
/// fsync, rename, directory fsync), keeps the newest <see cref="ServerOptions.SnapshotsToKeep"/> and deletes
/// (or archives) the journal segments the oldest of them covers.</item>
/// </list>
/// One snapshot is in flight at most: one that falls due while the previous is still being written waits
/// (counted in <see cref="ServerMetrics.SnapshotsDeferred"/>, logged) and is taken after the first batch that
/// ends with the writer idle. <see cref="IsDue"/> is two comparisons, so the check after every batch costs nothing.
/// </summary>
internal sealed class PeriodicSnapshots(ServerOptions options, SnapshotStore store, string settings, byte[] fingerprint,
    ServerMetrics metrics, TimeProvider time, ILogger log)
{
    private readonly SnapshotBuffer _buffer = new();
    private Task _inFlight = Task.CompletedTask;
    private long _lastRecords;
    private long _dueAt = long.MaxValue;
    private long _work;      // Stopwatch ticks the engine thread spent applying batches since the last snapshot
    // Snapshots off (SnapshotEveryRecords 0) means off: the work budget never makes one due either.
    private readonly long _workDue = options.SnapshotEveryRecords > 0 && options.SnapshotEveryEngineMilliseconds > 0
        ? Math.Max(1, StopwatchTicks(options.SnapshotEveryEngineMilliseconds))
        : long.MaxValue;
    // Idle: wall time without a journaled record, and the least work worth a snapshot then (a twentieth of the budget).
    private readonly long _idleAfter = options.SnapshotWhenIdleMilliseconds > 0 && options.SnapshotEveryRecords > 0 && options.SnapshotEveryEngineMilliseconds > 0
        ? Math.Max(1, StopwatchTicks(options.SnapshotWhenIdleMilliseconds))
        : 0;
    private readonly long _idleMinWork = Math.Max(1, StopwatchTicks(options.SnapshotEveryEngineMilliseconds / 20));
    private long _lastJournaled = Stopwatch.GetTimestamp();

    /// <summary>The reason an idle snapshot is started with (<see cref="Start"/>'s <c>why</c>).</summary>
    public const string IdleReason = "idle";
    private bool _deferred;

    /// <summary>Whether periodic snapshots are on (SnapshotEveryRecords above 0); off, not even a shutdown snapshot is taken.</summary>
    public bool Enabled => options.SnapshotEveryRecords > 0;

    /// <summary>True when the journal holds <paramref name="journalRecords"/> records and a periodic snapshot is due.</summary>
    public bool IsDue(long journalRecords) => journalRecords >= _dueAt || (_work >= _workDue && journalRecords > _lastRecords);

    /// <summary>
    /// Adds engine-thread work (Stopwatch ticks spent applying one batch that journaled something) to what a restart
    /// would replay; <paramref name="now"/> (a Stopwatch timestamp) is when that batch ended: idleness counts from it.
    /// </summary>
    public void AddWork(long stopwatchTicks, long now)
    {
        _work += stopwatchTicks;
        _lastJournaled = now;
    }

    /// <summary>
    /// Milliseconds (at least 1) until an idle snapshot falls due if nothing more is journaled, or
    /// <see cref="Timeout.Infinite"/> when none will: idle snapshots off, or too little work since the last snapshot.
    /// The engine thread bounds its wait for commands by this.
    /// </summary>
    public int MillisecondsUntilIdle(long journalRecords, long now)
    {
        if (!IdleTailWorthCovering(journalRecords)) return Timeout.Infinite;
        long left = _lastJournaled + _idleAfter - now;
        return left <= 0 ? 1 : (int)Math.Min(int.MaxValue, Math.Max(1, (left * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency));
    }

    /// <summary>True when the engine has journaled nothing for the idle time and the records since the last snapshot hold enough work to cover.</summary>
    public bool IsIdleDue(long journalRecords, long now) => IdleTailWorthCovering(journalRecords) && now - _lastJournaled >= _idleAfter;

    /// <summary>Idle snapshots on, and the records since the last snapshot hold at least a twentieth of the work budget.</summary>
    private bool IdleTailWorthCovering(long journalRecords) => _idleAfter != 0 && _work >= _idleMinWork && journalRecords > _lastRecords;

    /// <summary>
    /// Counts from the snapshot recovery started from (<paramref name="snapshotRecords"/>, 0 without one) and the
    /// time its journal replay took (<paramref name="replayMilliseconds"/>: the work a restart now would replay again); publishes the snapshot bytes on disk.
    /// </summary>
    public void Resume(long snapshotRecords, double replayMilliseconds)
    {
        _lastRecords = snapshotRecords;
        _work = StopwatchTicks(replayMilliseconds);
        if (Enabled) _dueAt = _lastRecords + options.SnapshotEveryRecords;
        metrics.SetSnapshotBytes(store.BytesOnDisk());
    }

    /// <summary>
    /// Serialises the engine once into the buffer and throws it away, before the first command: the first real
    /// snapshot then runs compiled code into a buffer already grown, so its pause is that of every later one (a
    /// cold first snapshot after each restart took ten times as long). Costs a restart a few milliseconds.
    /// </summary>
    public void WarmUp(IEngineDriver driver)
    {
        if (!Enabled) return;
        _buffer.Reset();
        SnapshotBody.Write(_buffer, driver);
        _buffer.Reset();
    }

    /// <summary>
    /// Engine thread, between batches (nothing pending): takes a snapshot of the engine as of the last journaled
    /// record and hands it to the background writer, unless the previous one is still being written (then it
    /// stays due). A snapshot that cannot be serialised or written is logged and retried when the next falls
    /// due: the journal still holds everything, durability is unaffected. Journal
    /// errors (a segment that cannot be created) propagate and stop the server, as they do everywhere else.
    /// </summary>
    /// <param name="clockNow">The engine clock as last moved (<c>EngineClock.Current</c>): where a restart from this snapshot resumes it.</param>
    public void Start(JournalWriter journal, IEngineDriver driver, double clockNow, string why)
    {
        long records = journal.Records;
        if (!_inFlight.IsCompleted)
        {
            if (!_deferred)
            {
                _deferred = true;
                metrics.SnapshotDeferred();
                log.LogWarning("Snapshot at {Records} journal records ({Why}) deferred: the previous one is still being written; taken after the first batch that ends with it done", records, why);
            }
            return;
        }
        _deferred = false;
        if (Enabled) _dueAt = records + options.SnapshotEveryRecords;
        _work = 0;
        if (journal.HasPending || records == 0 || records <= _lastRecords) return;

        long t0 = Stopwatch.GetTimestamp();
        journal.Roll(); // the snapshot's records end a segment: compaction deletes whole files
        long rolled = Stopwatch.GetTimestamp();
        SnapshotHeader header;
        try
        {
            _buffer.Reset();
            SnapshotBody.Write(_buffer, driver);
            header = new SnapshotHeader(records, journal.LastRecordOffset, journal.LastRecordCrc, journal.EpochUnixMs, clockNow,
                time.GetUtcNow().ToUnixTimeMilliseconds(), fingerprint, settings);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            metrics.SnapshotFailed();
            log.LogError(ex, "Snapshot at {Records} journal records failed ({Why}): the engine state could not be serialised; the journal still holds everything, next try when the next snapshot falls due", records, why);
            return;
        }
        // A quiet server gives back what the buffer grew to at the peak (the writer has not started: nothing reads it).
        if (why == IdleReason) _buffer.TrimExcess();
        double pauseMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        double rollMs = Stopwatch.GetElapsedTime(t0, rolled).TotalMilliseconds;
        metrics.SnapshotPause(pauseMs);
        _lastRecords = records;
        metrics.SnapshotWriteStarted();
        _inFlight = Task.Run(() =>
        {
            try
            {
                WriteAndCompact(journal, header, why, pauseMs, rollMs);
            }
            catch (Exception ex)
            {
                // Never a faulted task: shutdown waits on it before closing the journal.
                metrics.SnapshotFailed();
                log.LogError(ex, "Snapshot at {Records} journal records failed unexpectedly ({Why}); the journal still holds everything", records, why);
            }
            finally
            {
                metrics.SnapshotWriteEnded();
            }
        });
    }

    /// <summary>Blocks until the snapshot being written (if any) is on disk or has failed (shutdown: before the journal closes).</summary>
    public void WaitForWrite() => _inFlight.Wait();

    /// <summary>The background half: journal fsync, the file, retention, compaction. Expected failures are logged and counted here.</summary>
    private void WriteAndCompact(JournalWriter journal, SnapshotHeader header, string why, double pauseMs, double rollMs)
    {
        long t0 = Stopwatch.GetTimestamp();
        long records = header.JournalRecords;
        try
        {
            // The records the snapshot covers reach the disk first, so a snapshot never stands for records the disk might not hold.
            journal.SyncWritten();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            metrics.SnapshotFailed();
            log.LogCritical(ex, "Journal fsync before the snapshot at {Records} records failed; no snapshot written (the journal refuses every later fsync, so nothing more is acknowledged under Fsync=Always)", records);
            return;
        }
        try
        {
            var (path, bytes) = store.Write(header, _buffer.WriteTo);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            metrics.SnapshotWritten(records, ms);
            long? covered = store.Retain(fingerprint, header.JournalEpochUnixMs);
            int removed = covered is { } c ? journal.RemoveCovered(c, ArchiveDirectory, log) : 0;
            if (removed > 0) metrics.SegmentsCompacted(removed);
            metrics.SetSnapshotBytes(store.BytesOnDisk());
            log.LogInformation("Snapshot {Path} written ({Why}): covers {Records} journal records, {Bytes} bytes; engine thread paused {Pause:F2} ms (journal roll {Roll:F2} ms, state copy {Copy:F2} ms), file written in {Ms:F0} ms; {Removed} journal segment(s) {Action}, journal on disk {JournalBytes} bytes",
                path, why, records, bytes, pauseMs, rollMs, pauseMs - rollMs, ms, removed, ArchiveDirectory is null ? "deleted" : "archived", journal.BytesOnDisk);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            metrics.SnapshotFailed();
            log.LogError(ex, "Snapshot at {Records} journal records failed ({Why}); the journal still holds everything, next try when the next snapshot falls due", records, why);
        }
    }

    private static long StopwatchTicks(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);

    /// <summary>Where compacted journal segments go (<see cref="ServerOptions.JournalArchiveDirectory"/>, relative to the data directory); null: deleted.</summary>
    private string? ArchiveDirectory => string.IsNullOrWhiteSpace(options.JournalArchiveDirectory) ? null : Path.Combine(options.DataDirectory, options.JournalArchiveDirectory);
}
