using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Travel;

namespace Dispatch.Core.Tests.Support;

/// <summary>One assignment as the sink saw it, with a copy of its stops.</summary>
internal sealed record RecordedAssignment(int Index, AssignmentInfo Info, PlannedStop[] Stops);

/// <summary>Records everything the engine tells its sink. A class behind a struct sink.</summary>
internal sealed class Recorder
{
    public readonly List<RecordedAssignment> Assignments = new();
    public readonly List<PlanChange> Changes = new();
    public int Drained;

    public void Add(in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops) =>
        Assignments.Add(new RecordedAssignment(Assignments.Count, a, stops.ToArray()));
}

/// <summary>The struct sink of the tests: forwards to a <see cref="Recorder"/>.</summary>
internal readonly struct RecordingSink(Recorder recorder) : IAssignmentSink
{
    public Recorder Recorder => recorder;
    public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => recorder.Add(assignment, stops);
    public void OnPlanChange(in PlanChange change) => recorder.Changes.Add(change);
}

/// <summary>
/// A discrete-event driver like the simulator's replay: couriers' shifts are known at time 0, orders
/// are placed at their placement time, the engine ticks every <c>tick</c> minutes, and the couriers
/// confirm pickups and drop-offs at the planned <see cref="PlannedStop.ServiceAt"/> times of the latest
/// plan the sink received (a general-profile route update supersedes earlier times).
/// </summary>
internal sealed class Simulation
{
    private const int KindDropoff = 0, KindPickup = 1, KindPlace = 2, KindTick = 3;

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

    private readonly Dictionary<(long, StopKind), int> _version = new();
    private readonly Dictionary<long, long> _plannedCourier = new();

    /// <param name="scenario">The instance.</param>
    /// <param name="profile">Engine profile.</param>
    /// <param name="tick">Minutes between ticks.</param>
    /// <param name="improvementMoves">The general profile's improvement budget (default: the options' default).</param>
    public Simulation(Scenario scenario, DispatchProfile profile, double tick = 1, int improvementMoves = DispatchOptions.DefaultGeneralImprovementMovesPerTick)
    {
        Scenario = scenario;
        Tick = tick;
        Engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(scenario.MetersPerMinute), new DispatchOptions
        {
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
        var e = Engine;
        foreach (var site in s.Sites) e.AddSite(site.Id, site.X, site.Y);
        foreach (var c in s.Couriers) e.CourierOnShift(new CourierShift(c.Id, c.X, c.Y, c.Start, c.End, c.Capacity), 0);
        var orders = s.Orders.ToDictionary(o => o.Id);

        var queue = new PriorityQueue<(int Kind, long Id, int Version), (double Time, int Kind, long Seq)>();
        long seq = 0;
        foreach (var o in s.Orders) queue.Enqueue((KindPlace, o.Id, 0), (o.PlacedAt, KindPlace, seq++));
        queue.Enqueue((KindTick, 0, 0), (0, KindTick, seq++));
        double lastPlacement = s.Orders.Length == 0 ? 0 : s.Orders.Max(o => o.PlacedAt);
        double lastShiftEnd = s.Couriers.Length == 0 ? 0 : s.Couriers.Max(c => c.End);
        double hardStop = Math.Max(lastPlacement, lastShiftEnd) + extraMinutes;

        var sink = new RecordingSink(Recorder);
        double now = 0;
        while (queue.TryDequeue(out var ev, out var pri))
        {
            now = pri.Time;
            switch (ev.Kind)
            {
                case KindPlace:
                {
                    var o = orders[ev.Id];
                    e.PlaceOrder(new OrderRequest(o.Id, o.SiteId, o.X, o.Y, o.PlacedAt, o.ReadyAt,
                        PickupBy: o.PickupBy, DeliverAfter: o.DeliverAfter, DeliverBy: o.DeliverBy), now);
                    break;
                }
                case KindPickup:
                case KindDropoff:
                {
                    var kind = ev.Kind == KindPickup ? StopKind.Pickup : StopKind.Dropoff;
                    if (_version[(ev.Id, kind)] != ev.Version) break; // superseded by a later plan
                    long courier = _plannedCourier[ev.Id];
                    if (kind == StopKind.Pickup)
                    {
                        if (PickedAt.ContainsKey(ev.Id)) { Anomalies.Add($"t={now}: pickup of order {ev.Id} scheduled twice"); break; }
                        e.ConfirmPickup(ev.Id, now);
                        PickedAt[ev.Id] = now;
                    }
                    else
                    {
                        if (!PickedAt.ContainsKey(ev.Id)) { Anomalies.Add($"t={now}: drop-off of order {ev.Id} due before its pickup was confirmed"); break; }
                        e.ConfirmDropoff(ev.Id, now);
                        DroppedAt[ev.Id] = now;
                    }
                    Confirmations.Add((now, kind, ev.Id, courier));
                    break;
                }
                case KindTick:
                {
                    e.Tick(now, ref sink);
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
                            var key = (stop.OrderId, stop.Kind);
                            int v = _version.GetValueOrDefault(key) + 1;
                            _version[key] = v;
                            _plannedCourier[stop.OrderId] = a.Info.CourierId;
                            int k = stop.Kind == StopKind.Pickup ? KindPickup : KindDropoff;
                            queue.Enqueue((k, stop.OrderId, v), (Math.Max(now, stop.ServiceAt), k, seq++));
                        }
                    }
                    Recorder.Drained = Recorder.Assignments.Count;
                    var counts = e.Counts;
                    bool allPlaced = now >= lastPlacement;
                    bool nothingInFlight = counts.Assigned + counts.PickedUp == 0;
                    bool nothingToDo = counts.Open == 0 || now >= lastShiftEnd;
                    if (allPlaced && nothingInFlight && nothingToDo) { Finished = true; break; }
                    if (now + Tick > hardStop) break;
                    queue.Enqueue((KindTick, 0, 0), (now + Tick, KindTick, seq++));
                    break;
                }
            }
        }
        EndTime = now;
        return this;
    }
}
