using System.Globalization;
using System.Text;

namespace Dispatch.Core.Tests.Support;

public sealed record SiteSpec(long Id, double X, double Y);

public sealed record CourierSpec(long Id, double X, double Y, double Start, double End, int Capacity);

/// <summary>An order; the time windows (general profile) default to none.</summary>
public sealed record OrderSpec(long Id, long SiteId, double X, double Y, double PlacedAt, double ReadyAt,
    double PickupBy = double.PositiveInfinity, double DeliverAfter = 0, double DeliverBy = double.PositiveInfinity)
{
    public bool HasWindows => PickupBy < double.PositiveInfinity || DeliverAfter > 0 || DeliverBy < double.PositiveInfinity;
}

/// <summary>A small random instance: sites, couriers with shifts, orders with placement and ready times,
/// plus the service times and speed it runs under. Coordinates are metres in a 10 km square.</summary>
public sealed record Scenario(
    SiteSpec[] Sites, CourierSpec[] Couriers, OrderSpec[] Orders,
    double PickupService, double DropoffService, double MetersPerMinute)
{
    public override string ToString()
    {
        var b = new StringBuilder();
        var ic = CultureInfo.InvariantCulture;
        b.Append(ic, $"Scenario(pickup {PickupService}, dropoff {DropoffService}, {MetersPerMinute} m/min)\n");
        foreach (var s in Sites) b.Append(ic, $"  site {s.Id} ({s.X}, {s.Y})\n");
        foreach (var c in Couriers) b.Append(ic, $"  courier {c.Id} ({c.X}, {c.Y}) shift {c.Start}-{c.End} cap {c.Capacity}\n");
        foreach (var o in Orders)
        {
            b.Append(ic, $"  order {o.Id} site {o.SiteId} drop ({o.X}, {o.Y}) placed {o.PlacedAt} ready {o.ReadyAt}");
            if (o.HasWindows) b.Append(ic, $" pickup by {o.PickupBy} deliver {o.DeliverAfter}..{o.DeliverBy}");
            b.Append('\n');
        }
        return b.ToString();
    }
}

/// <summary>A scenario with many long-shift couriers: every order can be delivered.</summary>
public sealed record PlentifulScenario(Scenario Scenario)
{
    public override string ToString() => Scenario.ToString();
}

/// <summary>A scenario whose orders have time windows (some tight enough that no courier can keep them).</summary>
public sealed record WindowedScenario(Scenario Scenario)
{
    public override string ToString() => Scenario.ToString();
}

/// <summary>FsCheck generators (with shrinking: drop an order, drop a courier) for <see cref="Scenario"/>.</summary>
public static class ScenarioArbitrary
{
    private static readonly Gen<(int X, int Y)> Point =
        from x in Gen.Choose(0, 10_000)
        from y in Gen.Choose(0, 10_000)
        select (x, y);

    private static Gen<CourierSpec> CourierGen(long id, bool plentiful) =>
        from p in Point
        from start in plentiful ? Gen.Constant(0) : Gen.Choose(0, 60)
        from length in plentiful ? Gen.Constant(600) : Gen.Choose(20, 240)
        from cap in Gen.Elements(1, 2, 3, 8)
        select new CourierSpec(id, p.X, p.Y, start, start + length, cap);

    private static Gen<OrderSpec> OrderGen(long id, int sites) =>
        from site in Gen.Choose(1, sites)
        from p in Point
        from placed in Gen.Choose(0, 90)
        from prep in Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 35)))
        select new OrderSpec(id, site, p.X, p.Y, placed, placed + prep);

    internal static Gen<Scenario> ScenarioGen(bool plentiful) =>
        from nSites in Gen.Choose(1, 4)
        from sites in Gen.CollectToArray(Enumerable.Range(1, nSites), i => Point.Select(p => new SiteSpec(i, p.X, p.Y)))
        from nCouriers in plentiful ? Gen.Choose(4, 6) : Gen.Choose(1, 6)
        from couriers in Gen.CollectToArray(Enumerable.Range(1, nCouriers), i => CourierGen(100 + i, plentiful))
        from nOrders in plentiful ? Gen.Choose(1, 12) : Gen.Choose(1, 25)
        from orders in Gen.CollectToArray(Enumerable.Range(1, nOrders), i => OrderGen(1000 + i, nSites))
        // Odd service minutes on purpose: half services are then fractional times.
        from pickup in Gen.Elements(0, 3, 4, 5)
        from dropoff in Gen.Elements(0, 3, 4, 5)
        from speed in Gen.Elements(200, 320, 450)
        select new Scenario(sites, couriers, orders, pickup, dropoff, speed);

    /// <summary>Windows on top of an order: a latest drop-off 15..90 minutes after ready (often), a latest
    /// pickup 0..40 after ready (sometimes), an earliest drop-off up to an hour after placement (sometimes).</summary>
    private static Gen<OrderSpec> WithWindows(OrderSpec o) =>
        from latest in Gen.Frequency((1, Gen.Constant(-1)), (4, Gen.Choose(15, 90)))
        from pickupBy in Gen.Frequency((3, Gen.Constant(-1)), (1, Gen.Choose(0, 40)))
        from after in Gen.Frequency((3, Gen.Constant(-1)), (1, Gen.Choose(0, 60)))
        let deliverAfter = after < 0 ? 0 : o.PlacedAt + after
        let deliverBy = latest < 0 ? double.PositiveInfinity : Math.Max(o.ReadyAt + latest, deliverAfter)
        select o with { PickupBy = pickupBy < 0 ? double.PositiveInfinity : o.ReadyAt + pickupBy, DeliverAfter = deliverAfter, DeliverBy = deliverBy };

    internal static Gen<Scenario> WindowedGen() =>
        from s in ScenarioGen(plentiful: false)
        from orders in Gen.CollectToArray(s.Orders, WithWindows)
        select s with { Orders = orders };

    public static Arbitrary<WindowedScenario> Windowed() =>
        Arb.From(WindowedGen().Select(s => new WindowedScenario(s)), w => Shrink(w.Scenario).Select(s => new WindowedScenario(s)));

    internal static IEnumerable<Scenario> Shrink(Scenario s)
    {
        for (int i = 0; i < s.Orders.Length && s.Orders.Length > 1; i++)
            yield return s with { Orders = s.Orders.Where((_, j) => j != i).ToArray() };
        for (int i = 0; i < s.Couriers.Length && s.Couriers.Length > 1; i++)
            yield return s with { Couriers = s.Couriers.Where((_, j) => j != i).ToArray() };
    }

    public static Arbitrary<Scenario> Scenarios() => Arb.From(ScenarioGen(plentiful: false), Shrink);

    public static Arbitrary<PlentifulScenario> Plentiful() =>
        Arb.From(ScenarioGen(plentiful: true).Select(s => new PlentifulScenario(s)),
            p => Shrink(p.Scenario).Where(s => s.Couriers.Length >= 4).Select(s => new PlentifulScenario(s)));
}
