using System.Diagnostics;
using Dispatch.Client;
using Dispatch.Cluster.Grains;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// Three real silo processes on loopback over the test Redis. Orders stream to two regions through the TCP edges of
/// different silos; the silo hosting a region is killed with SIGKILL; the region must come back on another silo with every
/// acknowledged order and courier, and the clients carry on through a surviving silo. Repeated, with a replacement silo
/// started after each kill. The time from the kill to the region answering again is printed.
/// </summary>
public sealed class SiloKillTests(ITestOutputHelper output)
{
    private const int Cycles = 3;
    private const int OrdersPerCycle = 15;

    // Orleans' failure detection, tightened from its defaults (5 s probes, 3 missed) so a dead silo is declared dead in a
    // few seconds: the setting a deployment chooses (docs/cluster.md).
    private static readonly string[] FastDetection =
    [
        "--Orleans:Membership:ProbeTimeout=00:00:01", "--Orleans:Membership:NumMissedProbesLimit=2",
        "--Orleans:Membership:TableRefreshTimeout=00:00:02", "--Orleans:Membership:IAmAliveTablePublishTimeout=00:00:05",
        "--Cluster:SnapshotEveryRecords=40",
    ];

    [SkippableFact]
    public async Task A_region_whose_silo_is_killed_comes_back_on_another_with_every_acknowledged_order_and_courier()
    {
        TestRedis.Require();
        string prefix = TestRedis.UniquePrefix();
        var silos = new List<ChildSilo>();
        IHost? client = null;
        try
        {
            for (int i = 0; i < 3; i++) silos.Add(await ChildSilo.StartAsync(prefix, prefix, FastDetection));
            client = await StartClientAsync(prefix);
            var grains = client.Services.GetRequiredService<IClusterClient>();

            var acked = new Dictionary<string, List<long>> { ["north"] = [], ["south"] = [] };
            var origin = new Dictionary<string, (double X, double Y)> { ["north"] = (0, 0), ["south"] = (0, -10000) };
            long nextOrder = 1;
            var recoveries = new List<double>();
            for (int cycle = 0; cycle < Cycles; cycle++)
            {
                // Stream to each region through a different living silo's edge.
                int via = 0;
                foreach (var region in acked.Keys)
                {
                    var edge = silos.Where(s => s.Alive).ElementAt(via++ % silos.Count(s => s.Alive));
                    await using var c = await DispatchClient.ConnectAsync("127.0.0.1", edge.EdgePort, new DispatchClientOptions { Region = region });
                    var (x, y) = origin[region];
                    if (cycle == 0)
                    {
                        await c.AddSiteAsync(region == "north" ? 1 : 2, x + 2000, y + 2000);
                        for (int k = 0; k < 4; k++) await c.CourierOnShiftAsync((region == "north" ? 100 : 200) + k, x + 1000 + 500 * k, y + 1500, 0, 900, 3);
                    }
                    double t = cycle * 10;
                    for (int k = 0; k < OrdersPerCycle; k++)
                    {
                        long id = nextOrder++;
                        await c.PlaceOrderAsync(id, region == "north" ? 1 : 2, x + 500 + 300 * k, y + 3000 + 100 * k, t, t + 5);
                        acked[region].Add(id);
                    }
                    await c.TickAsync(t + 1);
                }

                var status = await StatusOf(grains, "north");
                var victim = silos.Single(s => s.Alive && status.Silo.Contains($":{s.SiloPort}:", StringComparison.Ordinal));
                victim.Kill();
                var clock = Stopwatch.StartNew();

                // A client of the dead silo carries on through a living one: the first answer from the region is the recovery.
                var survivor = silos.First(s => s.Alive);
                await using var again = await ConnectWithRetry(survivor, "north", clock);
                await again.GetCountsAsync();
                recoveries.Add(clock.Elapsed.TotalSeconds);

                foreach (var (region, ids) in acked)
                {
                    var edge = silos.Last(s => s.Alive);
                    await using var check = await ConnectWithRetry(edge, region, clock);
                    foreach (long id in ids)
                        Assert.NotEqual(WireOrderStatus.Unknown, (await check.GetOrderAsync(id)).Status);
                    var counts = await check.GetCountsAsync();
                    Assert.Equal((ids.Count, 4), (counts.Known, counts.Couriers));
                }
                var after = await StatusOf(grains, "north");
                Assert.DoesNotContain($":{victim.SiloPort}:", after.Silo);

                silos.Remove(victim);
                await victim.DisposeAsync();
                silos.Add(await ChildSilo.StartAsync(prefix, prefix, FastDetection));
            }
            output.WriteLine($"recovery after kill -9 (s): {string.Join(", ", recoveries.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");
            Assert.All(recoveries, r => Assert.True(r < 30, $"region north answered {r:F1} s after its silo was killed"));
        }
        finally
        {
            if (client is not null)
            {
                try { await client.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception ex) when (ex is not OutOfMemoryException) { /* the cluster may be gone */ }
                client.Dispose();
            }
            foreach (var s in silos) await s.DisposeAsync();
        }
    }

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

    /// <summary>A region's status through the test's Orleans client, retried while the client learns that a gateway is gone.</summary>
    private static async Task<RegionStatus> StatusOf(IClusterClient grains, string region)
    {
        var since = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await grains.GetGrain<IRegionGrain>(region).Status().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception) when (since.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<IHost> StartClientAsync(string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(c =>
        {
            c.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = "dispatch"; });
            c.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(TestRedis.Address));
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
