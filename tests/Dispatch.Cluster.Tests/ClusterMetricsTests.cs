using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dispatch.Client;
using Dispatch.Cluster.Metrics;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// Per-region metrics on the "Dispatch.Cluster" meter, read as any consumer would, with a MeterListener: orders placed,
/// commands journaled, ticks and their duration, open orders and couriers, each tagged with its region; and a silo's
/// GetMetrics / GetServerStats over TCP answering with the connection's region's figures.
/// </summary>
public sealed class ClusterMetricsTests
{
    [Fact]
    public async Task Each_region_reports_its_orders_ticks_tick_latency_and_open_orders_tagged_with_its_id()
    {
        await using var kit = await ClusterKit.StartAsync(new InMemoryRegionStore(), silos: 1);
        var meter = kit.Cluster.Silos[0].SiloHost.Services.GetRequiredService<ClusterMetrics>().Meter;
        var sums = new ConcurrentDictionary<(string, string), double>();
        var counts = new ConcurrentDictionary<(string, string), int>();
        var last = new ConcurrentDictionary<(string, string), int>();
        using var listener = new MeterListener();
        // Only this test's silo: other tests' in-process silos publish on meters of the same name.
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter == meter) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => sums.AddOrUpdate((i.Name, Region(tags)), v, (_, s) => s + v));
        listener.SetMeasurementEventCallback<double>((i, _, tags, _) => counts.AddOrUpdate((i.Name, Region(tags)), 1, (_, n) => n + 1));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => last[(i.Name, Region(tags))] = v);
        listener.Start();

        var north = Scenario.Hour(0, 0, idBase: 0, orders: 30);
        var south = Scenario.Hour(0, -10000, idBase: 50_000, orders: 12, couriers: 4);
        foreach (var c in north) await kit.Region("north").Execute(Frames.Payload(c));
        foreach (var c in south) await kit.Region("south").Execute(Frames.Payload(c));
        listener.RecordObservableInstruments();

        Assert.Equal(30, sums[("dispatch.region.orders", "north")]);
        Assert.Equal(12, sums[("dispatch.region.orders", "south")]);
        Assert.Equal(north.Count(c => c.IsEngineEvent), sums[("dispatch.region.commands", "north")]);
        Assert.Equal(60, sums[("dispatch.region.ticks", "north")]);
        Assert.Equal(60, counts[("dispatch.region.tick.duration", "north")]);
        Assert.Equal(60, counts[("dispatch.region.tick.duration", "south")]);
        Assert.True(counts[("dispatch.region.journal.write.duration", "north")] > 0);
        var k = Assert.IsType<CountsMessage>(Assert.Single(await kit.Send("north", Command.GetCounts(1))));
        Assert.Equal(k.Open, last[("dispatch.region.orders.open", "north")]);
        Assert.Equal(6, last[("dispatch.region.couriers", "north")]);
        Assert.Equal(4, last[("dispatch.region.couriers", "south")]);
    }

    [SkippableFact]
    public async Task A_silo_answers_GetMetrics_and_GetServerStats_with_its_connection_s_region_figures()
    {
        await using var silos = RedisSilos.Fresh();
        var edge = RedisSilos.Edge(await silos.StartSiloAsync());
        await using var c = await DispatchClient.ConnectAsync("127.0.0.1", edge.Port, new DispatchClientOptions { Region = "north" });
        await c.AddSiteAsync(1, 1000, 1000);
        await c.CourierOnShiftAsync(7, 1200, 1000, 0, 600);
        for (int i = 0; i < 3; i++) await c.PlaceOrderAsync(70 + i, 1, 3000, 3000 + 100 * i, 0, 1);
        await c.TickAsync(5);
        await c.TickAsync(6);

        var m = (await c.GetMetricsAsync()).Snapshot;
        Assert.Equal((6.0, 2L, 7L), (m.Now, m.Ticks, m.JournalRecords));
        var k = await c.GetCountsAsync();
        Assert.Equal(k.Open, m.OpenOrders);
        Assert.True(m.Connections >= 1 && m.FramesIn >= 8 && m.UptimeSeconds > 0);
        var s = (await c.GetServerStatsAsync()).Stats;
        Assert.Equal((3, k.Open, 1), (s.KnownOrders, s.OpenOrders, s.Couriers));
        Assert.True(s.RssBytes > 0 && s.ManagedHeapBytes > 0);
    }

    private static string Region(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var t in tags) if (t.Key == "region") return (string)t.Value!;
        return "";
    }
}
