using Dispatch.Cluster.Handoff;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// A courier's move cut twice by SIGKILL, on three real silo processes over the test Redis: the silo hosting the source
/// dies right after the release, the one hosting the destination right after the adoption (before the source heard of it),
/// replacement silos start, and the next hand-off round finishes the move: the courier ends in exactly one region, on
/// shift there and nowhere else, and no region holds the move as pending.
/// </summary>
public sealed class SiloKillHandoffTests
{
    private const long Courier = 7;

    // Orleans' failure detection tightened as in SiloKillTests, so a killed silo is declared dead in seconds.
    private static readonly string[] FastDetection =
    [
        "--Orleans:Membership:ProbeTimeout=00:00:01", "--Orleans:Membership:NumMissedProbesLimit=2",
        "--Orleans:Membership:TableRefreshTimeout=00:00:02", "--Orleans:Membership:IAmAliveTablePublishTimeout=00:00:05",
        "--Cluster:SnapshotEveryRecords=4",
    ];

    [SkippableFact]
    public async Task A_move_cut_by_kill_9_after_each_step_ends_with_the_courier_in_exactly_one_region()
    {
        TestRedis.Require();
        string prefix = TestRedis.UniquePrefix();
        string[] regions = ["north", "south"];
        var silos = new List<ChildSilo>();
        try
        {
            for (int i = 0; i < 3; i++) silos.Add(await ChildSilo.StartAsync(prefix, prefix, FastDetection));
            await using var client = new RedisSilos(prefix, prefix, snapshotEveryRecords: 0);
            await client.StartClientAsync();
            IRegionHandoffGrain Handoff(string id) => client.Client.GetGrain<IRegionHandoffGrain>(id);
            async Task<List<ServerMessage>> Send(string region, Command c) => Frames.Read(await Retry(() => client.Region(region).Execute(Frames.Payload(c))));
            async Task Ok(string region, Command c) => Assert.IsType<AckMessage>((await Send(region, c))[^1]);

            await Ok("north", Command.AddSite(1, 1, 1000, 1000));
            await Ok("south", Command.AddSite(1, 2, 1000, -1000));
            await Ok("north", Command.CourierOnShift(2, Courier, 1000, 1200, 0, 600, 3));
            await Ok("north", Command.Tick(3, 1));
            await Ok("south", Command.Tick(3, 1));
            await Ok("north", Command.UpdateCourierPosition(4, Courier, 1000, -2000));

            // Step 1, then kill -9 of the silo hosting the source.
            var ticket = Assert.Single(await Handoff("north").ReleaseOutsiders());
            await KillHostOf("north");
            silos.Add(await ChildSilo.StartAsync(prefix, prefix, FastDetection));

            // Step 2 (north rebuilt elsewhere holds the ticket pending), then kill -9 of the silo hosting the destination.
            Assert.True((await Retry(() => Handoff("south").Adopt(ticket))).Adopted);
            await KillHostOf("south");
            silos.Add(await ChildSilo.StartAsync(prefix, prefix, FastDetection));

            // Rounds until the move is finished; a round cut by the dying silos leaves it pending, the next finishes it.
            var coordinator = new HandoffCoordinator(client.Client, regions);
            var finished = false;
            for (int attempt = 0; attempt < 30 && !finished; attempt++)
            {
                var round = await Retry(coordinator.RunAsync);
                Assert.Empty(round.RolledBack);
                finished = round.Adopted.Any(t => t.Id == ticket.Id) || (await Retry(() => Handoff("north").Couriers([]))).Pending.Length == 0;
                if (!finished) await Task.Delay(500);
            }
            Assert.True(finished, "the move was not finished by 30 rounds");

            var owners = await Retry(() => CourierAudit.OwnersAsync(client.Client, regions));
            Assert.Equal(["south"], owners[Courier]);
            Assert.Empty((await Retry(() => Handoff("north").Couriers([]))).Pending);
            Assert.True(Assert.IsType<CourierInfoMessage>(Assert.Single(await Send("south", Command.GetCourier(5, Courier)))).OnShift);
            Assert.False(Assert.IsType<CourierInfoMessage>(Assert.Single(await Send("north", Command.GetCourier(5, Courier)))).OnShift);

            async Task KillHostOf(string region)
            {
                var status = await Retry(() => client.Region(region).Status());
                var host = silos.Single(s => s.Alive && status.Silo.Contains($"127.0.0.1:{s.SiloPort}", StringComparison.Ordinal));
                host.Kill();
            }
        }
        finally
        {
            foreach (var s in silos) await s.DisposeAsync();
        }
    }

    /// <summary>A call retried while the cluster notices a killed silo (calls to it fail or time out until then).</summary>
    private static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception) when (clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(300);
            }
        }
    }
}
