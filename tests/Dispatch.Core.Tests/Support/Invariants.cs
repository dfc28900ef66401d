namespace Dispatch.Core.Tests.Support;

/// <summary>Checks a finished <see cref="Simulation"/> against the rules every profile must keep.
/// Returns human-readable violations (empty when all hold).</summary>
internal static class Invariants
{
    private const double Eps = 1e-9;

    public static List<string> Check(Simulation sim, DispatchProfile profile)
    {
        var v = new List<string>(sim.Anomalies);
        var s = sim.Scenario;
        var travel = new EuclideanCeilMinutes(s.MetersPerMinute);
        double halfP = s.PickupService / 2, halfD = s.DropoffService / 2;
        var orders = s.Orders.ToDictionary(o => o.Id);
        var couriers = s.Couriers.ToDictionary(c => c.Id);
        var courierOf = new Dictionary<long, long>();
        var lastLeave = couriers.Keys.ToDictionary(c => c, _ => double.NegativeInfinity);
        // Where each courier ends its committed plan (MDRP-style profiles: every assignment appends).
        var endPoint = couriers.Values.ToDictionary(c => c.Id, c => (c.X, c.Y));

        foreach (var a in sim.Recorder.Assignments)
        {
            var info = a.Info;
            var st = a.Stops;
            string at = $"assignment #{a.Index} (courier {info.CourierId} at t={info.AssignedAt}, update={info.IsUpdate})";
            if (!couriers.TryGetValue(info.CourierId, out var courier)) { v.Add($"{at}: unknown courier"); continue; }
            if (st.Length == 0) { v.Add($"{at}: no stops"); continue; }
            if (profile != DispatchProfile.General && info.IsUpdate) v.Add($"{at}: an update outside the general profile");

            // Orders never move between couriers (general profile: not once picked up; its improvement
            // moves may give an order not yet picked up to another courier); outside route updates an
            // order is assigned once.
            var distinct = st.Select(x => x.OrderId).Distinct().ToArray();
            foreach (long o in distinct)
            {
                if (!orders.TryGetValue(o, out var spec)) { v.Add($"{at}: unknown order {o}"); continue; }
                if (courierOf.TryGetValue(o, out long prev))
                {
                    bool pickedUp = sim.Confirmations.Any(c => c.Kind == StopKind.Pickup && c.Order == o && c.At <= info.AssignedAt);
                    bool relocated = profile == DispatchProfile.General && info.IsUpdate && !pickedUp
                        && sim.Recorder.Changes.Any(c => c.Kind == PlanChangeKind.Reassigned && c.OrderId == o && c.CourierId == info.CourierId && c.At == info.AssignedAt);
                    if (prev != info.CourierId && !relocated) v.Add($"{at}: order {o} moved from courier {prev} to {info.CourierId}");
                    else if (!info.IsUpdate) v.Add($"{at}: order {o} assigned a second time");
                }
                courierOf[o] = info.CourierId;
                if (info.AssignedAt < spec.PlacedAt) v.Add($"{at}: order {o} assigned before its placement at {spec.PlacedAt}");
            }
            if (!info.IsUpdate && info.OrderCount != distinct.Length) v.Add($"{at}: OrderCount {info.OrderCount} but {distinct.Length} orders in its stops");

            for (int i = 0; i < st.Length; i++)
            {
                var p = st[i];
                string stop = $"{at} stop {i} ({p.Kind} of order {p.OrderId})";
                if (!orders.TryGetValue(p.OrderId, out var spec)) continue;
                if (p.Kind == StopKind.Pickup)
                {
                    if (p.SiteId != spec.SiteId) v.Add($"{stop}: site {p.SiteId}, order's site is {spec.SiteId}");
                    if (p.ServiceAt < spec.ReadyAt - Eps) v.Add($"{stop}: pickup at {p.ServiceAt} before ready {spec.ReadyAt}");
                    if (p.ServiceAt > courier.End + Eps) v.Add($"{stop}: pickup at {p.ServiceAt} after shift end {courier.End}");
                    if (p.ServiceAt < p.Arrival + halfP - Eps) v.Add($"{stop}: pickup at {p.ServiceAt} before arrival {p.Arrival} + half service");
                    if (Math.Abs(p.Leave - (p.ServiceAt + halfP)) > Eps) v.Add($"{stop}: leave {p.Leave} != pickup {p.ServiceAt} + {halfP}");
                    // The drop-off of this order comes later in the same plan.
                    int d = Array.FindIndex(st, x => x.Kind == StopKind.Dropoff && x.OrderId == p.OrderId);
                    if (d < i) v.Add($"{stop}: its drop-off is not after it (index {d})");
                    else if (st[d].ServiceAt <= p.ServiceAt) v.Add($"{stop}: drop-off at {st[d].ServiceAt} not after pickup at {p.ServiceAt}");
                }
                else
                {
                    if (p.SiteId != -1) v.Add($"{stop}: drop-off with site {p.SiteId}");
                    if (p.X != spec.X || p.Y != spec.Y) v.Add($"{stop}: drop-off at ({p.X}, {p.Y}), customer at ({spec.X}, {spec.Y})");
                    // General profile: a courier arriving before the earliest drop-off waits for it.
                    double dropAt = profile == DispatchProfile.General ? Math.Max(p.Arrival + halfD, spec.DeliverAfter) : p.Arrival + halfD;
                    if (Math.Abs(p.ServiceAt - dropAt) > Eps) v.Add($"{stop}: drop-off at {p.ServiceAt} != max(arrival {p.Arrival} + {halfD}, earliest drop-off {spec.DeliverAfter})");
                    if (Math.Abs(p.Leave - (p.ServiceAt + halfD)) > Eps) v.Add($"{stop}: leave {p.Leave} != drop-off {p.ServiceAt} + {halfD}");
                    // Its pickup is earlier in this plan, or already done.
                    bool pickedInPlan = st.Take(i).Any(x => x.Kind == StopKind.Pickup && x.OrderId == p.OrderId);
                    bool pickedBefore = sim.Confirmations.Any(c => c.Kind == StopKind.Pickup && c.Order == p.OrderId && c.At <= info.AssignedAt);
                    if (!pickedInPlan && !pickedBefore) v.Add($"{stop}: drop-off without an earlier pickup");
                }
                if (i > 0)
                {
                    var q = st[i - 1];
                    // Consecutive pickups at one place are either one bundle (identical times) or
                    // two services one after the other (handled like any other pair of stops).
                    bool sameBundle = p.Kind == StopKind.Pickup && q.Kind == StopKind.Pickup && p.X == q.X && p.Y == q.Y
                        && p.Departure == q.Departure && p.Arrival == q.Arrival && p.ServiceAt == q.ServiceAt && p.Leave == q.Leave;
                    if (!sameBundle)
                    {
                        if (Math.Abs(p.Departure - q.Leave) > Eps) v.Add($"{stop}: departs at {p.Departure}, previous stop left at {q.Leave}");
                        double expect = p.Departure + travel.Minutes(q.X, q.Y, p.X, p.Y);
                        if (Math.Abs(p.Arrival - expect) > Eps) v.Add($"{stop}: arrival {p.Arrival} != departure {p.Departure} + travel from previous stop = {expect}");
                    }
                }
                else if (!info.IsUpdate)
                {
                    var (x0, y0) = endPoint[info.CourierId];
                    double expect = p.Departure + travel.Minutes(x0, y0, p.X, p.Y);
                    if (Math.Abs(p.Arrival - expect) > Eps) v.Add($"{stop}: arrival {p.Arrival} != departure {p.Departure} + travel from the courier's point ({x0}, {y0}) = {expect}");
                    if (p.Departure < info.AssignedAt - Eps) v.Add($"{stop}: departs at {p.Departure}, before the assignment at {info.AssignedAt}");
                    if (p.Departure < courier.Start - Eps) v.Add($"{stop}: departs at {p.Departure}, before the shift start {courier.Start}");
                }
            }

            if (profile != DispatchProfile.General)
            {
                // MDRP rules: one site per assignment, all pickups first, one assignment after the other.
                int sites = st.Where(x => x.Kind == StopKind.Pickup).Select(x => x.SiteId).Distinct().Count();
                if (sites != 1) v.Add($"{at}: pickups at {sites} sites");
                int firstDrop = Array.FindIndex(st, x => x.Kind == StopKind.Dropoff);
                int lastPick = Array.FindLastIndex(st, x => x.Kind == StopKind.Pickup);
                if (lastPick > firstDrop) v.Add($"{at}: a pickup after a drop-off");
                if (st[0].Departure < lastLeave[info.CourierId] - Eps) v.Add($"{at}: departs at {st[0].Departure} before the previous assignment ends at {lastLeave[info.CourierId]}");
                lastLeave[info.CourierId] = st[^1].Leave;
                endPoint[info.CourierId] = (st[^1].X, st[^1].Y);
                if (profile == DispatchProfile.Greedy && distinct.Length != 1) v.Add($"{at}: greedy assignment with {distinct.Length} orders");
            }
        }

        // What actually happened: pickups after ready, drop-offs after pickups, by the planned courier.
        foreach (var (o, t) in sim.PickedAt)
        {
            if (t < orders[o].ReadyAt - Eps) v.Add($"order {o} picked up at {t} before ready {orders[o].ReadyAt}");
            if (sim.DroppedAt.TryGetValue(o, out double d) && d <= t) v.Add($"order {o} dropped at {d}, not after pickup at {t}");
        }
        foreach (var o in sim.DroppedAt.Keys)
            if (!sim.PickedAt.ContainsKey(o)) v.Add($"order {o} dropped without a pickup");
        if (!sim.Finished) v.Add($"the run did not settle by t={sim.EndTime} (counts {sim.Engine.Counts})");
        var counts = sim.Engine.Counts;
        if (counts.Known != s.Orders.Length || counts.Open + counts.Assigned + counts.PickedUp + counts.Delivered + counts.Cancelled != counts.Known)
            v.Add($"counts do not add up: {counts}");
        if (counts.Delivered != sim.DroppedAt.Count) v.Add($"engine counts {counts.Delivered} delivered, the couriers delivered {sim.DroppedAt.Count}");
        return v;
    }
}

internal static class CapacityCheck
{
    /// <summary>Replays the confirmations in order and reports any moment a courier carries more than its capacity.</summary>
    public static List<string> Check(Simulation sim)
    {
        var v = new List<string>();
        var cap = sim.Scenario.Couriers.ToDictionary(c => c.Id, c => c.Capacity);
        var load = cap.Keys.ToDictionary(c => c, _ => 0);
        foreach (var (at, kind, order, courier) in sim.Confirmations)
        {
            load[courier] += kind == StopKind.Pickup ? 1 : -1;
            if (load[courier] > cap[courier]) v.Add($"t={at}: courier {courier} carries {load[courier]} orders, capacity {cap[courier]} (after picking up order {order})");
        }
        return v;
    }
}
