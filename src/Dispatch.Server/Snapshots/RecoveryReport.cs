namespace Dispatch.Server.Snapshots;

/// <summary>How the server rebuilt its state at start (see docs/protocol.md, Durability).</summary>
/// <param name="SnapshotPath">The snapshot loaded, or null when the whole journal was replayed.</param>
/// <param name="SnapshotRecords">Journal records that snapshot covers (0 without one).</param>
/// <param name="RecordsReplayed">Journal records replayed into the engine after the snapshot (all of them without one).</param>
/// <param name="JournalRecords">Intact records in the journal in all (snapshot + replayed).</param>
/// <param name="SnapshotsIgnored">Snapshot files found but not used (torn, damaged, other settings, another journal).</param>
/// <param name="Milliseconds">Time the recovery took.</param>
public sealed record RecoveryReport(string? SnapshotPath, long SnapshotRecords, long RecordsReplayed, long JournalRecords, int SnapshotsIgnored, double Milliseconds)
{
    /// <summary>True when recovery started from a snapshot.</summary>
    public bool UsedSnapshot => SnapshotPath is not null;
}
