using System.Runtime.CompilerServices;
using Dispatch.Cluster.Durability;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>
/// The store contract of <see cref="IRegionStore"/> in memory, fenced like the Redis one: shared by the in-process silos of
/// a test cluster (one process), so a region rebuilt on another silo finds what the first one wrote. Tests only; the
/// product's store is <see cref="RedisRegionStore"/>, tested against a real Redis in RedisRegionStoreTests.
/// </summary>
internal sealed class InMemoryRegionStore : IRegionStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<JournalEntry>> _journals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _heads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegionSnapshot> _snapshots = new(StringComparer.Ordinal);

    /// <summary>When set, the next append throws it (a store that went away).</summary>
    public Exception? FailNextAppend { get; set; }

    /// <summary>Appends that wrote at least one record (store writes).</summary>
    public int Appends { get; private set; }

    public long Head(string regionId)
    {
        lock (_gate) return _heads.GetValueOrDefault(regionId);
    }

    public Task<long> HeadAsync(string regionId) => Task.FromResult(Head(regionId));

    public int JournalLength(string regionId)
    {
        lock (_gate) return _journals.TryGetValue(regionId, out var j) ? j.Count : 0;
    }

    public Task<RegionSnapshot?> LoadSnapshotAsync(string regionId, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_snapshots.GetValueOrDefault(regionId));
    }

    public async IAsyncEnumerable<JournalEntry> ReadJournalAsync(string regionId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        JournalEntry[] entries;
        lock (_gate) entries = _journals.TryGetValue(regionId, out var j) ? j.Where(e => e.Sequence > afterSequence).ToArray() : [];
        await Task.Yield();
        long expected = afterSequence + 1;
        foreach (var e in entries)
        {
            if (e.Sequence != expected) throw new InvalidDataException($"journal record {expected} is missing");
            expected++;
            yield return e;
        }
    }

    public Task AppendAsync(string regionId, IReadOnlyList<JournalEntry> entries)
    {
        lock (_gate)
        {
            if (FailNextAppend is { } f)
            {
                FailNextAppend = null;
                throw f;
            }
            long head = _heads.GetValueOrDefault(regionId);
            if (entries.Count == 0) return Task.CompletedTask;
            Appends++;
            if (entries[0].Sequence != head + 1) throw new RegionFencedException(regionId, entries[0].Sequence - 1, head);
            if (!_journals.TryGetValue(regionId, out var j)) _journals[regionId] = j = [];
            for (int i = 0; i < entries.Count; i++)
            {
                if (entries[i].Sequence != head + 1 + i) throw new ArgumentException("journal entries must be consecutive", nameof(entries));
                j.Add(entries[i] with { Command = entries[i].Command.ToArray() });
            }
            _heads[regionId] = head + entries.Count;
        }
        return Task.CompletedTask;
    }

    public Task SaveSnapshotAsync(string regionId, RegionSnapshot snapshot)
    {
        lock (_gate)
        {
            long head = _heads.GetValueOrDefault(regionId);
            if (snapshot.Sequence != head) throw new RegionFencedException(regionId, snapshot.Sequence, head);
            _snapshots[regionId] = snapshot;
            if (_journals.TryGetValue(regionId, out var j)) j.RemoveAll(e => e.Sequence <= snapshot.Sequence);
        }
        return Task.CompletedTask;
    }
}
