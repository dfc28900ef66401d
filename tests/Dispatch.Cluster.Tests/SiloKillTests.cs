using System.Diagnostics;
using Dispatch.Client;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using Xunit.Abstractions;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// Three real silo processes on loopback over the test Redis. Orders stream to every region through the TCP edges of
/// different silos; a random silo is killed with SIGKILL; every region (those it hosted included) must answer again through
/// the survivors with every acknowledged order and courier. Repeated, with a replacement silo started after each kill. The
/// time from the kill until every region answered again is printed (its distribution is docs/cluster.md's figure).
/// </summary>
public sealed class SiloKillTests(ITestOutputHelper output)
{
    // Small by default (CI time); the issue's figure is DISPATCH_KILL_REGIONS=8 DISPATCH_KILL_CYCLES=20 (docs/cluster.md).
    private static readonly int Regions = Setting("DISPATCH_KILL_REGIONS", 2, 1, 8);
    private static readonly int Cycles = Setting("DISPATCH_KILL_CYCLES", 3, 1, 100);
    // Nobody confirms pickups here, so routes only grow: enough couriers that none needs more than MaxRouteStops (24) stops
    // over 20 cycles (the engine does not bound an MDRP courier's appended bundles: docs/cluster.md, "Noticed").
    private const int OrdersPerCycle = 5;
    private const int CouriersPerRegion = 30;

    // Orleans' failure detection, tightened from its defaults (5 s probes, 3 missed) so a dead silo is declared dead in a
    // few seconds: the setting a deployment chooses (docs/cluster.md).
    private static readonly string[] FastDetection =
    [
        "--Orleans:Membership:ProbeTimeout=00:00:01", "--Orleans:Membership:NumMissedProbesLimit=2",
        "--Orleans:Membership:TableRefreshTimeout=00:00:02", "--Orleans:Membership:IAmAliveTablePublishTimeout=00:00:05",
        "--Cluster:SnapshotEveryRecords=40",
    ];

    [SkippableFact]
    public async Task A_killed_silo_s_regions_come_back_on_the_others_with_every_acknowledged_order_and_courier()
    {
        TestRedis.Require();
        string prefix = TestRedis.UniquePrefix();
        // A row of 10 km squares sharing borders: r0, r1, ...
        var regions = Enumerable.Range(0, Regions)
            .Select(i => ($"r{i}", $"POLYGON (({i * 10000} 0, {(i + 1) * 10000} 0, {(i + 1) * 10000} 10000, {i * 10000} 10000, {i * 10000} 0))")).ToList();
        var silos = new List<ChildSilo>();
        var rng = new Random(16);
        try
        {
            for (int i = 0; i < 3; i++) silos.Add(await ChildSilo.StartAsync(prefix, prefix, regions, FastDetection));

            var acked = regions.ToDictionary(r => r.Item1, _ => new List<long>());
            long nextOrder = 1;
            var recoveries = new List<double>();
            for (int cycle = 0; cycle < Cycles; cycle++)
            {
                // Orders stream to every region, each through a different living silo's edge.
                var alive = silos.Where(s => s.Alive).ToList();
                for (int ri = 0; ri < regions.Count; ri++)
                {
                    string region = regions[ri].Item1;
                    double x = ri * 10000;
                    await using var c = await DispatchClient.ConnectAsync("127.0.0.1", alive[ri % alive.Count].EdgePort, new DispatchClientOptions { Region = region });
                    if (cycle == 0)
                    {
                        await c.AddSiteAsync(ri + 1, x + 2000, 2000);
                        for (int k = 0; k < CouriersPerRegion; k++) await c.CourierOnShiftAsync(1000 * (ri + 1) + k, x + 1000 + 250 * (k % 30), 1500 + 200 * (k / 30), 0, 10_000, 3);
                    }
                    double t = cycle * 10;
                    for (int k = 0; k < OrdersPerCycle; k++)
                    {
                        long id = nextOrder++;
                        await c.PlaceOrderAsync(id, ri + 1, x + 500 + 300 * k, 3000 + 100 * k, t, t + 5);
                        acked[region].Add(id);
                    }
                    await c.TickAsync(t + 1);
                }

                // kill -9 of a random silo, then every region must answer again through the survivors.
                var victim = alive[rng.Next(alive.Count)];
                victim.Kill();
                var clock = Stopwatch.StartNew();
                var survivors = silos.Where(s => s.Alive).ToList();
                await Task.WhenAll(regions.Select(async (r, i) =>
                {
                    await using var again = await ConnectWithRetry(survivors[i % survivors.Count], r.Item1, clock);
                }));
                recoveries.Add(clock.Elapsed.TotalSeconds);

                for (int ri = 0; ri < regions.Count; ri++)
                {
                    string region = regions[ri].Item1;
                    await using var check = await ConnectWithRetry(survivors[(ri + 1) % survivors.Count], region, clock);
                    foreach (long id in acked[region])
                        Assert.NotEqual(WireOrderStatus.Unknown, (await check.GetOrderAsync(id)).Status);
                    var counts = await check.GetCountsAsync();
                    Assert.Equal((acked[region].Count, CouriersPerRegion), (counts.Known, counts.Couriers));
                    for (int k = 0; k < CouriersPerRegion; k++) Assert.True((await check.GetCourierAsync(1000 * (ri + 1) + k)).Known);
                }

                silos.Remove(victim);
                await victim.DisposeAsync();
                silos.Add(await ChildSilo.StartAsync(prefix, prefix, regions, FastDetection));
            }
            recoveries.Sort();
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            output.WriteLine($"{Regions} regions, {Cycles} kill -9 cycles; seconds from the kill until every region answered again: " +
                $"min {recoveries[0].ToString("F2", inv)}, median {recoveries[recoveries.Count / 2].ToString("F2", inv)}, max {recoveries[^1].ToString("F2", inv)} " +
                $"[{string.Join(", ", recoveries.Select(r => r.ToString("F2", inv)))}]");
            Assert.All(recoveries, r => Assert.True(r < 30, $"the regions answered {r:F1} s after a silo was killed"));
        }
        finally
        {
            foreach (var s in silos) await s.DisposeAsync();
        }
    }

    private static int Setting(string name, int fallback, int min, int max) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? Math.Clamp(v, min, max) : fallback;

    /// <summary>Connects to <paramref name="silo"/>'s edge for <paramref name="region"/> and asks for its counts, retrying while
    /// the region is being taken over (a call to it may fail or time out until the dead silo is declared dead).</summary>
    private static async Task<DispatchClient> ConnectWithRetry(ChildSilo silo, string region, Stopwatch since)
    {
        while (true)
        {
            DispatchClient? c = null;
            try
            {
                c = await DispatchClient.ConnectAsync("127.0.0.1", silo.EdgePort, new DispatchClientOptions { Region = region });
                await c.GetCountsAsync().WaitAsync(TimeSpan.FromSeconds(20));
                return c;
            }
            catch (Exception) when (since.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (c is not null) await c.DisposeAsync();
                await Task.Delay(200);
            }
        }
    }
}
