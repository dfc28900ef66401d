using Dispatch.Model;

namespace Dispatch.Cluster.Metrics;

/// <summary>
/// One region activation's measurements: what <see cref="ClusterMetrics"/> publishes with its <c>region</c> tag, and the
/// totals a silo answers GetMetrics and GetServerStats with. Written by the region grain's turns only; read by the meter's
/// observers from any thread (plain fields: a figure a moment old is fine).
/// </summary>
public sealed class RegionMeter
{
    private readonly ClusterMetrics _metrics;

    internal RegionMeter(ClusterMetrics metrics, string region)
    {
        _metrics = metrics;
        Region = region;
        Tag = new KeyValuePair<string, object?>("region", region);
    }

    /// <summary>The region id.</summary>
    public string Region { get; }

    internal KeyValuePair<string, object?> Tag { get; }

    /// <summary>Orders not yet committed to a courier, after the last batch.</summary>
    public int OpenOrders { get; private set; }

    /// <summary>Orders known (every status), after the last batch.</summary>
    public int KnownOrders { get; private set; }

    /// <summary>Couriers known, after the last batch.</summary>
    public int Couriers { get; private set; }

    /// <summary>Ticks in this activation.</summary>
    public long Ticks { get; private set; }

    /// <summary>Duration of the last tick (ms).</summary>
    public double LastTickMs { get; private set; }

    /// <summary>Orders placed in this activation.</summary>
    public long OrdersPlaced { get; private set; }

    /// <summary>A tick ran for <paramref name="ms"/> (accepted or not: the time was spent in the turn).</summary>
    public void Ticked(double ms)
    {
        Ticks++;
        LastTickMs = ms;
        _metrics.Ticks.Add(1, Tag);
        _metrics.TickDuration.Record(ms, Tag);
    }

    /// <summary>A batch is durable: <paramref name="commands"/> journaled, <paramref name="orders"/> of them PlaceOrder, the store took <paramref name="writeMs"/>.</summary>
    public void Committed(int commands, int orders, double writeMs, in EngineCounts counts)
    {
        OrdersPlaced += orders;
        if (orders > 0) _metrics.Orders.Add(orders, Tag);
        _metrics.Commands.Add(commands, Tag);
        _metrics.JournalWrite.Record(writeMs, Tag);
        Observe(counts);
    }

    /// <summary>The engine's counts now (after a batch, at activation).</summary>
    public void Observe(in EngineCounts counts)
    {
        OpenOrders = counts.Open;
        KnownOrders = counts.Known;
        Couriers = counts.Couriers;
    }
}
