using System.Diagnostics;
using Dispatch.Simulator.World;

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
        var run = new ForwardRun(snap, engine);
        // No placements and no shift end to wait for: the run stops once nothing is open or in flight, or after 12 hours.
        var driver = new WorldDriver<EuclideanCeilMinutes>(engine, 1, new WorldStopRule(double.NegativeInfinity, double.PositiveInfinity, snap.Now + 720), snap.Now);
        driver.Run(run);
        firstTickMs = run.FirstTickMs;
        totalTickMs = run.TotalTickMs;
        ticks = run.Ticks;
        routes = run.Routes;
        var score = new PlanScore { Solver = "ours", WallSeconds = totalTickMs / 1000, WallNote = "all ticks" };
        score.Score(snap, run.DropAt);
        score.TravelMinutes = run.Schedule.TravelMinutes;
        return score;
    }

    /// <summary>The snapshot's world: no new orders, couriers that follow the plan, each courier's stops logged.</summary>
    private sealed class ForwardRun : IWorld<EuclideanCeilMinutes>
    {
        private readonly DispatchEngine<EuclideanCeilMinutes> _engine;
        private readonly Dictionary<long, int> _orderIndex, _courierIndex;

        public ForwardRun(Snapshot snap, DispatchEngine<EuclideanCeilMinutes> engine)
        {
            _engine = engine;
            Schedule = new Schedule(4 * snap.Orders.Length + 16);
            _orderIndex = new Dictionary<long, int>(snap.Orders.Length);
            for (int i = 0; i < snap.Orders.Length; i++) _orderIndex[snap.Orders[i].Id] = i;
            _courierIndex = new Dictionary<long, int>(snap.Couriers.Length);
            for (int v = 0; v < snap.Couriers.Length; v++) _courierIndex[snap.Couriers[v].Id] = v;
            DropAt = new double[snap.Orders.Length];
            Array.Fill(DropAt, double.NaN);
            Routes = new List<int>[snap.Couriers.Length];
            for (int v = 0; v < Routes.Length; v++) Routes[v] = new List<int>();
        }

        public Schedule Schedule { get; }
        public double[] DropAt { get; }
        public List<int>[] Routes { get; }
        public double FirstTickMs { get; private set; } = double.NaN;
        public double TotalTickMs { get; private set; }
        public int Ticks { get; private set; }

        public void Handle(WorldDriver<EuclideanCeilMinutes> driver, in WorldEvent e)
        {
            if (!Schedule.Followers.IsLatest(e)) return;
            if (e.Kind == WorldEventKind.PlannedPickup) _engine.ConfirmPickup(e.Id, driver.Now);
            else
            {
                _engine.ConfirmDropoff(e.Id, driver.Now);
                DropAt[_orderIndex[e.Id]] = driver.Now;
            }
        }

        public void Tick(WorldDriver<EuclideanCeilMinutes> driver)
        {
            // A minute with nothing open and nothing in flight has nothing to decide: the run ends there
            // without ticking, so the tick count and time are those of the ticks that decided.
            var counts = _engine.Counts;
            if (counts.Open == 0 && counts.Assigned + counts.PickedUp == 0) return;
            var sink = new RouteSink(new ScheduleSink(Schedule), Routes, _courierIndex, _orderIndex);
            long t0 = Stopwatch.GetTimestamp();
            _engine.Tick(driver.Now, ref sink);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (Ticks == 0) FirstTickMs = ms;
            TotalTickMs += ms;
            Ticks++;
            Schedule.Followers.ScheduleConfirmations(driver);
        }
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
