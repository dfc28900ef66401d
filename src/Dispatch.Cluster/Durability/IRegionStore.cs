namespace Dispatch.Cluster.Durability;

/// <summary>
/// Where a region's durable state lives, shared by every silo so any of them can take the region over: its command
/// journal and its newest snapshot. Writes are fenced by the journal's head (the last sequence number written): an
/// append must carry head + 1 and a snapshot must cover exactly the head, else <see cref="RegionFencedException"/>, so
/// two activations of one region (possible for a moment while membership changes) can never both extend the journal.
/// A completed append is as durable as the store makes it (Redis: docs/cluster.md, Durability).
/// </summary>
public interface IRegionStore
{
    /// <summary>The region's newest snapshot, or null when it has none.</summary>
    Task<RegionSnapshot?> LoadSnapshotAsync(string regionId, CancellationToken cancellationToken = default);

    /// <summary>The journal records after <paramref name="afterSequence"/>, in order. Throws InvalidDataException on a gap.</summary>
    IAsyncEnumerable<JournalEntry> ReadJournalAsync(string regionId, long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="entries"/> (consecutive sequence numbers, the first the head + 1, else
    /// <see cref="RegionFencedException"/>) as one write: all of them or none, one round trip and one fsync for the lot
    /// (the region's group commit).
    /// </summary>
    Task AppendAsync(string regionId, IReadOnlyList<JournalEntry> entries);

    /// <summary>
    /// The journal's head now (the last sequence number written; 0 for a region never written). A read-only batch compares
    /// it with its activation's own: a stale activation (another one has written since) must not answer queries either.
    /// </summary>
    Task<long> HeadAsync(string regionId);

    /// <summary>
    /// Replaces the region's snapshot with <paramref name="snapshot"/>, which must cover the head exactly (else
    /// <see cref="RegionFencedException"/>), and drops the journal records it covers.
    /// </summary>
    Task SaveSnapshotAsync(string regionId, RegionSnapshot snapshot);
}
