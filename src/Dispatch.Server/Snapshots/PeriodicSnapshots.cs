using System.Diagnostics;
using Dispatch.Hosting;
using Dispatch.Server.Journal;
using Dispatch.Server.Metrics;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Snapshots;

/// <summary>
/// Snapshots of the running engine: one every <see cref="ServerOptions.SnapshotEveryRecords"/> journal
/// records and one at shutdown, so a restart replays only the journal after the newest (see
/// <see cref="EngineRecovery"/>). Called by the engine thread between batches, the only time the engine is
/// not being changed; <see cref="IsDue"/> is a comparison, so the check after every batch costs nothing.
/// </summary>
internal sealed class PeriodicSnapshots(ServerOptions options, SnapshotStore store, string settings, byte[] fingerprint,
    ServerMetrics metrics, TimeProvider time, ILogger log)
{
    private long _lastRecords;
    private long _dueAt = long.MaxValue;

    /// <summary>Whether periodic snapshots are on (SnapshotEveryRecords above 0); off, not even a shutdown snapshot is taken.</summary>
    public bool Enabled => options.SnapshotEveryRecords > 0;

    /// <summary>True when the journal holds <paramref name="journalRecords"/> records and a periodic snapshot is due.</summary>
    public bool IsDue(long journalRecords) => journalRecords >= _dueAt;

    /// <summary>Counts from the snapshot recovery started from (<paramref name="snapshotRecords"/>, 0 without one).</summary>
    public void Resume(long snapshotRecords)
    {
        _lastRecords = snapshotRecords;
        if (Enabled) _dueAt = _lastRecords + options.SnapshotEveryRecords;
    }

    /// <summary>
    /// Writes a snapshot of the engine as of the last journaled record (engine thread, between
    /// batches, so nothing is pending). The journal is fsynced first, so a snapshot never covers
    /// records the disk might not hold. A failed snapshot is logged and retried after another
    /// SnapshotEveryRecords records: the journal still holds everything, durability is unaffected.
    /// A failed journal fsync is not a snapshot problem: it propagates and stops the server, as it
    /// does everywhere else.
    /// </summary>
    /// <param name="clockNow">The engine clock as last moved (<c>EngineClock.Current</c>): where a restart from this snapshot resumes it.</param>
    public void Write(JournalWriter journal, IEngineDriver driver, double clockNow, string why)
    {
        long records = journal.Records;
        if (Enabled) _dueAt = records + options.SnapshotEveryRecords;
        if (journal.HasPending || records == 0 || records <= _lastRecords) return;
        journal.SyncWritten();
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            var header = new SnapshotHeader(records, journal.Bytes, journal.LastRecordCrc, journal.EpochUnixMs, clockNow,
                time.GetUtcNow().ToUnixTimeMilliseconds(), fingerprint, settings);
            var (path, bytes) = store.Write(header, body => SnapshotBody.Write(body, driver));
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            _lastRecords = records;
            metrics.SnapshotWritten(records, ms);
            log.LogInformation("Snapshot {Path} written ({Why}): covers {Records} journal records, {Bytes} bytes in {Ms:F0} ms", path, why, records, bytes, ms);
        }
        catch (Exception ex)
        {
            metrics.SnapshotFailed();
            log.LogError(ex, "Snapshot at {Records} journal records failed ({Why}); the journal still holds everything, next try after {Every} more records", records, why, options.SnapshotEveryRecords);
        }
    }
}
