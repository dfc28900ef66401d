using System.Runtime.CompilerServices;

namespace Dispatch.Cluster.Durability;

/// <summary>
/// The store contract of <see cref="IRegionStore"/> in this process's memory, fenced like <see cref="RedisRegionStore"/>:
/// for simulations whose silos all run in one process (the multi-region replay), where durability past the process is not
/// the question. <b>Not durable</b>: a cluster that must survive a silo uses Redis.
/// </summary>
public sealed class MemoryRegionStore : IRegionStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<JournalEntry>> _journals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _heads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegionSnapshot> _snapshots = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<RegionSnapshot?> LoadSnapshotAsync(string regionId, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_snapshots.GetValueOrDefault(regionId));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JournalEntry> ReadJournalAsync(string regionId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        JournalEntry[] entries;
        lock (_gate) entries = _journals.TryGetValue(regionId, out var j) ? [.. j.Where(e => e.Sequence > afterSequence)] : [];
        await Task.Yield();
        long expected = afterSequence + 1;
        foreach (var e in entries)
        {
            if (e.Sequence != expected) throw new InvalidDataException($"region '{regionId}': journal record {expected} is missing (found {e.Sequence})");
            expected++;
            yield return e;
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(string regionId, IReadOnlyList<JournalEntry> entries)
    {
        lock (_gate)
        {
            long head = _heads.GetValueOrDefault(regionId);
            if (entries.Count == 0) return Task.CompletedTask;
            if (entries[0].Sequence != head + 1) throw new RegionFencedException(regionId, entries[0].Sequence - 1, head);
            if (!_journals.TryGetValue(regionId, out var j)) _journals[regionId] = j = [];
            for (int i = 0; i < entries.Count; i++)
            {
                if (entries[i].Sequence != head + 1 + i)
                    throw new ArgumentException($"region '{regionId}': journal entries must be consecutive; #{i} is {entries[i].Sequence}, expected {head + 1 + i}", nameof(entries));
                // A copy: the caller's buffer may be reused.
                j.Add(entries[i] with { Command = entries[i].Command.ToArray() });
            }
            _heads[regionId] = head + entries.Count;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> HeadAsync(string regionId) => Task.FromResult(Head(regionId));

    /// <summary>The last sequence written for the region (0: never written).</summary>
    public long Head(string regionId)
    {
        lock (_gate) return _heads.GetValueOrDefault(regionId);
    }

    /// <summary>Journal records held for the region (those after its snapshot).</summary>
    public int JournalLength(string regionId)
    {
        lock (_gate) return _journals.TryGetValue(regionId, out var j) ? j.Count : 0;
    }

    /// <inheritdoc />
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
