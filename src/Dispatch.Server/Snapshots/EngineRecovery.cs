using System.Diagnostics;
using Dispatch.Engine;
using Dispatch.Hosting;
using Dispatch.Server.Journal;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Snapshots;

/// <summary>
/// Rebuilds the engine's state at start: the newest snapshot that can be trusted, then the journal after it
/// (all of it without one) replayed through the command router, so a restarted server decides exactly as the
/// one that crashed. Used once, before the engine thread starts; the engine thread then takes the engine
/// <see cref="Recover"/> returns, moves its clock to <see cref="ClockNow"/> and opens the journal for appending where
/// <see cref="Journal"/> says the intact part ends. This type knows nothing of the engine thread (no clock, no
/// channel): the Engine folder uses the Snapshots folder, never the other way round.
/// </summary>
internal sealed class EngineRecovery
{
    private readonly ServerOptions _options;
    private readonly SnapshotStore _snapshots;
    private readonly string _settings;
    private readonly byte[] _fingerprint;
    private readonly ILogger _log;
    private IEngineDriver? _driver;
    private string _journalDirectory = "";
    private long _started;
    private long _refused;
    private JournalPosition? _start;
    private string? _snapshotPath;
    private int _snapshotsIgnored;

    /// <param name="settings">This server's engine settings (<see cref="EngineSettings.Describe"/>).</param>
    /// <param name="fingerprint">Their fingerprint: a snapshot taken under others is not used.</param>
    public EngineRecovery(ServerOptions options, SnapshotStore snapshots, string settings, byte[] fingerprint, ILogger log)
    {
        _options = options;
        _snapshots = snapshots;
        _settings = settings;
        _fingerprint = fingerprint;
        _log = log;
    }

    /// <summary>Engine time the rebuilt state has reached: the snapshot's clock, then every replayed record's time (0 before any).</summary>
    public double ClockNow { get; private set; }

    /// <summary>What the journal replay found (epoch, intact length, records, last CRC): where appending resumes.</summary>
    public JournalRecovery Journal { get; private set; }

    /// <summary>How long the journal replay after the snapshot took: the engine work a restart now would replay again.</summary>
    public double ReplayMilliseconds { get; private set; }

    /// <summary>Journal records the loaded snapshot covers (0 without one): where the next periodic snapshot is counted from.</summary>
    public long SnapshotRecords => _start?.Records ?? 0;

    /// <summary>
    /// Loads the newest usable snapshot into a new engine (else builds an empty one with <paramref name="fresh"/>: only
    /// then, since a start from a snapshot has no use for it and building it is a tenth of such a start), then replays the journal segments in <paramref name="journalDirectory"/> after it.
    /// Returns the engine so rebuilt. Throws <see cref="JournalDamagedException"/> when that would drop
    /// acknowledged records (damage before the last segment, or compacted records no usable snapshot covers).
    /// </summary>
    public IEngineDriver Recover(string journalDirectory, Func<IEngineDriver> fresh)
    {
        _journalDirectory = journalDirectory;
        _started = Stopwatch.GetTimestamp();
        _driver = null;
        _snapshots.DeleteTemporaryFiles();
        (_start, _snapshotPath, _snapshotsIgnored) = RestoreSnapshot(journalDirectory);
        var driver = _driver ??= fresh();
        long replayStarted = Stopwatch.GetTimestamp();
        Journal = JournalReader.Replay(journalDirectory, (now, c) =>
        {
            try
            {
                // Decisions are discarded: they were pushed before the restart.
                var discard = default(DiscardSink);
                driver.Route(c, now, ref discard, null);
            }
            catch (DispatchException ex)
            {
                // Only accepted commands are journaled, so this means the engine's rules changed between versions.
                _refused++;
                _log.LogWarning("Journal replay: the engine refused a recorded {Type} ({Message})", c.Type, ex.Message);
            }
            AdvanceClock(now);
        }, _log, _start);
        ReplayMilliseconds = Stopwatch.GetElapsedTime(replayStarted).TotalMilliseconds;
        return driver;
    }

    /// <summary>
    /// The report of how the state was rebuilt, logged; called once the journal is open for appending, with the
    /// engine thread's clock (<paramref name="now"/>), so the time it gives covers the whole start.
    /// </summary>
    public RecoveryReport Report(double now)
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        var counts = _driver!.Counts;
        var report = new RecoveryReport(_snapshotPath, SnapshotRecords, Journal.Replayed, Journal.Records, _snapshotsIgnored, elapsed.TotalMilliseconds);
        if (_snapshotPath is not null)
            _log.LogInformation("Recovery: loaded snapshot {Snapshot} covering {SnapshotRecords} journal records, then replayed {Replayed} journal records after it in {Ms:F0} ms ({Refused} refused); {Orders} orders, {Couriers} couriers known; engine time {Now:F2} min ({Clock} clock)",
                _snapshotPath, SnapshotRecords, Journal.Replayed, elapsed.TotalMilliseconds, _refused, counts.Known, counts.Couriers, now, _options.Clock);
        else
            _log.LogInformation("Journal {Path}: replayed {Records} records in {Ms:F0} ms ({Refused} refused), no snapshot used; {Orders} orders, {Couriers} couriers known; engine time {Now:F2} min ({Clock} clock)",
                _journalDirectory, Journal.Records, elapsed.TotalMilliseconds, _refused, counts.Known, counts.Couriers, now, _options.Clock);
        return report;
    }

    /// <summary>
    /// Picks the newest snapshot that can be trusted and loads it into the engine and the clock. A
    /// snapshot is used only if its header and engine state check out (CRCs, trailer), it was taken
    /// under the current engine settings, and it names a record the intact journal really holds (same
    /// epoch, same record CRC, and the same byte offset when the segment holding that record is still on
    /// disk; when it was compacted, the next segment's header chains to that CRC). Anything else is skipped with a warning and the next
    /// older one tried; with none left the whole journal is replayed. Snapshots that can never match
    /// this journal (torn, damaged, another journal) are renamed to *.snap.bad; ones taken under other
    /// settings are left alone (they are valid again if the settings go back).
    /// </summary>
    private (JournalPosition? Start, string? Path, int Ignored) RestoreSnapshot(string journalDirectory)
    {
        var files = _snapshots.List();
        if (files.Count == 0) return (null, null, 0);
        var scan = JournalReader.Scan(journalDirectory, files.Where(f => f.Header is not null).Select(f => f.Sequence).ToArray());
        if (!scan.HeaderOk)
        {
            _log.LogWarning("Found {Count} snapshot(s) in {Dir} but no usable journal: the journal is the source of truth, so they are set aside (*.snap.bad) and not used",
                files.Count, _options.DataDirectory);
            foreach (var f in files) _snapshots.SetAside(f.Path);
            return (null, null, files.Count);
        }
        int ignored = 0;
        foreach (var f in files)
        {
            if (f.Header is not { } h)
            {
                _log.LogWarning("Snapshot {Path} is unreadable ({Problem}); ignoring it (moved to *.snap.bad)", f.Path, f.Problem);
                _snapshots.SetAside(f.Path);
                ignored++;
                continue;
            }
            if (!h.Fingerprint.AsSpan().SequenceEqual(_fingerprint))
            {
                _log.LogWarning("Snapshot {Path} was taken under different engine settings ({Difference}); not using it: its state would not match what this server's engine makes of the journal",
                    f.Path, EngineSettings.Difference(h.Settings, _settings));
                ignored++;
                continue;
            }
            string? problem = null;
            if (h.JournalEpochUnixMs != scan.EpochUnixMs)
                problem = $"it belongs to another journal (clock epoch {h.JournalEpochUnixMs}, the journal's is {scan.EpochUnixMs})";
            else if (!scan.Positions.TryGetValue(h.JournalRecords, out var pos))
                problem = h.JournalRecords < scan.FirstRecord
                    ? $"the journal after it was compacted (the journal now starts after record {scan.FirstRecord})"
                    : $"it covers {h.JournalRecords} journal records but the intact journal is shorter";
            else if (pos.LastCrc != h.LastRecordCrc)
                problem = $"journal record {h.JournalRecords} is not the one it was taken after (CRC {pos.LastCrc:x8} vs {h.LastRecordCrc:x8})";
            else if (!pos.AtSegmentStart && pos.Offset != h.JournalOffset)
                problem = $"journal record {h.JournalRecords} is not the one it was taken after (offset {pos.Offset} vs {h.JournalOffset})";
            else if (TryLoad(f.Path, h, out problem))
                return (pos, f.Path, ignored);
            _log.LogWarning("Snapshot {Path} is not usable: {Problem}; ignoring it (moved to *.snap.bad), trying an older one or the whole journal", f.Path, problem);
            _snapshots.SetAside(f.Path);
            ignored++;
        }
        return (null, null, ignored);
    }

    /// <summary>Checks a snapshot's engine state end to end, then loads it into a new engine and the clock.</summary>
    private bool TryLoad(string path, SnapshotHeader h, out string? problem)
    {
        try
        {
            long t0 = Stopwatch.GetTimestamp();
            if (!SnapshotStore.VerifyBody(path, h, out problem)) return false;
            IEngineDriver driver;
            using (var body = SnapshotStore.OpenBody(path, h)) driver = SnapshotBody.Read(body, _options);
            _driver = driver;
            AdvanceClock(h.ClockNow);
            _log.LogInformation("Loaded snapshot {Path} ({Records} journal records) in {Ms:F0} ms", path, h.JournalRecords, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or IndexOutOfRangeException or OverflowException or EndOfStreamException)
        {
            problem = "the engine refused its state: " + ex.Message;
            return false;
        }
    }

    /// <summary>As the engine clock does: time only moves forward.</summary>
    private void AdvanceClock(double t)
    {
        if (t > ClockNow) ClockNow = t;
    }
}
