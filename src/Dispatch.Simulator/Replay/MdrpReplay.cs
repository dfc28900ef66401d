using System.Diagnostics;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Replay;

/// <summary>
/// Discrete-event replay of an MDRP trace through the engine, in simulated minutes (the trace's world,
/// <see cref="TraceWorld{TSink}"/>: placements at their times, a tick on a fixed interval, couriers that
/// follow the plan). The replay records the three solution files.
/// </summary>
public static class MdrpReplay
{
    /// <summary>Engine options for a trace: service times and targets come from the trace, the rest from <paramref name="baseOptions"/>.</summary>
    public static ReplayResult Run(MdrpInstance instance, ReplayOptions? options = null)
    {
        options ??= new ReplayOptions();
        if (!(options.TickMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(options), options.TickMinutes, "tick interval must be positive");
        var wall = Stopwatch.StartNew();
        var engineOptions = MdrpEngineOptions.For(instance, options.Engine, options.Profile, options.TickMinutes);
        var engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(instance.Parameters.MetersPerMinute), engineOptions);
        var recorder = new Recorder(instance);
        var followers = new PlanFollowers(4 * instance.Orders.Length + 16);
        var ticks = new List<double>(2048);
        var world = new TraceWorld<RecorderSink>(instance, engine, options.TickMinutes, followers, new RecorderSink(recorder, followers))
        {
            TickMilliseconds = ticks,
            MeasureEngine = true,
        };
        world.Driver.Run(world);

        wall.Stop();
        return new ReplayResult
        {
            Solution = recorder.BuildSolution(world.PickedUpAt, world.DroppedOffAt),
            TickMilliseconds = ticks.ToArray(),
            EngineMilliseconds = (double)world.EngineTimestampTicks * 1000 / Stopwatch.Frequency,
            WallMilliseconds = wall.Elapsed.TotalMilliseconds,
            EndMinute = world.Driver.Now,
            Promises = world.Promises.Figures(engine.RequoteCount),
        };
    }

    /// <summary>Collects the engine's decisions as MDRP records.</summary>
    private sealed class Recorder
    {
        private readonly MdrpInstance _inst;
        private readonly string[] _lastPlace;
        private readonly List<MdrpAssignmentRecord> _assignments = new();
        private readonly List<MdrpCourierMove> _moves = new();
        private readonly int[] _courierOf;

        public Recorder(MdrpInstance inst)
        {
            _inst = inst;
            _lastPlace = new string[inst.Couriers.Length];
            Array.Fill(_lastPlace, MdrpSolution.StartLocation);
            _courierOf = new int[inst.Orders.Length];
            Array.Fill(_courierOf, -1);
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
            }
            _lastPlace[courier] = place;
            _assignments.Add(new MdrpAssignmentRecord(a.AssignedAt, pickupTime, _inst.Couriers[courier].Id, orders.ToArray()));
        }

        /// <param name="pickedUp">Confirmed pickup minute of each order (NaN: never).</param>
        /// <param name="droppedOff">Confirmed drop-off minute of each order (NaN: never).</param>
        public MdrpSolution BuildSolution(double[] pickedUp, double[] droppedOff)
        {
            var s = new MdrpSolution();
            s.Assignments.AddRange(_assignments);
            // Moves in execution order per courier (stable by courier, then as recorded).
            foreach (var g in _moves.Select((m, i) => (m, i)).GroupBy(x => x.m.Courier).OrderBy(g => g.Key, StringComparer.Ordinal))
                s.Moves.AddRange(g.OrderBy(x => x.i).Select(x => x.m));
            for (int i = 0; i < _inst.Orders.Length; i++)
            {
                if (double.IsNaN(droppedOff[i])) continue;
                var o = _inst.Orders[i];
                s.Orders.Add(new MdrpOrderRecord(o.Id, o.PlacementTime, o.ReadyTime, pickedUp[i], droppedOff[i], _inst.Couriers[_courierOf[i]].Id));
            }
            return s;
        }
    }

    /// <summary>Records each decision and hands its stops to the couriers, who follow the plan.</summary>
    private readonly struct RecorderSink(Recorder recorder, PlanFollowers followers) : IAssignmentSink
    {
        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
        {
            recorder.OnAssignment(assignment, stops);
            followers.Add(assignment, stops);
        }

        public void OnPlanChange(in PlanChange change)
        {
            // The MDRP world has no cancellations or shift changes mid-plan; nothing to record.
        }
    }
}
