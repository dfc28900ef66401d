using System.Diagnostics;
using Dispatch.Bench.Snapshots;
using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.Bench.Peer;

/// <summary>
/// Our engine on a snapshot. The engine decides online (a rolling horizon that commits a courier
/// only when it must leave), so its "plan" for the snapshot is what it ends up doing: run it forward
/// in simulated time from the snapshot minute, a tick every minute, no new orders, pickups and
/// drop-offs confirmed at the planned times, until every snapshot order is delivered (or 12 hours
/// pass), then score the realised drop-off times. OR-Tools' routes are scored the same way.
/// </summary>
internal static class EngineRun
{
    /// <param name="routes">Filled with what each snapshot courier did, in execution order, as snapshot order
    /// indexes: +(i + 1) for a pickup, -(i + 1) for a drop-off (a warm start for OR-Tools).</param>
    public static PlanScore Forward(Snapshot snap, out double firstTickMs, out double totalTickMs, out int ticks, out List<int>[] routes)
    {
        var engine = snap.BuildEngine(SnapshotMode.AsIs);
        snap.WarmUp(engine);
        var schedule = new Schedule(4 * snap.Orders.Length + 16);
        var index = new Dictionary<long, int>(snap.Orders.Length);
        for (int i = 0; i < snap.Orders.Length; i++) index[snap.Orders[i].Id] = i;
        var dropAt = new double[snap.Orders.Length];
        Array.Fill(dropAt, double.NaN);
        var courierIndex = new Dictionary<long, int>(snap.Couriers.Length);
        for (int v = 0; v < snap.Couriers.Length; v++) courierIndex[snap.Couriers[v].Id] = v;
        routes = new List<int>[snap.Couriers.Length];
        for (int v = 0; v < routes.Length; v++) routes[v] = new List<int>();
        var queue = new PriorityQueue<(StopKind Kind, long Order), (double At, int Kind, long Seq)>();
        long seq = 0;
        firstTickMs = double.NaN;
        totalTickMs = 0;
        ticks = 0;
        for (double t = snap.Now; t <= snap.Now + 720; t += 1)
        {
            // Confirmations due by now, drop-offs before pickups at the same minute (as the trace replay).
            while (queue.TryPeek(out var ev, out var pri) && pri.At <= t)
            {
                queue.Dequeue();
                if (ev.Kind == StopKind.Pickup) engine.ConfirmPickup(ev.Order, pri.At);
                else { engine.ConfirmDropoff(ev.Order, pri.At); dropAt[index[ev.Order]] = pri.At; }
            }
            var counts = engine.Counts;
            if (counts.Open == 0 && counts.Assigned + counts.PickedUp == 0) break;
            var sink = new RouteSink(new ScheduleSink(schedule), routes, courierIndex, index);
            long t0 = Stopwatch.GetTimestamp();
            engine.Tick(t, ref sink);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (ticks == 0) firstTickMs = ms;
            totalTickMs += ms;
            ticks++;
            for (int i = 0; i < schedule.Count; i++)
                queue.Enqueue((schedule.Kind[i], schedule.Order[i]), (schedule.At[i], schedule.Kind[i] == StopKind.Dropoff ? 0 : 1, seq++));
            schedule.Count = 0;
        }
        var score = new PlanScore { Solver = "ours", WallSeconds = totalTickMs / 1000, WallNote = "all ticks" };
        score.Score(snap, dropAt);
        score.TravelMinutes = schedule.TravelMinutes;
        return score;
    }

    /// <summary>Passes decisions to a <see cref="ScheduleSink"/> and logs each courier's stops.</summary>
    private readonly struct RouteSink(ScheduleSink inner, List<int>[] routes, Dictionary<long, int> courierIndex, Dictionary<long, int> orderIndex) : IAssignmentSink
    {
        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
        {
            inner.OnAssignment(assignment, stops);
            var route = routes[courierIndex[assignment.CourierId]];
            foreach (var s in stops)
            {
                int i = orderIndex[s.OrderId] + 1;
                route.Add(s.Kind == StopKind.Pickup ? i : -i);
            }
        }

        public void OnPlanChange(in PlanChange change) => inner.OnPlanChange(change);
    }

    /// <summary>Median wall time of the tick at the snapshot minute (commits included) over fresh, warmed engines.</summary>
    public static double DecisionTickMs(Snapshot snap, int runs = 7)
    {
        // Warm the JIT first (tiered compilation promotes the tick after ~30 calls): repeat a
        // planning-only tick, which changes nothing, for a few hundred milliseconds.
        var warm = snap.BuildEngine(SnapshotMode.PlanningOnly);
        var warmSink = new NullSink();
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
        for (int i = 0; i < 50 || Stopwatch.GetTimestamp() < until; i++)
        {
            warm.Tick(snap.Now, ref warmSink);
            if (i >= 1000) break;
        }
        var times = new double[runs];
        for (int r = 0; r < runs; r++)
        {
            var engine = snap.BuildEngine(SnapshotMode.AsIs);
            snap.WarmUp(engine);
            var sink = new NullSink();
            long t0 = Stopwatch.GetTimestamp();
            engine.Tick(snap.Now, ref sink);
            times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[runs / 2];
    }
}
