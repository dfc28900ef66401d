using System.Diagnostics;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Simulator.Mdrp;
using Dispatch.Travel;

namespace Dispatch.Simulator.Replay;

/// <summary>
/// Discrete-event replay of an MDRP trace through the engine, in simulated minutes, exactly as a
/// live system would drive it: the engine learns of an order at its placement time, ticks on a fixed
/// interval, and hears pickups and drop-offs when the (simulated) courier performs them, at the times
/// its plan says (couriers follow instructions in the MDRP world). Courier shifts are known in
/// advance, as published shift schedules are. The replay records the three solution files.
/// </summary>
public static class MdrpReplay
{
    // Same-minute order: drop-offs and pickups first (a courier free at t can be sent at t),
    // then placements (an order placed at t is seen by the tick at t), then the tick.
    private const int KindDropoff = 0, KindPickup = 1, KindPlace = 2, KindTick = 3;

    /// <summary>Engine options for a trace: service times and targets come from the trace, the rest from <paramref name="baseOptions"/>.</summary>
    internal static DispatchOptions EngineOptionsFor(MdrpInstance instance, DispatchOptions? baseOptions, DispatchProfile profile, double tickMinutes, int extraOrders = 0)
    {
        var p = instance.Parameters;
        return (baseOptions ?? new DispatchOptions()) with
        {
            Profile = profile,
            PickupServiceMinutes = p.PickupServiceMinutes,
            DropoffServiceMinutes = p.DropoffServiceMinutes,
            TargetClickToDoorMinutes = p.TargetClickToDoor,
            MaxClickToDoorMinutes = p.MaxClickToDoor,
            TickIntervalMinutes = tickMinutes,
            InitialOrderCapacity = Math.Max(16, instance.Orders.Length + extraOrders),
            InitialCourierCapacity = Math.Max(16, instance.Couriers.Length),
            InitialSiteCapacity = Math.Max(16, instance.Restaurants.Length),
        };
    }

    public static ReplayResult Run(MdrpInstance instance, ReplayOptions? options = null)
    {
        options ??= new ReplayOptions();
        if (!(options.TickMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(options), options.TickMinutes, "tick interval must be positive");
        var wall = Stopwatch.StartNew();
        var p = instance.Parameters;
        var engineOptions = EngineOptionsFor(instance, options.Engine, options.Profile, options.TickMinutes);
        var engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(p.MetersPerMinute), engineOptions);
        var recorder = new Recorder(instance);
        var engineTime = new Stopwatch();

        double start = Math.Min(
            instance.Orders.Length == 0 ? 0 : instance.Orders.Min(o => o.PlacementTime),
            instance.Couriers.Length == 0 ? 0 : instance.Couriers.Min(c => c.OnTime));
        double lastPlacement = instance.Orders.Length == 0 ? start : instance.Orders.Max(o => o.PlacementTime);
        double lastShiftEnd = instance.Couriers.Length == 0 ? start : instance.Couriers.Max(c => c.OffTime);

        engineTime.Start();
        for (int i = 0; i < instance.Restaurants.Length; i++) engine.AddSite(i, instance.Restaurants[i].X, instance.Restaurants[i].Y);
        for (int i = 0; i < instance.Couriers.Length; i++)
        {
            var c = instance.Couriers[i];
            engine.CourierOnShift(new CourierShift(i, c.X, c.Y, c.OnTime, c.OffTime), start);
        }
        engineTime.Stop();

        var queue = new PriorityQueue<(int Kind, long Id), (double Time, int Kind, long Seq)>();
        long seq = 0;
        for (int i = 0; i < instance.Orders.Length; i++)
            queue.Enqueue((KindPlace, i), (instance.Orders[i].PlacementTime, KindPlace, seq++));
        queue.Enqueue((KindTick, 0), (start, KindTick, seq++));

        var ticks = new List<double>(2048);
        var sink = new RecorderSink(recorder);
        double now = start;
        while (queue.TryDequeue(out var ev, out var pri))
        {
            now = pri.Time;
            switch (ev.Kind)
            {
                case KindPlace:
                {
                    var o = instance.Orders[ev.Id];
                    int site = instance.RestaurantIndex[o.Restaurant];
                    engineTime.Start();
                    engine.PlaceOrder(new OrderRequest(ev.Id, site, o.X, o.Y, o.PlacementTime, o.ReadyTime, DeliverBy: o.DeliverBy ?? double.PositiveInfinity), now);
                    engineTime.Stop();
                    break;
                }
                case KindPickup:
                    engineTime.Start();
                    engine.ConfirmPickup(ev.Id, now);
                    engineTime.Stop();
                    recorder.PickedUp[ev.Id] = now;
                    break;
                case KindDropoff:
                    engineTime.Start();
                    engine.ConfirmDropoff(ev.Id, now);
                    engineTime.Stop();
                    recorder.DroppedOff[ev.Id] = now;
                    break;
                case KindTick:
                {
                    long t0 = Stopwatch.GetTimestamp();
                    engineTime.Start();
                    engine.Tick(now, ref sink);
                    engineTime.Stop();
                    ticks.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    foreach (var (kind, id, at) in recorder.DrainScheduled())
                        queue.Enqueue((kind == StopKind.Pickup ? KindPickup : KindDropoff, id), (at, kind == StopKind.Pickup ? KindPickup : KindDropoff, seq++));
                    var counts = engine.Counts;
                    bool allPlaced = now >= lastPlacement;
                    bool nothingInFlight = counts.Assigned + counts.PickedUp == 0;
                    bool nothingToDo = counts.Open == 0 || now >= lastShiftEnd;
                    if (!(allPlaced && nothingInFlight && nothingToDo))
                        queue.Enqueue((KindTick, 0), (now + options.TickMinutes, KindTick, seq++));
                    break;
                }
            }
        }

        wall.Stop();
        return new ReplayResult
        {
            Solution = recorder.BuildSolution(),
            TickMilliseconds = ticks.ToArray(),
            EngineMilliseconds = engineTime.Elapsed.TotalMilliseconds,
            WallMilliseconds = wall.Elapsed.TotalMilliseconds,
            EndMinute = now,
        };
    }

    /// <summary>Collects the engine's decisions as MDRP records and the confirmations to simulate.</summary>
    private sealed class Recorder
    {
        private readonly MdrpInstance _inst;
        private readonly string[] _lastPlace;
        private readonly List<(StopKind Kind, long Id, double At)> _scheduled = new();
        private readonly List<MdrpAssignmentRecord> _assignments = new();
        private readonly List<MdrpCourierMove> _moves = new();
        private readonly int[] _courierOf;
        public readonly double[] PickedUp, DroppedOff;

        public Recorder(MdrpInstance inst)
        {
            _inst = inst;
            _lastPlace = new string[inst.Couriers.Length];
            Array.Fill(_lastPlace, MdrpSolution.StartLocation);
            _courierOf = new int[inst.Orders.Length];
            Array.Fill(_courierOf, -1);
            PickedUp = new double[inst.Orders.Length];
            DroppedOff = new double[inst.Orders.Length];
            Array.Fill(PickedUp, double.NaN);
            Array.Fill(DroppedOff, double.NaN);
        }

        public void OnAssignment(in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops)
        {
            int courier = (int)a.CourierId;
            var orders = new List<string>();
            double pickupTime = double.NaN;
            string place = _lastPlace[courier];
            for (int i = 0; i < stops.Length; i++)
            {
                var s = stops[i];
                string dest = s.Kind == StopKind.Pickup ? _inst.Restaurants[(int)s.SiteId].Id : _inst.Orders[s.OrderId].Id;
                bool samePlaceAsPrev = i > 0 && s.Kind == StopKind.Pickup && stops[i - 1].Kind == StopKind.Pickup && stops[i - 1].SiteId == s.SiteId;
                if (!samePlaceAsPrev)
                {
                    _moves.Add(new MdrpCourierMove(_inst.Couriers[courier].Id, s.Departure, place, dest));
                    place = dest;
                }
                if (s.Kind == StopKind.Pickup) pickupTime = s.ServiceAt;
                else orders.Add(_inst.Orders[s.OrderId].Id);
                _courierOf[s.OrderId] = courier;
                _scheduled.Add((s.Kind, s.OrderId, s.ServiceAt));
            }
            _lastPlace[courier] = place;
            _assignments.Add(new MdrpAssignmentRecord(a.AssignedAt, pickupTime, _inst.Couriers[courier].Id, orders.ToArray()));
        }

        public List<(StopKind Kind, long Id, double At)> DrainScheduled()
        {
            var copy = new List<(StopKind, long, double)>(_scheduled);
            _scheduled.Clear();
            return copy;
        }

        public MdrpSolution BuildSolution()
        {
            var s = new MdrpSolution();
            s.Assignments.AddRange(_assignments);
            // Moves in execution order per courier (stable by courier, then as recorded).
            foreach (var g in _moves.Select((m, i) => (m, i)).GroupBy(x => x.m.Courier).OrderBy(g => g.Key, StringComparer.Ordinal))
                s.Moves.AddRange(g.OrderBy(x => x.i).Select(x => x.m));
            for (int i = 0; i < _inst.Orders.Length; i++)
            {
                if (double.IsNaN(DroppedOff[i])) continue;
                var o = _inst.Orders[i];
                s.Orders.Add(new MdrpOrderRecord(o.Id, o.PlacementTime, o.ReadyTime, PickedUp[i], DroppedOff[i], _inst.Couriers[_courierOf[i]].Id));
            }
            return s;
        }
    }

    private readonly struct RecorderSink(Recorder recorder) : IAssignmentSink
    {
        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => recorder.OnAssignment(assignment, stops);

        public void OnPlanChange(in PlanChange change)
        {
            // The MDRP world has no cancellations or shift changes mid-plan; nothing to record.
        }
    }
}
