using Dispatch.Simulator.World;

namespace Dispatch.Core.Tests.Support;

/// <summary>One assignment as the sink saw it, with a copy of its stops.</summary>
internal sealed record RecordedAssignment(int Index, AssignmentInfo Info, PlannedStop[] Stops);

/// <summary>Records everything the engine tells its sink. A class behind a struct sink.</summary>
internal sealed class Recorder
{
    public readonly List<RecordedAssignment> Assignments = new();
    /// <summary>Plan changes other than re-quotes: what the plan did (the tests of re-planning assert these exactly).</summary>
    public readonly List<PlanChange> Changes = new();
    /// <summary>Re-quotes (<see cref="PlanChangeKind.Requoted"/>): promises the plan broke, kept apart (Promises tests).</summary>
    public readonly List<PlanChange> Requotes = new();
    public int Drained;

    public void Add(in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops) =>
        Assignments.Add(new RecordedAssignment(Assignments.Count, a, stops.ToArray()));
}

/// <summary>The struct sink of the tests: forwards to a <see cref="Recorder"/>.</summary>
internal readonly struct RecordingSink(Recorder recorder) : IAssignmentSink
{
    public Recorder Recorder => recorder;
    public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => recorder.Add(assignment, stops);
    public void OnPlanChange(in PlanChange change) => (change.Kind == PlanChangeKind.Requoted ? recorder.Requotes : recorder.Changes).Add(change);
}

/// <summary>
/// The tests' world on the simulator's world driver: couriers' shifts are known at time 0, orders are
/// placed at their placement time, the engine ticks every <c>tick</c> minutes, and the couriers follow
/// the plan (<see cref="PlanFollowers"/>): they confirm pickups and drop-offs at the planned
/// <see cref="PlannedStop.ServiceAt"/> times of the latest plan the sink received (a general-profile
/// route update supersedes earlier times). The driver stops ticking by the replays' rule, or
/// <c>extraMinutes</c> after the last placement or shift end.
/// </summary>
internal sealed class Simulation : IWorld<EuclideanCeilMinutes>
{
    public readonly Scenario Scenario;
    public readonly DispatchEngine<EuclideanCeilMinutes> Engine;
    public readonly Recorder Recorder = new();
    public readonly Dictionary<long, double> PickedAt = new(), DroppedAt = new();
    /// <summary>Confirmed events in the order they happened: (time, kind, order, courier).</summary>
    public readonly List<(double At, StopKind Kind, long Order, long Courier)> Confirmations = new();
    /// <summary>Problems the driver itself noticed (e.g. a stop planned in the past).</summary>
    public readonly List<string> Anomalies = new();
    public double EndTime;
    public bool Finished;

    private readonly PlanFollowers _followers = new(16);
    private Dictionary<long, OrderSpec> _orders = new();

    /// <param name="scenario">The instance.</param>
    /// <param name="profile">Engine profile.</param>
    /// <param name="tick">Minutes between ticks.</param>
    /// <param name="improvementMoves">The general profile's improvement budget (default: the options' default).</param>
    /// <param name="largeProblemOpenOrders">When given, <see cref="DispatchOptions.LargeProblemOpenOrders"/> (small values make
    /// the ticks cross the threshold between the full and the short candidate lists).</param>
    public Simulation(Scenario scenario, DispatchProfile profile, double tick = 1, int improvementMoves = DispatchOptions.DefaultGeneralImprovementMovesPerTick, int? largeProblemOpenOrders = null)
    {
        Scenario = scenario;
        Tick = tick;
        Engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(scenario.MetersPerMinute), new DispatchOptions
        {
            LargeProblemOpenOrders = largeProblemOpenOrders ?? new DispatchOptions().LargeProblemOpenOrders,
            GeneralImprovementMovesPerTick = improvementMoves,
            Profile = profile,
            PickupServiceMinutes = scenario.PickupService,
            DropoffServiceMinutes = scenario.DropoffService,
            TickIntervalMinutes = tick,
            // Tiny initial capacities: the stores and planners grow during the run.
            InitialOrderCapacity = 2,
            InitialCourierCapacity = 1,
            InitialSiteCapacity = 1,
        });
    }

    public double Tick { get; }

    /// <summary>Called right after each tick (before its decisions are scheduled), with the tick's time and the sink:
    /// decisions it makes through the sink are scheduled like the tick's.</summary>
    public Action<double, RecordingSink>? AfterTick { get; init; }

    /// <summary>The assignments as received (for failure messages).</summary>
    public string Describe(int max = 40)
    {
        var b = new System.Text.StringBuilder("assignments:\n");
        foreach (var a in Recorder.Assignments.Take(max))
        {
            b.Append($"  #{a.Index} courier {a.Info.CourierId} at {a.Info.AssignedAt} orders {a.Info.OrderCount} update {a.Info.IsUpdate}\n");
            foreach (var p in a.Stops)
                b.Append($"      {p.Kind} {p.OrderId} site {p.SiteId} ({p.X}, {p.Y}) dep {p.Departure} arr {p.Arrival} svc {p.ServiceAt} leave {p.Leave}\n");
        }
        foreach (var c in Recorder.Changes) b.Append($"  change {c}\n");
        return b.ToString();
    }

    public Simulation Run(double extraMinutes = 400)
    {
        var s = Scenario;
        foreach (var site in s.Sites) Engine.AddSite(site.Id, site.X, site.Y);
        foreach (var c in s.Couriers) Engine.CourierOnShift(new CourierShift(c.Id, c.X, c.Y, c.Start, c.End, c.Capacity), 0);
        _orders = s.Orders.ToDictionary(o => o.Id);
        double lastPlacement = s.Orders.Length == 0 ? 0 : s.Orders.Max(o => o.PlacedAt);
        double lastShiftEnd = s.Couriers.Length == 0 ? 0 : s.Couriers.Max(c => c.End);
        double hardStop = Math.Max(lastPlacement, lastShiftEnd) + extraMinutes;
        var driver = new WorldDriver<EuclideanCeilMinutes>(Engine, Tick, new WorldStopRule(lastPlacement, lastShiftEnd, hardStop), 0);
        foreach (var o in s.Orders) driver.Schedule(o.PlacedAt, WorldEventKind.Place, o.Id);
        driver.Run(this);
        Finished = driver.Finished;
        EndTime = driver.Now;
        return this;
    }

    void IWorld<EuclideanCeilMinutes>.Handle(WorldDriver<EuclideanCeilMinutes> driver, in WorldEvent e)
    {
        double now = driver.Now;
        if (e.Kind == WorldEventKind.Place)
        {
            var o = _orders[e.Id];
            Engine.PlaceOrder(new OrderRequest(o.Id, o.SiteId, o.X, o.Y, o.PlacedAt, o.ReadyAt,
                PickupBy: o.PickupBy, DeliverAfter: o.DeliverAfter, DeliverBy: o.DeliverBy), now);
            return;
        }
        if (!_followers.IsLatest(e)) return; // superseded by a later plan
        long courier = _followers.CourierOf(e.Id);
        if (e.Kind == WorldEventKind.PlannedPickup)
        {
            if (PickedAt.ContainsKey(e.Id)) { Anomalies.Add($"t={now}: pickup of order {e.Id} scheduled twice"); return; }
            Engine.ConfirmPickup(e.Id, now);
            PickedAt[e.Id] = now;
            Confirmations.Add((now, StopKind.Pickup, e.Id, courier));
        }
        else
        {
            if (!PickedAt.ContainsKey(e.Id)) { Anomalies.Add($"t={now}: drop-off of order {e.Id} due before its pickup was confirmed"); return; }
            Engine.ConfirmDropoff(e.Id, now);
            DroppedAt[e.Id] = now;
            Confirmations.Add((now, StopKind.Dropoff, e.Id, courier));
        }
    }

    void IWorld<EuclideanCeilMinutes>.Tick(WorldDriver<EuclideanCeilMinutes> driver)
    {
        double now = driver.Now;
        var sink = new RecordingSink(Recorder);
        Engine.Tick(now, ref sink);
        AfterTick?.Invoke(now, sink);
        for (int i = Recorder.Drained; i < Recorder.Assignments.Count; i++)
        {
            var a = Recorder.Assignments[i];
            foreach (var stop in a.Stops)
            {
                if (stop.Kind == StopKind.Pickup && PickedAt.ContainsKey(stop.OrderId))
                {
                    Anomalies.Add($"t={now}: assignment #{a.Index} re-emits the pickup of order {stop.OrderId}, picked up at {PickedAt[stop.OrderId]}");
                    continue;
                }
                if (stop.ServiceAt < now)
                    Anomalies.Add($"t={now}: assignment #{a.Index} plans a {stop.Kind} of order {stop.OrderId} in the past ({stop.ServiceAt})");
                _followers.Schedule(driver, a.Info.CourierId, stop.Kind, stop.OrderId, stop.ServiceAt);
            }
        }
        Recorder.Drained = Recorder.Assignments.Count;
    }
}
