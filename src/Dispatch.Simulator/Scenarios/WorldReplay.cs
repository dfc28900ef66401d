using System.Diagnostics;
using Dispatch.Hosting;
using Dispatch.Protocol;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// Replays a trace in a simulated world that can differ from what the engine believes: couriers
/// really drive at the world's traffic speed (a leg's time is fixed when it starts), kitchens really
/// finish at the delayed ready time, couriers really drop out. The world's couriers follow the engine's
/// current plan (read back after every decision), confirm pickups and drop-offs at their actual
/// times and report their positions every tick. Scenario events are applied at their times.
/// Everything the engine learns (sites, shifts, orders, delays, cancellations, outages, positions,
/// confirmations, traffic, ticks) reaches it as a protocol command through the command router
/// (<see cref="EngineDriver{TTravel}.Route"/>), as the server's commands do; the world's own traffic, what
/// its couriers really drive in, is a picture of its own.
/// Three steps: compile the scenario (<see cref="CompiledScenario"/>), run the world
/// (<see cref="ScenarioWorld"/> on the <see cref="WorldDriver{TTravel}"/>), assemble the result.
/// </summary>
public static class WorldReplay
{
    /// <summary>The citywide factor 1 (normal speed) from minute 0 on, open-ended.</summary>
    private static readonly Command NormalSpeed = Command.SetCitywideFactor(0, 1, 0, double.PositiveInfinity);

    public static WorldResult Run(MdrpInstance inst, WorldReplayOptions? options = null)
    {
        options ??= new WorldReplayOptions();
        var wall = Stopwatch.StartNew();
        var scenario = CompiledScenario.Compile(inst, options);
        var world = Start(inst, options, scenario, out var driver);
        driver.Run(world);
        return Assemble(inst, options, scenario, world, wall);
    }

    /// <summary>
    /// The engine behind the command router, told the traffic it knows of and the trace's restaurants and
    /// courier shifts; the world's traffic; the couriers at their start positions; and the driver with
    /// every scenario event and placement queued. Throws <see cref="InvalidDataException"/> naming the
    /// scenario's event when the router refuses its traffic (an invalid polygon, an empty window).
    /// </summary>
    internal static ScenarioWorld Start(MdrpInstance inst, WorldReplayOptions options, CompiledScenario scenario, out WorldDriver<EngineTravel> driver)
    {
        var p = inst.Parameters;
        var orders = scenario.Orders;
        double start = inst.Orders.Length == 0 ? 0 : inst.Orders.Min(o => o.PlacementTime);
        double first = Math.Min(start, inst.Couriers.Length == 0 ? start : inst.Couriers.Min(c => c.OnTime));
        double lastShiftEnd = inst.Couriers.Length == 0 ? first : inst.Couriers.Max(c => c.OffTime);
        double lastPlacement = orders.Count == 0 ? first : orders.Max(o => o.Placed);
        var router = new EngineDriver<EuclideanCeilMinutes>(new EuclideanCeilMinutes(p.MetersPerMinute),
            MdrpEngineOptions.For(inst, options.Engine, options.Profile, options.TickMinutes, orders.Count - inst.Orders.Length) with { Replanning = options.Replan },
            new TrafficPicture(scenario.TrafficSettings));
        // First the city at normal speed: it puts the engine's travel on the grid the world's couriers drive
        // on even when it hears of no traffic, as before the router: its minutes are theirs to the bit (a
        // walk over a grid of ones is the plain rule only to within a rounding) and its tick does the work
        // the published scenario and General-profile tick times measured. A re-planning engine then hears
        // every traffic event, each with its window, as a traffic service announces it; a frozen one keeps
        // the picture it started with.
        router.Apply(NormalSpeed, first);
        if (options.Replan) ApplyTraffic(options, scenario, report => router.Apply(report, first));
        var worldTraffic = new TrafficPicture(scenario.TrafficSettings);
        ApplyTraffic(options, scenario, report => worldTraffic.Apply(report));

        for (int i = 0; i < inst.Restaurants.Length; i++) router.Apply(Command.AddSite(0, i, inst.Restaurants[i].X, inst.Restaurants[i].Y), first);
        for (int i = 0; i < inst.Couriers.Length; i++)
        {
            var c = inst.Couriers[i];
            router.Apply(Command.CourierOnShift(0, i, c.X, c.Y, c.OnTime, c.OffTime), first);
        }
        var worldTravel = new WorldTravel(new EuclideanCeilMinutes(p.MetersPerMinute), worldTraffic.Model);
        var world = new ScenarioWorld(inst, scenario, options.Replan, router, worldTraffic.Model, new DrivingCouriers(router, worldTravel, inst, orders));
        driver = new WorldDriver<EngineTravel>(router.Engine, options.TickMinutes, new WorldStopRule(lastPlacement, lastShiftEnd), first);
        world.ScheduleEvents(driver);
        return world;
    }

    /// <summary>Applies the scenario's traffic reports in order; a refusal (the router's message) is reported with the scenario's event.</summary>
    private static void ApplyTraffic(WorldReplayOptions options, CompiledScenario scenario, Action<Command> apply)
    {
        foreach (var (n, report) in scenario.TrafficReports)
        {
            try
            {
                apply(report);
            }
            catch (DispatchException ex)
            {
                var s = options.Scenario;
                throw new InvalidDataException($"scenario '{s?.Name}': event {n} ({s?.Events[n - 1].Kind}): {ex.Message}", ex);
            }
        }
    }

    /// <summary>What the world did: its metrics, the trace as run, the solution files at actual times.</summary>
    private static WorldResult Assemble(MdrpInstance inst, WorldReplayOptions options, CompiledScenario scenario, ScenarioWorld world, Stopwatch wall)
    {
        var p = inst.Parameters;
        var orders = scenario.Orders;
        var engine = world.Engine;
        var log = world.Log;
        var trace = new MdrpInstance(inst.Name, inst.Parameters, inst.Restaurants,
            orders.Select(o => new MdrpOrder(o.Id, o.X, o.Y, (int)Math.Round(o.Placed), inst.Restaurants[o.Site].Id, (int)Math.Round(o.Ready),
                double.IsFinite(o.DeliverBy) ? (int)Math.Round(o.DeliverBy) : null)).ToArray(), inst.Couriers);
        var solution = new MdrpSolution();
        solution.Assignments.AddRange(log.Assignments);
        foreach (var g in world.Couriers.Moves.Select((m, i) => (m, i)).GroupBy(x => x.m.Courier).OrderBy(g => g.Key, StringComparer.Ordinal))
            solution.Moves.AddRange(g.OrderBy(x => x.i).Select(x => x.m));
        for (int i = 0; i < orders.Count; i++)
            if (!double.IsNaN(orders[i].Drop))
                solution.Orders.Add(new MdrpOrderRecord(orders[i].Id, orders[i].Placed, orders[i].Ready, orders[i].Pickup, orders[i].Drop, inst.Couriers[world.Couriers.DeliveredBy[i]].Id));
        var delivered = orders.Where(o => !double.IsNaN(o.Drop)).ToList();
        var late = delivered.Where(o => o.Drop > o.DeliverBy + 1e-9).ToList();
        var c2d = delivered.Select(o => o.Drop - o.Placed).OrderBy(v => v).ToArray();
        var redelivered = orders.Where(o => o.Remakes > 0).ToList();
        for (int i = 0; i < orders.Count; i++) if (!double.IsNaN(orders[i].Drop)) world.Promises.Delivered(i, orders[i].Drop);
        var promises = world.Promises.Figures(engine.RequoteCount);
        var ticks = world.TickMilliseconds;
        var sortedTicks = ticks.OrderBy(v => v).ToArray();
        return new WorldResult(
            inst.Name, options.Scenario?.Name ?? "none", options.Replan, orders.Count, delivered.Count,
            orders.Count(o => o.Cancelled),
            // Unserved: still open at the end because no courier on shift could take it. Lost: anything
            // else not delivered or cancelled (assigned or picked up and never finished, or unknown).
            Enumerable.Range(0, orders.Count).Count(i => !orders[i].Cancelled && double.IsNaN(orders[i].Drop) && engine.GetOrderStatus(i) == OrderStatus.Open),
            Enumerable.Range(0, orders.Count).Count(i => !orders[i].Cancelled && double.IsNaN(orders[i].Drop) && engine.GetOrderStatus(i) != OrderStatus.Open),
            c2d.Length == 0 ? 0 : c2d.Average(), Evaluation.EvaluationMetrics.NearestRank(c2d, 90),
            c2d.Length == 0 ? 0 : c2d.Count(v => v > p.TargetClickToDoor) / (double)c2d.Length,
            delivered.Count == 0 ? 0 : delivered.Average(o => o.Pickup - o.ActualReady),
            promises.Mae, promises.LateShare,
            log.Released, log.Reassigned, log.EtaChanged,
            sortedTicks.Length == 0 ? 0 : sortedTicks[sortedTicks.Length / 2], sortedTicks.Length == 0 ? 0 : sortedTicks[^1],
            wall.Elapsed.TotalMilliseconds)
        {
            Trace = trace,
            Solution = solution,
            Overlays = scenario.Overlays,
            TickMilliseconds = ticks.ToArray(),
            PromisedOrders = orders.Count(o => double.IsFinite(o.DeliverBy)),
            LateDropoffs = late.Count,
            MinutesPastDeliverBy = late.Sum(o => o.Drop - o.DeliverBy),
            PlannedLateDropoffs = log.PlannedLate,
            DrivingMinutes = world.Couriers.DrivingMinutes,
            FailedDeliveries = orders.Sum(o => o.Failures),
            WrongDeliveries = orders.Sum(o => o.WrongDeliveries),
            Redeliveries = redelivered.Count,
            RedeliveriesDelivered = redelivered.Count(o => !double.IsNaN(o.Drop)),
            RedeliveryClickToDoorMean = redelivered.Where(o => !double.IsNaN(o.Drop)).Select(o => o.Drop - o.Placed).DefaultIfEmpty(0).Average(),
            OutOfStockChanges = orders.Count(o => o.OutOfStock),
            CancelsAfterOutOfStock = orders.Count(o => o.OutOfStock && o.Cancelled),
            PromiseSlackMean = promises.SlackMean,
            Requotes = promises.Requotes,
            Promises = world.Promises,
        };
    }
}
