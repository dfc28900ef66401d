using System.Diagnostics;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Simulator.Mdrp;
using Dispatch.Traffic;
using Dispatch.Travel;
using NetTopologySuite.Geometries;

namespace Dispatch.Simulator.Scenarios;

/// <summary>How to run a trace through a changing world.</summary>
public sealed record WorldReplayOptions
{
    /// <summary>The scenario layered on the trace; null replays the trace in an unchanging world.</summary>
    public ScenarioFile? Scenario { get; init; }

    /// <summary>
    /// True: the engine is told of every change as it happens (traffic picture, courier positions,
    /// kitchen delays) and re-plans. False (<c>--no-replan</c>): the engine keeps the picture it had at the
    /// start and never revises a committed plan; it still hears what it cannot miss (placements,
    /// cancellations, couriers going offline, pickups and drop-offs).
    /// </summary>
    public bool Replan { get; init; } = true;

    public DispatchProfile Profile { get; init; } = DispatchProfile.Mdrp;
    public double TickMinutes { get; init; } = 1;

    /// <summary>Cell size of the traffic raster, in metres.</summary>
    public double TrafficCellMeters { get; init; } = 250;

    /// <summary>Minutes a leg pays per road closure it crosses (the detour).</summary>
    public double ClosureDetourMinutes { get; init; } = 8;

    /// <summary>Extra engine options (e.g. the General profile's improvement budget); profile, tick, service
    /// times and targets come from this record and the trace.</summary>
    public DispatchOptions? Engine { get; init; }
}

/// <summary>What happened in a world replay, measured from the world's own clock (actual times).
/// Unserved orders were still open at the end (no courier on shift could take them); lost orders are
/// any others not delivered nor cancelled, and must be zero.</summary>
public sealed record WorldResult(
    string Instance, string Scenario, bool Replan, int Orders, int Delivered, int Cancelled, int Unserved, int Lost,
    double ClickToDoorMean, double ClickToDoorP90, double OverTargetShare, double ReadyToPickupMean,
    double PromiseMae, double PromiseLateShare, int Released, int Reassigned, int EtaChanged,
    double TickMsP50, double TickMsMax, double WallMs)
{
    /// <summary>The trace as the world ran it (surge orders included), for reports.</summary>
    public MdrpInstance? Trace { get; init; }

    /// <summary>What the world did, in the MDRP solution format (actual times, so under traffic the
    /// published travel rule does not hold by design).</summary>
    public MdrpSolution? Solution { get; init; }

    /// <summary>The scenario's congestion zones and closures, for the report's map.</summary>
    public Reports.MapOverlays Overlays { get; init; } = Reports.MapOverlays.None;

    /// <summary>Wall time of each engine tick, in milliseconds.</summary>
    public double[] TickMilliseconds { get; init; } = [];

    /// <summary>Orders with a promised latest drop-off (the trace's deliver_by).</summary>
    public int PromisedOrders { get; init; }

    /// <summary>Delivered orders dropped off after their deliver_by, as the world ran them.</summary>
    public int LateDropoffs { get; init; }

    /// <summary>Minutes past deliver_by summed over the late drop-offs.</summary>
    public double MinutesPastDeliverBy { get; init; }

    /// <summary>Drop-offs the engine planned after their deliver_by, in any plan it committed or updated.</summary>
    public int PlannedLateDropoffs { get; init; }

    /// <summary>Minutes the world's couriers spent driving (legs cut short by a new plan count what was driven).</summary>
    public double DrivingMinutes { get; init; }
}

/// <summary>
/// Replays a trace in a simulated world that can differ from what the engine believes: couriers
/// really drive at the world's traffic speed (a leg's time is fixed when it starts), kitchens really
/// finish at the delayed ready time, couriers really drop out. The world's couriers follow the engine's
/// current plan (read back after every decision), confirm pickups and drop-offs at their actual
/// times and report their positions every tick. Scenario events are applied at their times.
/// </summary>
public static class WorldReplay
{
    private enum Ev { Place = 0, Delay = 1, Cancel = 2, Offline = 3, Service = 4, Leave = 5, Arrive = 6, Tick = 7 }

    private enum CourierMode { Idle, Moving, Servicing }

    private sealed class WorldCourier
    {
        public CourierMode Mode;
        public double X, Y, FromX, FromY, LegStart, LegEnd, Driving;
        public long TargetOrder = -1;
        public StopKind TargetKind;
        public int Version;
        public bool Offline;
    }

    private sealed class WorldOrder
    {
        public required string Id;
        public int Site;
        public double X, Y, Placed, Ready, ActualReady, Promise = double.NaN, Pickup = double.NaN, Drop = double.NaN;
        public double DeliverBy = double.PositiveInfinity;
        public bool Cancelled, DelayAnnounced;
    }

    public static WorldResult Run(MdrpInstance inst, WorldReplayOptions? options = null)
    {
        options ??= new WorldReplayOptions();
        var wall = Stopwatch.StartNew();
        var p = inst.Parameters;
        var scenario = options.Scenario;
        var rng = new Random(scenario?.Seed ?? 1);

        // The trace's extent: places as fractions of its bounding box, times relative to its placements.
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var r in inst.Restaurants) { minX = Math.Min(minX, r.X); maxX = Math.Max(maxX, r.X); minY = Math.Min(minY, r.Y); maxY = Math.Max(maxY, r.Y); }
        foreach (var o in inst.Orders) { minX = Math.Min(minX, o.X); maxX = Math.Max(maxX, o.X); minY = Math.Min(minY, o.Y); maxY = Math.Max(maxY, o.Y); }
        if (!(maxX > minX)) maxX = minX + 1;
        if (!(maxY > minY)) maxY = minY + 1;
        double start = inst.Orders.Length == 0 ? 0 : inst.Orders.Min(o => o.PlacementTime);
        double end = inst.Orders.Length == 0 ? 0 : inst.Orders.Max(o => o.PlacementTime);
        double peak = PeakMinute(inst);
        var gf = new GeometryFactory();
        Coordinate At(double[] f) => new(minX + f[0] * (maxX - minX), minY + f[1] * (maxY - minY));
        double T(System.Text.Json.JsonElement? e) => ScenarioEvent.ParseTime(e!.Value, start, end, peak);

        double padX = (maxX - minX) * 0.1, padY = (maxY - minY) * 0.1;
        var world = new TrafficModel(minX - padX, minY - padY, maxX + padX, maxY + padY, options.TrafficCellMeters, options.ClosureDetourMinutes);
        var stale = new TrafficModel(minX - padX, minY - padY, maxX + padX, maxY + padY, options.TrafficCellMeters, options.ClosureDetourMinutes);
        var worldTravel = new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(p.MetersPerMinute), world);
        var engineTravel = new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(p.MetersPerMinute), options.Replan ? world : stale);

        // Orders, with demand surges cloned in, kitchen delays and cancellations drawn, all from the seed.
        var orders = new List<WorldOrder>(inst.Orders.Length);
        foreach (var o in inst.Orders)
            orders.Add(new WorldOrder { Id = o.Id, Site = inst.RestaurantIndex[o.Restaurant], X = o.X, Y = o.Y, Placed = o.PlacementTime, Ready = o.ReadyTime, ActualReady = o.ReadyTime, DeliverBy = o.DeliverBy ?? double.PositiveInfinity });
        var queue = new PriorityQueue<(Ev Kind, int A, int B), (double, int, long)>();
        long seq = 0;
        void Push(double t, Ev k, int a, int b = 0) => queue.Enqueue((k, a, b), (t, (int)k, seq++));
        var offline = new List<(double At, ScenarioEvent E)>();
        var zones = new List<Reports.CongestionZone>();
        var closures = new List<Reports.Closure>();

        foreach (var e in scenario?.Events ?? [])
        {
            switch (e.Kind)
            {
                case "rain":
                    world.AddCitywideFactor(e.Factor!.Value, T(e.From), T(e.To));
                    break;
                case "congestion":
                {
                    var area = Polygon(gf, e.Area!, At);
                    world.AddZone(new CongestionZone(area, e.Factor!.Value, T(e.From), T(e.To), "congestion"));
                    zones.Add(new Reports.CongestionZone($"congestion x{e.Factor!.Value:0.##}", area, e.Factor));
                    break;
                }
                case "closure":
                {
                    Geometry g = e.Line is not null ? gf.CreateLineString(e.Line.Select(At).ToArray()) : Polygon(gf, e.Area!, At);
                    world.AddClosure(new RoadClosure(g, T(e.From), T(e.To), "closure"));
                    closures.Add(new Reports.Closure("closure", g is LineString line ? line : ((Polygon)g).ExteriorRing));
                    break;
                }
                case "demand-surge":
                {
                    double from = T(e.From), to = T(e.To);
                    Geometry? area = e.Area is null ? null : Polygon(gf, e.Area, At);
                    int n = orders.Count;
                    for (int i = 0; i < n; i++)
                    {
                        var o = orders[i];
                        if (o.Placed < from || o.Placed >= to) continue;
                        if (area is not null && !area.Contains(gf.CreatePoint(new Coordinate(o.X, o.Y)))) continue;
                        double extra = e.Factor!.Value - 1;
                        int copies = (int)extra + (rng.NextDouble() < extra - (int)extra ? 1 : 0);
                        for (int k = 0; k < copies; k++)
                        {
                            double jitter = Math.Round(rng.NextDouble() * 6 - 3);
                            double placed = Math.Clamp(o.Placed + jitter, from, to);
                            orders.Add(new WorldOrder
                            {
                                Id = $"{o.Id}-surge{k + 1}", Site = o.Site, Placed = placed, Ready = placed + (o.Ready - o.Placed), ActualReady = placed + (o.Ready - o.Placed),
                                DeliverBy = o.DeliverBy + (placed - o.Placed),
                                X = o.X + (rng.NextDouble() - 0.5) * 600, Y = o.Y + (rng.NextDouble() - 0.5) * 600,
                            });
                        }
                    }
                    break;
                }
                case "kitchen-delay":
                {
                    double from = T(e.From), to = T(e.To);
                    for (int i = 0; i < orders.Count; i++)
                    {
                        var o = orders[i];
                        if (o.Ready < from || o.Ready >= to || rng.NextDouble() >= e.Share!.Value) continue;
                        o.ActualReady = o.Ready + e.Minutes!.Value;
                        // The kitchen says so five minutes before the food was due (or at placement).
                        Push(Math.Max(o.Placed, o.Ready - 5), Ev.Delay, i);
                    }
                    break;
                }
                case "cancellations":
                {
                    double from = T(e.From), to = T(e.To);
                    for (int i = 0; i < orders.Count; i++)
                        if (orders[i].Placed >= from && orders[i].Placed < to && rng.NextDouble() < e.Share!.Value)
                            Push(orders[i].Placed + 2 + Math.Floor(rng.NextDouble() * 9), Ev.Cancel, i);
                    break;
                }
                case "courier-offline":
                    offline.Add((T(e.At), e));
                    break;
            }
        }
        for (int i = 0; i < offline.Count; i++) Push(offline[i].At, Ev.Offline, i);

        var engine = new DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>>(engineTravel,
            Replay.MdrpReplay.EngineOptionsFor(inst, options.Engine, options.Profile, options.TickMinutes, orders.Count - inst.Orders.Length) with { Replanning = options.Replan });
        double first = Math.Min(start, inst.Couriers.Length == 0 ? start : inst.Couriers.Min(c => c.OnTime));
        double lastShiftEnd = inst.Couriers.Length == 0 ? first : inst.Couriers.Max(c => c.OffTime);
        double lastPlacement = orders.Count == 0 ? first : orders.Max(o => o.Placed);
        for (int i = 0; i < inst.Restaurants.Length; i++) engine.AddSite(i, inst.Restaurants[i].X, inst.Restaurants[i].Y);
        var couriers = new WorldCourier[inst.Couriers.Length];
        for (int i = 0; i < couriers.Length; i++)
        {
            var c = inst.Couriers[i];
            couriers[i] = new WorldCourier { X = c.X, Y = c.Y };
            engine.CourierOnShift(new CourierShift(i, c.X, c.Y, c.OnTime, c.OffTime), first);
        }
        for (int i = 0; i < orders.Count; i++) Push(orders[i].Placed, Ev.Place, i);
        Push(first, Ev.Tick, 0);

        double halfP = p.PickupServiceMinutes / 2, halfD = p.DropoffServiceMinutes / 2;
        var route = new PlannedStop[64];
        var counter = new ChangeCounter { Assignments = new List<MdrpAssignmentRecord>(), CourierIds = inst.Couriers.Select(c => c.Id).ToArray(), OrderIds = orders.Select(o => o.Id).ToArray(), DeliverBy = orders.Select(o => o.DeliverBy).ToArray() };
        var moves = new List<MdrpCourierMove>();
        var lastPlace = new string[couriers.Length];
        Array.Fill(lastPlace, MdrpSolution.StartLocation);
        var deliveredBy = new int[orders.Count];
        var ticks = new List<double>();

        void Depart(int ci, in PlannedStop s, double now)
        {
            var w = couriers[ci];
            w.FromX = w.X; w.FromY = w.Y;
            w.Mode = CourierMode.Moving;
            w.LegStart = now;
            w.LegEnd = now + worldTravel.Minutes(w.X, w.Y, s.X, s.Y);
            w.TargetOrder = s.OrderId; w.TargetKind = s.Kind;
            w.Version++;
            string dest = s.Kind == StopKind.Pickup ? inst.Restaurants[(int)s.SiteId].Id : orders[(int)s.OrderId].Id;
            moves.Add(new MdrpCourierMove(inst.Couriers[ci].Id, now, lastPlace[ci], dest));
            lastPlace[ci] = dest;
            Push(w.LegEnd, Ev.Arrive, ci, w.Version);
        }

        void Position(WorldCourier w, double now, out double x, out double y)
        {
            if (w.Mode != CourierMode.Moving) { x = w.X; y = w.Y; return; }
            double f = w.LegEnd <= w.LegStart ? 1 : Math.Clamp((now - w.LegStart) / (w.LegEnd - w.LegStart), 0, 1);
            int n = engine.CopyRoute(Array.IndexOf(couriers, w), route);
            double tx = w.X, ty = w.Y;
            for (int i = 0; i < n; i++) if (route[i].OrderId == w.TargetOrder && route[i].Kind == w.TargetKind) { tx = route[i].X; ty = route[i].Y; break; }
            x = w.FromX + (tx - w.FromX) * f; y = w.FromY + (ty - w.FromY) * f;
        }

        // The world's couriers follow the engine's current plan: idle ones set off, redirected ones turn.
        void Sync(int ci, double now)
        {
            var w = couriers[ci];
            if (w.Mode == CourierMode.Servicing) return;
            int n = engine.CopyRoute(ci, route);
            if (w.Mode == CourierMode.Idle)
            {
                if (n > 0) Depart(ci, route[0], now);
                return;
            }
            if (n > 0 && route[0].OrderId == w.TargetOrder && route[0].Kind == w.TargetKind) return;
            Position(w, now, out double x, out double y);
            w.Driving += Math.Min(now, w.LegEnd) - w.LegStart;
            w.X = x; w.Y = y;
            w.Version++;
            w.Mode = CourierMode.Idle;
            if (n > 0) Depart(ci, route[0], now);
        }

        double now = first;
        while (queue.TryDequeue(out var ev, out var pri))
        {
            now = pri.Item1;
            switch (ev.Kind)
            {
                case Ev.Place:
                {
                    var o = orders[ev.A];
                    o.Promise = engine.QuoteDropoff(o.Site, o.X, o.Y, o.Ready, now);
                    engine.PlaceOrder(new OrderRequest(ev.A, o.Site, o.X, o.Y, o.Placed, o.Ready, DeliverBy: o.DeliverBy), now);
                    break;
                }
                case Ev.Delay:
                {
                    var o = orders[ev.A];
                    o.DelayAnnounced = true;
                    var st = engine.GetOrderStatus(ev.A);
                    if (options.Replan && st is OrderStatus.Open or OrderStatus.Assigned) engine.ChangeReadyTime(ev.A, o.ActualReady, now);
                    break;
                }
                case Ev.Cancel:
                {
                    var st = engine.GetOrderStatus(ev.A);
                    if (st is OrderStatus.Open or OrderStatus.Assigned)
                    {
                        engine.CancelOrder(ev.A, now);
                        orders[ev.A].Cancelled = true;
                    }
                    break;
                }
                case Ev.Offline:
                {
                    var e = offline[ev.A].E;
                    foreach (int ci in PickCouriers(e, couriers, inst, engine, now, rng, (minX + maxX) / 2, (minY + maxY) / 2))
                    {
                        couriers[ci].Offline = true;
                        engine.CourierOffShift(ci, now);
                    }
                    for (int ci = 0; ci < couriers.Length; ci++) Sync(ci, now);
                    break;
                }
                case Ev.Arrive:
                {
                    var w = couriers[ev.A];
                    if (ev.B != w.Version) break;
                    w.Driving += w.LegEnd - w.LegStart;
                    int n = engine.CopyRoute(ev.A, route);
                    if (n == 0 || route[0].OrderId != w.TargetOrder || route[0].Kind != w.TargetKind)
                    {
                        // The plan changed under way; stand here and take the new head.
                        Position(w, now, out double x, out double y);
                        w.X = x; w.Y = y; w.Mode = CourierMode.Idle; w.Version++;
                        Sync(ev.A, now);
                        break;
                    }
                    w.X = route[0].X; w.Y = route[0].Y;
                    w.Mode = CourierMode.Servicing;
                    double service;
                    if (route[0].Kind == StopKind.Pickup)
                    {
                        double ready = 0;
                        for (int i = 0; i < n && route[i].Kind == StopKind.Pickup && route[i].X == route[0].X && route[i].Y == route[0].Y; i++)
                            ready = Math.Max(ready, orders[(int)route[i].OrderId].ActualReady);
                        service = Math.Max(now + halfP, ready);
                    }
                    else service = now + halfD;
                    Push(service, Ev.Service, ev.A, w.Version);
                    break;
                }
                case Ev.Service:
                {
                    var w = couriers[ev.A];
                    if (ev.B != w.Version) break;
                    int n = engine.CopyRoute(ev.A, route);
                    double leave = now;
                    if (n > 0 && route[0].Kind == StopKind.Pickup && route[0].X == w.X && route[0].Y == w.Y)
                    {
                        // The plan may have added an order to this pickup while the courier was here (general
                        // profile): when it says to wait for that order, the courier waits.
                        double wait = 0;
                        for (int i = 0; i < n && route[i].Kind == StopKind.Pickup && route[i].X == w.X && route[i].Y == w.Y; i++)
                            wait = Math.Max(wait, orders[(int)route[i].OrderId].ActualReady);
                        if (wait > now && route[0].ServiceAt >= wait - 1e-9)
                        {
                            Push(wait, Ev.Service, ev.A, w.Version);
                            break;
                        }
                        for (int i = 0; i < n && route[i].Kind == StopKind.Pickup && route[i].X == w.X && route[i].Y == w.Y; i++)
                        {
                            int oi = (int)route[i].OrderId;
                            if (orders[oi].ActualReady > now) continue; // not ready yet: it stays for a later visit
                            engine.ConfirmPickup(oi, now);
                            orders[oi].Pickup = now;
                        }
                        leave = now + halfP;
                    }
                    else if (n > 0 && route[0].Kind == StopKind.Dropoff && route[0].X == w.X && route[0].Y == w.Y)
                    {
                        int oi = (int)route[0].OrderId;
                        engine.ConfirmDropoff(oi, now);
                        orders[oi].Drop = now;
                        deliveredBy[oi] = ev.A;
                        leave = now + halfD;
                    }
                    Push(leave, Ev.Leave, ev.A, w.Version);
                    break;
                }
                case Ev.Leave:
                {
                    var w = couriers[ev.A];
                    if (ev.B != w.Version) break;
                    w.Mode = CourierMode.Idle;
                    Sync(ev.A, now);
                    break;
                }
                case Ev.Tick:
                {
                    if (world.Update(now) && options.Replan) engine.TravelTimesChanged(now);
                    if (options.Replan)
                    {
                        for (int ci = 0; ci < couriers.Length; ci++)
                        {
                            var w = couriers[ci];
                            if (w.Mode != CourierMode.Moving) continue;
                            Position(w, now, out double x, out double y);
                            engine.UpdateCourierPosition(ci, x, y, now);
                        }
                    }
                    long t0 = Stopwatch.GetTimestamp();
                    engine.Tick(now, ref counter);
                    ticks.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    for (int ci = 0; ci < couriers.Length; ci++) Sync(ci, now);
                    var counts = engine.Counts;
                    bool done = now >= lastPlacement && counts.Assigned + counts.PickedUp == 0 && (counts.Open == 0 || now >= lastShiftEnd);
                    if (!done) Push(now + options.TickMinutes, Ev.Tick, 0);
                    break;
                }
            }
        }

        var trace = new MdrpInstance(inst.Name, inst.Parameters, inst.Restaurants,
            orders.Select(o => new MdrpOrder(o.Id, o.X, o.Y, (int)Math.Round(o.Placed), inst.Restaurants[o.Site].Id, (int)Math.Round(o.Ready),
                double.IsFinite(o.DeliverBy) ? (int)Math.Round(o.DeliverBy) : null)).ToArray(), inst.Couriers);
        var solution = new MdrpSolution();
        solution.Assignments.AddRange(counter.Assignments);
        foreach (var g in moves.Select((m, i) => (m, i)).GroupBy(x => x.m.Courier).OrderBy(g => g.Key, StringComparer.Ordinal))
            solution.Moves.AddRange(g.OrderBy(x => x.i).Select(x => x.m));
        for (int i = 0; i < orders.Count; i++)
            if (!double.IsNaN(orders[i].Drop))
                solution.Orders.Add(new MdrpOrderRecord(orders[i].Id, orders[i].Placed, orders[i].Ready, orders[i].Pickup, orders[i].Drop, inst.Couriers[deliveredBy[i]].Id));
        var delivered = orders.Where(o => !double.IsNaN(o.Drop)).ToList();
        var late = delivered.Where(o => o.Drop > o.DeliverBy + 1e-9).ToList();
        var c2d = delivered.Select(o => o.Drop - o.Placed).OrderBy(v => v).ToArray();
        var sortedTicks = ticks.OrderBy(v => v).ToArray();
        return new WorldResult(
            inst.Name, scenario?.Name ?? "none", options.Replan, orders.Count, delivered.Count,
            orders.Count(o => o.Cancelled),
            // Unserved: still open at the end because no courier on shift could take it. Lost: anything
            // else not delivered or cancelled (assigned or picked up and never finished, or unknown).
            Enumerable.Range(0, orders.Count).Count(i => !orders[i].Cancelled && double.IsNaN(orders[i].Drop) && engine.GetOrderStatus(i) == OrderStatus.Open),
            Enumerable.Range(0, orders.Count).Count(i => !orders[i].Cancelled && double.IsNaN(orders[i].Drop) && engine.GetOrderStatus(i) != OrderStatus.Open),
            c2d.Length == 0 ? 0 : c2d.Average(), Evaluation.EvaluationMetrics.NearestRank(c2d, 90),
            c2d.Length == 0 ? 0 : c2d.Count(v => v > p.TargetClickToDoor) / (double)c2d.Length,
            delivered.Count == 0 ? 0 : delivered.Average(o => o.Pickup - o.ActualReady),
            delivered.Count == 0 ? 0 : delivered.Where(o => double.IsFinite(o.Promise)).Select(o => Math.Abs(o.Drop - o.Promise)).DefaultIfEmpty(0).Average(),
            delivered.Count == 0 ? 0 : delivered.Count(o => o.Drop > o.Promise + 0.5) / (double)delivered.Count,
            counter.Released, counter.Reassigned, counter.EtaChanged,
            sortedTicks.Length == 0 ? 0 : sortedTicks[sortedTicks.Length / 2], sortedTicks.Length == 0 ? 0 : sortedTicks[^1],
            wall.Elapsed.TotalMilliseconds)
        {
            Trace = trace,
            Solution = solution,
            Overlays = new Reports.MapOverlays { CongestionZones = zones, Closures = closures },
            TickMilliseconds = ticks.ToArray(),
            PromisedOrders = orders.Count(o => double.IsFinite(o.DeliverBy)),
            LateDropoffs = late.Count,
            MinutesPastDeliverBy = late.Sum(o => o.Drop - o.DeliverBy),
            PlannedLateDropoffs = counter.PlannedLate,
            DrivingMinutes = couriers.Sum(c => c.Driving),
        };
    }

    private static Polygon Polygon(GeometryFactory gf, List<double[]> pts, Func<double[], Coordinate> at)
    {
        var coords = pts.Select(at).ToList();
        if (!coords[0].Equals2D(coords[^1])) coords.Add(coords[0].Copy());
        return gf.CreatePolygon(coords.ToArray());
    }

    /// <summary>Middle minute of the busiest 60-minute window of placements.</summary>
    internal static double PeakMinute(MdrpInstance inst)
    {
        if (inst.Orders.Length == 0) return 0;
        var times = inst.Orders.Select(o => o.PlacementTime).OrderBy(t => t).ToArray();
        int best = 0, bestStart = times[0];
        for (int i = 0, j = 0; i < times.Length; i++)
        {
            while (times[i] - times[j] >= 60) j++;
            if (i - j + 1 > best) { best = i - j + 1; bestStart = times[j]; }
        }
        return bestStart + 30;
    }

    private static IEnumerable<int> PickCouriers(ScenarioEvent e, WorldCourier[] couriers, MdrpInstance inst,
        DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>> engine, double now, Random rng, double cx, double cy)
    {
        var onShift = new List<int>();
        for (int i = 0; i < couriers.Length; i++)
            if (!couriers[i].Offline && engine.TryGetCourier(i, out var v) && v.OnShift) onShift.Add(i);
        int count = e.Count ?? (int)Math.Max(1, Math.Round(e.Share!.Value * onShift.Count));
        IEnumerable<int> ordered = e.Couriers switch
        {
            "busiest" => onShift.OrderByDescending(i => engine.TryGetCourier(i, out var v) ? v.PlannedStops : 0).ThenBy(i => i),
            "nearest-center" => onShift.OrderBy(i => Math.Pow(couriers[i].X - cx, 2) + Math.Pow(couriers[i].Y - cy, 2)).ThenBy(i => i),
            _ => onShift.OrderBy(_ => rng.Next()),
        };
        return ordered.Take(count).ToList();
    }

    private struct ChangeCounter : IAssignmentSink
    {
        public int Released, Reassigned, EtaChanged, PlannedLate;
        public List<MdrpAssignmentRecord> Assignments;
        public string[] CourierIds, OrderIds;
        public double[] DeliverBy;

        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
        {
            double pickup = double.NaN;
            var drops = new List<string>();
            foreach (var s in stops)
            {
                if (s.Kind == StopKind.Pickup) { if (double.IsNaN(pickup)) pickup = s.ServiceAt; }
                else
                {
                    drops.Add(OrderIds[s.OrderId]);
                    if (s.ServiceAt > DeliverBy[s.OrderId] + 1e-9) PlannedLate++;
                }
            }
            Assignments.Add(new MdrpAssignmentRecord(assignment.AssignedAt, pickup, CourierIds[assignment.CourierId], drops.ToArray()));
        }
        public void OnPlanChange(in PlanChange change)
        {
            switch (change.Kind)
            {
                case PlanChangeKind.Released: Released++; break;
                case PlanChangeKind.Reassigned: Reassigned++; break;
                case PlanChangeKind.EtaChanged: EtaChanged++; break;
            }
        }
    }
}
