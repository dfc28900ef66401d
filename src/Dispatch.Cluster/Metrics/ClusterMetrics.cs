using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Dispatch.Cluster.Metrics;

/// <summary>
/// A silo's instruments per region, on the System.Diagnostics.Metrics meter "Dispatch.Cluster" (dotnet-counters,
/// OpenTelemetry or a MeterListener read them), every measurement tagged <c>region</c>: orders placed (its rate is orders/s),
/// commands journaled, ticks and their duration, the store write per batch, and the open orders of each region active on
/// this silo. A region's figures follow its activation: the silo that hosts it reports it. One per silo (a singleton).
/// </summary>
public sealed class ClusterMetrics : IDisposable
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "Dispatch.Cluster";

    private readonly Meter _meter = new(MeterName);
    private readonly ConcurrentDictionary<string, RegionMeter> _active = new(StringComparer.Ordinal);

    /// <summary>Creates the instruments.</summary>
    public ClusterMetrics()
    {
        Orders = _meter.CreateCounter<long>("dispatch.region.orders", "{order}", "Orders placed (PlaceOrder accepted and durable) per region; its rate is the region's orders/s");
        Commands = _meter.CreateCounter<long>("dispatch.region.commands", "{command}", "Events and Ticks accepted and journaled per region");
        Ticks = _meter.CreateCounter<long>("dispatch.region.ticks", "{tick}", "Ticks per region");
        TickDuration = _meter.CreateHistogram<double>("dispatch.region.tick.duration", "ms", "Engine tick duration per region (the decisions, in the grain's turn)");
        JournalWrite = _meter.CreateHistogram<double>("dispatch.region.journal.write.duration", "ms", "Time to make one batch durable in the store (one Lua script, one fsync with appendfsync always)");
        _meter.CreateObservableGauge("dispatch.region.orders.open", () => Sample(m => m.OpenOrders), "{order}", "Orders not yet committed to a courier, per region active on this silo");
        _meter.CreateObservableGauge("dispatch.region.couriers", () => Sample(m => m.Couriers), "{courier}", "Couriers known, per region active on this silo");
    }

    /// <summary>The meter (a listener tells this silo's instruments from another in-process silo's by it).</summary>
    public Meter Meter => _meter;

    internal Counter<long> Orders { get; }
    internal Counter<long> Commands { get; }
    internal Counter<long> Ticks { get; }
    internal Histogram<double> TickDuration { get; }
    internal Histogram<double> JournalWrite { get; }

    /// <summary>The instruments of <paramref name="region"/>, now active on this silo (its gauges report from now on).</summary>
    public RegionMeter Activate(string region)
    {
        var m = new RegionMeter(this, region);
        _active[region] = m;
        return m;
    }

    /// <summary><paramref name="meter"/>'s region left this silo: its gauges stop reporting here.</summary>
    public void Deactivate(RegionMeter meter) => _active.TryRemove(new KeyValuePair<string, RegionMeter>(meter.Region, meter));

    private IEnumerable<Measurement<int>> Sample(Func<RegionMeter, int> value)
    {
        foreach (var m in _active.Values) yield return new Measurement<int>(value(m), m.Tag);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
