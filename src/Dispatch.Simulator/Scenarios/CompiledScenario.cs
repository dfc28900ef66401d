using Dispatch.Hosting;
using Dispatch.Protocol;
using Dispatch.Simulator.World;
using NetTopologySuite.Geometries;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// A scenario laid on a trace, everything drawn before the world starts: the traffic (rain, congestion,
/// closures) as the protocol commands that report it, the orders with demand surges cloned in and kitchen
/// delays drawn, the timed events (delay announcements, cancellations, courier outages), and the zones and
/// closures for the report's map. Times and places are relative to the trace's extent; every draw comes
/// from the scenario's seed, in a fixed order.
/// </summary>
internal sealed class CompiledScenario
{
    /// <summary>
    /// The traffic grid over the trace's extent (plus a tenth on each side), for the world's traffic and
    /// the engine's picture alike: told the same reports, the engine times a leg as the world's couriers
    /// drive it.
    /// </summary>
    public required TrafficSettings TrafficSettings { get; init; }

    /// <summary>
    /// The scenario's traffic events as commands (SetCitywideFactor, AddCongestionZone, AddClosure), in the
    /// scenario's order, each with the number of its event in the file (also the zone's or closure's id, so
    /// a refusal names the event). One definition of the traffic: the world drives in it, and the engine,
    /// when it re-plans, is told of it through the command router.
    /// </summary>
    public required List<(int EventNumber, Command Report)> TrafficReports { get; init; }

    public required List<WorldOrder> Orders { get; init; }

    /// <summary>Kitchen-delay announcements and cancellations (<see cref="WorldEvent.Id"/>: the order), in the order drawn.</summary>
    public required List<(double At, WorldEventKind Kind, int Order)> Events { get; init; }

    /// <summary>Courier outages, in the order of the scenario (<see cref="WorldEventKind.CourierOffline"/>'s id indexes this).</summary>
    public required List<(double At, ScenarioEvent Event)> Outages { get; init; }

    public required Reports.MapOverlays Overlays { get; init; }

    /// <summary>The scenario's random source: it drew the surges, delays and cancellations and goes on to pick the
    /// couriers of random outages, so one seed gives one run.</summary>
    public required Random Rng { get; init; }

    /// <summary>Middle of the trace's bounding box (outages of the couriers nearest the centre).</summary>
    public double CenterX { get; init; }

    /// <inheritdoc cref="CenterX"/>
    public double CenterY { get; init; }

    public static CompiledScenario Compile(MdrpInstance inst, WorldReplayOptions options)
    {
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
        if (options.PeakMinute is { } fixedPeak && !(double.IsFinite(fixedPeak) && fixedPeak >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), fixedPeak, $"{nameof(WorldReplayOptions.PeakMinute)} must be a finite minute >= 0, got {fixedPeak}");
        double peak = options.PeakMinute ?? PeakMinute(inst);
        var gf = new GeometryFactory();
        Coordinate At(double[] f) => new(minX + f[0] * (maxX - minX), minY + f[1] * (maxY - minY));
        double T(System.Text.Json.JsonElement? e) => ScenarioEvent.ParseTime(e!.Value, start, end, peak);

        double[] Flat(List<double[]> points) => points.Select(At).SelectMany(c => new[] { c.X, c.Y }).ToArray();

        double padX = (maxX - minX) * 0.1, padY = (maxY - minY) * 0.1;
        var trafficSettings = new TrafficSettings(minX - padX, minY - padY, maxX + padX, maxY + padY, options.TrafficCellMeters, options.ClosureDetourMinutes);
        var trafficReports = new List<(int, Command)>();

        // Orders, with demand surges cloned in, kitchen delays and cancellations drawn, all from the seed.
        var orders = new List<WorldOrder>(inst.Orders.Length);
        foreach (var o in inst.Orders)
            orders.Add(new WorldOrder { Id = o.Id, Site = inst.RestaurantIndex[o.Restaurant], X = o.X, Y = o.Y, Placed = o.PlacementTime, Ready = o.ReadyTime, ActualReady = o.ReadyTime, DeliverBy = o.DeliverBy ?? double.PositiveInfinity });
        var timed = new List<(double, WorldEventKind, int)>();
        var outages = new List<(double At, ScenarioEvent E)>();
        var zones = new List<Reports.CongestionZone>();
        var closures = new List<Reports.Closure>();

        var events = scenario?.Events ?? [];
        for (int n = 1; n <= events.Count; n++)
        {
            var e = events[n - 1];
            switch (e.Kind)
            {
                case "rain":
                    trafficReports.Add((n, Command.SetCitywideFactor(0, e.Factor!.Value, T(e.From), T(e.To))));
                    break;
                case "congestion":
                    trafficReports.Add((n, Command.AddCongestionZone(0, n, e.Factor!.Value, T(e.From), T(e.To), Flat(e.Area!))));
                    zones.Add(new Reports.CongestionZone($"congestion x{e.Factor!.Value:0.##}", Polygon(gf, e.Area!, At), e.Factor));
                    break;
                case "closure":
                    if (e.Line is not null)
                    {
                        trafficReports.Add((n, Command.AddClosure(0, n, T(e.From), T(e.To), WireClosureKind.Line, Flat(e.Line))));
                        closures.Add(new Reports.Closure("closure", gf.CreateLineString(e.Line.Select(At).ToArray())));
                    }
                    else
                    {
                        trafficReports.Add((n, Command.AddClosure(0, n, T(e.From), T(e.To), WireClosureKind.Polygon, Flat(e.Area!))));
                        closures.Add(new Reports.Closure("closure", Polygon(gf, e.Area!, At).ExteriorRing));
                    }
                    break;
                case "demand-surge":
                    AddSurge(orders, T(e.From), T(e.To), e.Area is null ? null : Polygon(gf, e.Area, At), e.Factor!.Value, rng, gf);
                    break;
                case "kitchen-delay":
                    DrawKitchenDelays(orders, T(e.From), T(e.To), e.Share!.Value, e.Minutes!.Value, rng, timed);
                    break;
                case "cancellations":
                    DrawCancellations(orders, T(e.From), T(e.To), e.Share!.Value, rng, timed);
                    break;
                case "delivery-failures":
                    DrawDeliveryFailures(orders, T(e.From), T(e.To), e.Share!.Value, e.Wrong ?? 0, e.Minutes, rng);
                    break;
                case "out-of-stock":
                    DrawOutOfStock(orders, T(e.From), T(e.To), e.Share!.Value, e.Minutes!.Value, e.Cancel ?? 0, rng, timed);
                    break;
                case "courier-offline":
                    outages.Add((T(e.At), e));
                    break;
            }
        }
        return new CompiledScenario
        {
            TrafficSettings = trafficSettings, TrafficReports = trafficReports, Orders = orders, Events = timed, Outages = outages, Rng = rng,
            Overlays = new Reports.MapOverlays { CongestionZones = zones, Closures = closures },
            CenterX = (minX + maxX) / 2, CenterY = (minY + maxY) / 2,
        };
    }

    /// <summary>Clones the orders placed in [from, to) (inside <paramref name="area"/> if given) so that there are
    /// <paramref name="factor"/> times as many, each clone placed within 3 minutes of its original and dropped off near it.</summary>
    private static void AddSurge(List<WorldOrder> orders, double from, double to, Geometry? area, double factor, Random rng, GeometryFactory gf)
    {
        int n = orders.Count;
        for (int i = 0; i < n; i++)
        {
            var o = orders[i];
            if (o.Placed < from || o.Placed >= to) continue;
            if (area is not null && !area.Contains(gf.CreatePoint(new Coordinate(o.X, o.Y)))) continue;
            double extra = factor - 1;
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
    }

    /// <summary>A <paramref name="share"/> of the orders due ready in [from, to) are really ready <paramref name="minutes"/> later.</summary>
    private static void DrawKitchenDelays(List<WorldOrder> orders, double from, double to, double share, double minutes, Random rng, List<(double, WorldEventKind, int)> events)
    {
        for (int i = 0; i < orders.Count; i++)
        {
            var o = orders[i];
            if (o.Ready < from || o.Ready >= to || rng.NextDouble() >= share) continue;
            o.ActualReady = o.Ready + minutes;
            // The kitchen says so five minutes before the food was due (or at placement).
            events.Add((Math.Max(o.Placed, o.Ready - 5), WorldEventKind.KitchenDelay, i));
        }
    }

    /// <summary>A <paramref name="share"/> of the orders placed in [from, to) are cancelled 2 to 10 minutes after placement.</summary>
    private static void DrawCancellations(List<WorldOrder> orders, double from, double to, double share, Random rng, List<(double, WorldEventKind, int)> events)
    {
        for (int i = 0; i < orders.Count; i++)
            if (orders[i].Placed >= from && orders[i].Placed < to && rng.NextDouble() < share)
                events.Add((orders[i].Placed + 2 + Math.Floor(rng.NextDouble() * 9), WorldEventKind.Cancel, i));
    }

    /// <summary>
    /// A <paramref name="share"/> of the deliveries whose drop-off falls in [from, to) fail at the door: drawn per order
    /// here (the drop-off time is the world's, known only when it happens), checked at the drop-off. A
    /// <paramref name="wrong"/> share of those go to the wrong customer instead. An order fails once: its re-made trip
    /// gets through.
    /// </summary>
    private static void DrawDeliveryFailures(List<WorldOrder> orders, double from, double to, double share, double wrong, double? minutes, Random rng)
    {
        foreach (var o in orders)
        {
            if (rng.NextDouble() >= share) continue;
            o.FailFrom = from; o.FailTo = to;
            o.FailWrong = rng.NextDouble() < wrong;
            o.RemakeMinutes = minutes ?? double.NaN;
        }
    }

    /// <summary>A <paramref name="share"/> of the orders placed in [from, to) run out of an item: the kitchen says so 2 to 5
    /// minutes after placement with a ready time <paramref name="minutes"/> later; a <paramref name="cancel"/> share of
    /// those customers cancel 3 minutes after that.</summary>
    private static void DrawOutOfStock(List<WorldOrder> orders, double from, double to, double share, double minutes, double cancel, Random rng, List<(double, WorldEventKind, int)> events)
    {
        for (int i = 0; i < orders.Count; i++)
        {
            var o = orders[i];
            if (o.Placed < from || o.Placed >= to || rng.NextDouble() >= share) continue;
            double at = o.Placed + 2 + Math.Floor(rng.NextDouble() * 4);
            o.StockDelay = minutes;
            o.StockCancels = rng.NextDouble() < cancel;
            events.Add((at, WorldEventKind.OutOfStock, i));
        }
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
}
