namespace Dispatch.Cluster.Simulation;

/// <summary>A restaurant (a dispatch site).</summary>
public readonly record struct DaySite(long Id, double X, double Y);

/// <summary>An order as the day places it: its site, drop-off, placement and ready minute.</summary>
public readonly record struct DayOrder(long Id, long Site, double DropX, double DropY, double PlacedAt, double ReadyAt);

/// <summary>A courier shift: where it starts, when it runs, what it carries.</summary>
public readonly record struct DayCourier(long Id, double X, double Y, double ShiftStart, double ShiftEnd, int Capacity);

/// <summary>
/// One operating day over an area split into regions (or held by one region): sites, orders and courier shifts, in the
/// engine's coordinates. <see cref="RegionDayReplay"/> plays it through a cluster's region grains. Each site, order and
/// courier goes to the region its position lies in (an order to its site's); a drop-off may lie in another region, and
/// a courier that ends its round there is handed over by position.
/// </summary>
public sealed record RegionDay(IReadOnlyList<DaySite> Sites, IReadOnlyList<DayOrder> Orders, IReadOnlyList<DayCourier> Couriers)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field (ids unique, times ordered, a known site).</summary>
    public void Validate()
    {
        var sites = new HashSet<long>();
        for (int i = 0; i < Sites.Count; i++)
            if (!sites.Add(Sites[i].Id)) throw new ArgumentException($"Sites[{i}].Id: site {Sites[i].Id} appears twice");
        var orders = new HashSet<long>();
        for (int i = 0; i < Orders.Count; i++)
        {
            var o = Orders[i];
            if (!orders.Add(o.Id)) throw new ArgumentException($"Orders[{i}].Id: order {o.Id} appears twice");
            if (!sites.Contains(o.Site)) throw new ArgumentException($"Orders[{i}].Site: order {o.Id} names site {o.Site}, which is not one of Sites");
            if (!(o.ReadyAt >= o.PlacedAt)) throw new ArgumentException($"Orders[{i}].ReadyAt: order {o.Id} is ready ({o.ReadyAt}) before it is placed ({o.PlacedAt})");
        }
        var couriers = new HashSet<long>();
        for (int i = 0; i < Couriers.Count; i++)
        {
            var c = Couriers[i];
            if (!couriers.Add(c.Id)) throw new ArgumentException($"Couriers[{i}].Id: courier {c.Id} appears twice");
            if (!(c.ShiftEnd >= c.ShiftStart)) throw new ArgumentException($"Couriers[{i}].ShiftEnd: courier {c.Id}'s shift ends ({c.ShiftEnd}) before it starts ({c.ShiftStart})");
            if (c.Capacity < 1) throw new ArgumentException($"Couriers[{i}].Capacity: courier {c.Id} has capacity {c.Capacity}; at least 1");
        }
    }
}
