using Dispatch.Cluster.Handoff;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// A hand-off through the product's host over a real Redis (journal, snapshots with the ledger, Redis membership): a move
/// interrupted after the adoption, with every silo then gone, is completed by a new cluster over the same Redis without a
/// second adoption; the courier ends in exactly one region.
/// </summary>
public sealed class RedisHandoffTests
{
    private const long Courier = 7;

    [SkippableFact]
    public async Task A_move_interrupted_by_the_whole_cluster_stopping_is_completed_by_the_next_one_through_redis()
    {
        TestRedis.Require();
        string prefix = TestRedis.UniquePrefix();
        HandoffTicket ticket;
        await using (var first = new RedisSilos(prefix, prefix, snapshotEveryRecords: 3))
        {
            await first.StartSiloAsync();
            await first.StartSiloAsync();
            await first.StartClientAsync();
            async Task Ok(string region, Command c) => Assert.IsType<AckMessage>(Frames.Read(await first.Region(region).Execute(Frames.Payload(c)))[^1]);
            await Ok("north", Command.AddSite(1, 1, 1000, 1000));
            await Ok("south", Command.AddSite(1, 2, 1000, -1000));
            await Ok("north", Command.CourierOnShift(2, Courier, 1000, 1200, 0, 600, 3));
            await Ok("north", Command.Tick(3, 1));
            await Ok("north", Command.UpdateCourierPosition(4, Courier, 1000, -2000));
            ticket = Assert.Single(await first.Client.GetGrain<IRegionHandoffGrain>("north").ReleaseOutsiders());
            Assert.True((await first.Client.GetGrain<IRegionHandoffGrain>("south").Adopt(ticket)).Adopted);
            // Every silo stops before step 3 (snapshots every 3 records: the ledgers come back from snapshots and journals).
        }

        await using var second = new RedisSilos(prefix, prefix, snapshotEveryRecords: 3);
        await second.StartSiloAsync();
        await second.StartClientAsync();
        string[] regions = ["north", "south"];
        var pending = await second.Client.GetGrain<IRegionHandoffGrain>("north").Couriers([]);
        Assert.Equal(ticket.Id, Assert.Single(pending.Pending).Id);
        Assert.Equal(["south"], (await CourierAudit.OwnersAsync(second.Client, regions))[Courier]);

        var round = await new HandoffCoordinator(second.Client, regions).RunAsync();
        Assert.Equal(ticket.Id, Assert.Single(round.Adopted).Id);
        Assert.Empty(round.RolledBack);
        var owners = await CourierAudit.OwnersAsync(second.Client, regions);
        Assert.Equal(["south"], owners[Courier]);
        Assert.Empty((await second.Client.GetGrain<IRegionHandoffGrain>("north").Couriers([])).Pending);
        var info = Assert.IsType<CourierInfoMessage>(Assert.Single(Frames.Read(await second.Region("south").Execute(Frames.Payload(Command.GetCourier(5, Courier))))));
        Assert.True(info.OnShift);
    }
}
