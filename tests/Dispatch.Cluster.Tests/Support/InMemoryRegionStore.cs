using Dispatch.Cluster.Durability;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>
/// The product's in-memory store (<see cref="MemoryRegionStore"/>, fenced like the Redis one), shared by the in-process
/// silos of a test cluster, with what tests need on top: a failure injected into the next append, and the count of
/// appends that wrote (store writes). The product's durable store is <see cref="RedisRegionStore"/>, tested against a
/// real Redis in RedisRegionStoreTests.
/// </summary>
internal sealed class InMemoryRegionStore : IRegionStore
{
    private readonly MemoryRegionStore _store = new();
    private readonly Lock _gate = new();
    private Exception? _failNext;
    private int _appends;

    /// <summary>When set, the next append throws it (a store that went away).</summary>
    public Exception? FailNextAppend
    {
        get { lock (_gate) return _failNext; }
        set { lock (_gate) _failNext = value; }
    }

    /// <summary>Appends that wrote at least one record (store writes).</summary>
    public int Appends { get { lock (_gate) return _appends; } }

    public long Head(string regionId) => _store.Head(regionId);

    public int JournalLength(string regionId) => _store.JournalLength(regionId);

    public Task<long> HeadAsync(string regionId) => _store.HeadAsync(regionId);

    public Task<RegionSnapshot?> LoadSnapshotAsync(string regionId, CancellationToken cancellationToken = default) =>
        _store.LoadSnapshotAsync(regionId, cancellationToken);

    public IAsyncEnumerable<JournalEntry> ReadJournalAsync(string regionId, long afterSequence, CancellationToken cancellationToken = default) =>
        _store.ReadJournalAsync(regionId, afterSequence, cancellationToken);

    public Task AppendAsync(string regionId, IReadOnlyList<JournalEntry> entries)
    {
        lock (_gate)
        {
            if (_failNext is { } f)
            {
                _failNext = null;
                throw f;
            }
            // Counted as the store counts a write: a non-empty batch at the head (a fenced one still reached the store).
            if (entries.Count > 0) _appends++;
        }
        return _store.AppendAsync(regionId, entries);
    }

    public Task SaveSnapshotAsync(string regionId, RegionSnapshot snapshot) => _store.SaveSnapshotAsync(regionId, snapshot);
}
