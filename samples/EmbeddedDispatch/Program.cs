// The smallest useful embedding of Dispatch.Core: sites, couriers, orders, a tick loop, a sink.
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Travel;

var engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(metersPerMinute: 320));
engine.AddSite(siteId: 1, x: 1000, y: 1000);
engine.AddSite(siteId: 2, x: 4000, y: 2500);
engine.CourierOnShift(new CourierShift(CourierId: 10, X: 900, Y: 1200, ShiftStart: 0, ShiftEnd: 240), now: 0);
engine.CourierOnShift(new CourierShift(CourierId: 11, X: 3800, Y: 2000, ShiftStart: 0, ShiftEnd: 240), now: 0);

var orders = new[]
{
    new OrderRequest(OrderId: 100, SiteId: 1, DropX: 2500, DropY: 1800, PlacedAt: 0, ReadyAt: 12),
    new OrderRequest(OrderId: 101, SiteId: 1, DropX: 2600, DropY: 2100, PlacedAt: 2, ReadyAt: 13),
    new OrderRequest(OrderId: 102, SiteId: 2, DropX: 5200, DropY: 4000, PlacedAt: 3, ReadyAt: 20),
};
foreach (var o in orders) engine.PlaceOrder(o, now: o.PlacedAt);

var sink = new ConsoleSink();
for (double now = 0; now <= 30; now += 1) engine.Tick(now, ref sink);
Console.WriteLine($"open {engine.Counts.Open}, assigned {engine.Counts.Assigned}");
return engine.Counts.Assigned == orders.Length ? 0 : 1;

/// <summary>Prints each committed assignment. A struct: the engine calls it without boxing.</summary>
internal struct ConsoleSink : IAssignmentSink
{
    public void OnAssignment(in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops)
    {
        Console.WriteLine($"t={a.AssignedAt}: courier {a.CourierId} takes {a.OrderCount} order(s)");
        foreach (var s in stops)
            Console.WriteLine($"   {s.Kind,-8} order {s.OrderId} at ({s.X}, {s.Y}) arrive {s.Arrival} service {s.ServiceAt}");
    }

    public void OnPlanChange(in PlanChange change) => Console.WriteLine($"change: {change}");
}
