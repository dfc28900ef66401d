using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests;

/// <summary>The Redis store against a real redis-server (TestRedis): order, fencing, snapshots that trim the journal.</summary>
public sealed class RedisRegionStoreTests
{
    [SkippableFact]
    public async Task Appends_come_back_in_order_and_a_stale_writer_is_fenced()
    {
        var store = new RedisRegionStore(TestRedis.Require(), TestRedis.UniquePrefix());
        Assert.Equal(0, await store.HeadAsync("r"));
        // One record per write, then the rest in groups (the region's group commit): the same journal.
        for (int i = 1; i <= 100; i++)
            await store.AppendAsync("r", [new JournalEntry(i, i / 7.0, Frames.Payload(Command.Tick((uint)i, i / 7.0)))]);
        for (int from = 101; from <= 2500; from += 300)
            await store.AppendAsync("r", Enumerable.Range(from, Math.Min(300, 2501 - from))
                .Select(i => new JournalEntry(i, i / 7.0, Frames.Payload(Command.Tick((uint)i, i / 7.0)))).ToList());

        var read = await store.ReadJournalAsync("r", 0).ToListAsync();
        Assert.Equal(2500, read.Count);
        Assert.Equal(Enumerable.Range(1, 2500).Select(i => (long)i), read.Select(e => e.Sequence));
        Assert.Equal(1000 / 7.0, read[999].Now); // exact: the time round-trips
        Assert.Equal(Frames.Payload(Command.Tick(1000, 1000 / 7.0)), read[999].Command.ToArray());

        // A second activation that loaded at 2500 writes 2501; the first, also at 2500, must not.
        await store.AppendAsync("r", [new JournalEntry(2501, 400, Frames.Payload(Command.Tick(1, 400)))]);
        var fenced = await Assert.ThrowsAsync<RegionFencedException>(() => store.AppendAsync("r", [new JournalEntry(2501, 400, Frames.Payload(Command.Tick(1, 400)))]));
        Assert.Contains("head is 2501", fenced.Message);
        Assert.Equal(2501, await store.HeadAsync("r")); // what a read-only batch compares its activation with
        await Assert.ThrowsAsync<RegionFencedException>(() => store.SaveSnapshotAsync("r", new RegionSnapshot(2400, 1, "s", [1])));
    }

    [SkippableFact]
    public async Task A_snapshot_drops_the_records_it_covers_and_the_journal_continues_after_it()
    {
        var store = new RedisRegionStore(TestRedis.Require(), TestRedis.UniquePrefix());
        Assert.Null(await store.LoadSnapshotAsync("r"));
        for (int i = 1; i <= 10; i++) await store.AppendAsync("r", [new JournalEntry(i, i, Frames.Payload(Command.Tick((uint)i, i)))]);
        await store.SaveSnapshotAsync("r", new RegionSnapshot(10, 10, "travel=Euclidean", [1, 2, 3]));
        await store.AppendAsync("r", [new JournalEntry(11, 11, Frames.Payload(Command.Tick(11, 11)))]);

        var snapshot = await store.LoadSnapshotAsync("r");
        Assert.NotNull(snapshot);
        Assert.Equal(10, snapshot.Sequence);
        Assert.Equal("travel=Euclidean", snapshot.Settings);
        Assert.Equal(new byte[] { 1, 2, 3 }, snapshot.Body);
        Assert.Empty(snapshot.Handoffs ?? []); // written without a ledger: an empty one
        Assert.Equal([11L], (await store.ReadJournalAsync("r", 10).ToListAsync()).Select(e => e.Sequence));
        // Asking for records a snapshot already dropped is a gap, not a silent skip.
        await Assert.ThrowsAsync<InvalidDataException>(async () => await store.ReadJournalAsync("r", 3).ToListAsync());

        // The hand-off ledger rides in the snapshot.
        await store.SaveSnapshotAsync("r", new RegionSnapshot(11, 11, "travel=Euclidean", [4], [9, 8, 7]));
        Assert.Equal(new byte[] { 9, 8, 7 }, (await store.LoadSnapshotAsync("r"))!.Handoffs);
    }
}
