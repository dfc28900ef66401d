using System.Diagnostics;
using Dispatch.Simulator.LiLim;
using Google.OrTools.ConstraintSolver;
using Google.Protobuf.WellKnownTypes;

namespace Dispatch.Bench.Peer;

/// <summary>What one OR-Tools PDPTW solve returned.</summary>
/// <param name="Found">Whether OR-Tools returned a solution within the limit (every node is mandatory:
/// a solution visits every pickup and delivery).</param>
/// <param name="Routes">The non-empty routes of that solution, node ids in visiting order, depot left out,
/// exactly as read from the solver's NextVar chain (nothing repaired or reordered).</param>
/// <param name="FirstSolutionSeconds">Time from the start of <see cref="OrToolsPdptw.Solve"/> (model build
/// included) to the first solution the search reported; null if none.</param>
/// <param name="WallSeconds">Model build + search.</param>
/// <param name="Solutions">How many solutions the at-solution callback saw (first + each improvement).</param>
/// <param name="Objective">OR-Tools' own objective of the returned solution (scaled, fixed vehicle costs included).</param>
/// <param name="FirstObjective">OR-Tools' objective of the first solution (null if none).</param>
/// <param name="Status">OR-Tools' routing status.</param>
internal sealed record OrToolsPdptwResult(
    bool Found, int[][] Routes, double? FirstSolutionSeconds, double WallSeconds, int Solutions,
    long Objective, long? FirstObjective, string Status);

/// <summary>
/// Google OR-Tools routing on a Li &amp; Lim PDPTW instance, modelled the way OR-Tools' own
/// pickup-and-delivery-with-time-windows documentation and samples do, as an honest peer for the
/// route optimizer: one vehicle type, all vehicles at depot node 0, a distance arc cost, a "Time"
/// dimension with windows and waiting, a capacity dimension, <c>AddPickupAndDelivery</c> with the
/// same-vehicle and pickup-before-delivery constraints, PARALLEL_CHEAPEST_INSERTION then
/// GUIDED_LOCAL_SEARCH until the time limit. A fixed cost per vehicle makes it minimise vehicles
/// first, then distance: the benchmark's hierarchical objective.
/// </summary>
internal sealed class OrToolsPdptw
{
    /// <summary>
    /// Integer units per distance / time unit. OR-Tools routing works on 64-bit integers, while the
    /// benchmark's distances are unrounded Euclidean doubles: scaling by 1000 keeps the rounding error
    /// at 0.0005 per leg (under 0.2 over a 400-task instance's legs), far below what separates two
    /// solutions, and the largest values (400-task horizons ~ 10^4, fixed vehicle costs ~ 10^9) stay
    /// far from overflow. The distance a caller reports is recomputed from the unrounded coordinates,
    /// never taken from OR-Tools' scaled objective.
    /// </summary>
    public const long Scale = 1000;

    private readonly LiLimInstance _instance;
    private readonly double _timeLimitSeconds;
    private readonly bool _minimizeVehicles;

    /// <param name="minimizeVehicles">true (the default): a fixed cost per used vehicle larger than any
    /// solution's total distance, so fewer vehicles always wins; false: distance only, as the reference
    /// runs in ../shared/lilim/README.md were made.</param>
    public OrToolsPdptw(LiLimInstance instance, double timeLimitSeconds, bool minimizeVehicles = true)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (!(timeLimitSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(timeLimitSeconds), timeLimitSeconds, "the time limit must be positive");
        _instance = instance;
        _timeLimitSeconds = timeLimitSeconds;
        _minimizeVehicles = minimizeVehicles;
    }

    /// <summary>The OR-Tools search configuration, for reports.</summary>
    public string Describe() =>
        $"Google OR-Tools 9.15 routing, PARALLEL_CHEAPEST_INSERTION + GUIDED_LOCAL_SEARCH, {_timeLimitSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s"
        + (_minimizeVehicles ? ", fixed cost per vehicle" : ", distance only");

    public OrToolsPdptwResult Solve()
    {
        var wall = Stopwatch.StartNew();
        var inst = _instance;
        var nodes = inst.Nodes;
        int n = nodes.Length;
        int nv = inst.Vehicles;

        // Scaled matrices by node id. Arc cost: distance rounded to the nearest unit. Time transit: the
        // distance rounded UP plus the service at the from-node: the ceiling makes every schedule
        // OR-Tools accepts feasible in exact arithmetic too (the windows are whole numbers, scaled
        // exactly), at the price of at most 1/1000 of a time unit per leg of pessimism.
        var cost = new long[n * n];
        var transit = new long[n * n];
        long maxLeg = 0;
        for (int a = 0; a < n; a++)
        {
            long service = (long)Math.Round(nodes[a].Service * Scale);
            for (int b = 0; b < n; b++)
            {
                if (a == b) continue;
                double d = inst.Distance(a, b) * Scale;
                cost[a * n + b] = (long)Math.Round(d);
                transit[a * n + b] = (long)Math.Ceiling(d) + service;
                maxLeg = Math.Max(maxLeg, cost[a * n + b]);
            }
        }

        using var manager = new RoutingIndexManager(n, nv, 0);
        using var routing = new RoutingModel(manager);
        var solver = routing.solver();
        int indices = (int)routing.Size() + nv;   // every index, vehicle ends included
        var nodeOf = new int[indices];
        for (int i = 0; i < indices; i++) nodeOf[i] = manager.IndexToNode(i);

        LongLongToLong distanceFn = (from, to) => cost[nodeOf[from] * n + nodeOf[to]];
        LongLongToLong timeFn = (from, to) => transit[nodeOf[from] * n + nodeOf[to]];
        LongToLong demandFn = from => nodes[nodeOf[from]].Demand;
        int distanceIdx = routing.RegisterTransitCallback(distanceFn);
        int timeIdx = routing.RegisterTransitCallback(timeFn);
        int demandIdx = routing.RegisterUnaryTransitCallback(demandFn);
        routing.SetArcCostEvaluatorOfAllVehicles(distanceIdx);

        // Vehicles first: a solution has (tasks + routes) legs, each at most maxLeg long, so its total
        // scaled distance is below (tasks + vehicles) * maxLeg. A fixed cost above that bound makes
        // one vehicle fewer worth more than any distance saving; among equal vehicle counts the fixed
        // costs cancel and distance decides. (The benchmark ranks solutions exactly so.) Measured cost of
        // it (10 s): the fixed costs dominate the objective that guided local search scales its arc
        // penalties by, so distance at an equal vehicle count suffers (lr1_2_1: 21 vehicles, 5428 with
        // it, 4896 without); it does find fewer vehicles (lr201 4 instead of 6, lrc201 4 instead of 5).
        long fixedCost = _minimizeVehicles ? (inst.Tasks + nv) * maxLeg + 1 : 0;
        routing.SetFixedCostOfAllVehicles(fixedCost);

        // Time: cumul = start of service at the node; slack = waiting (up to the whole horizon).
        long horizon = (long)Math.Floor(inst.Depot.Due * Scale);
        routing.AddDimension(timeIdx, horizon, horizon, false, "Time");
        var time = routing.GetMutableDimension("Time");
        for (int id = 1; id < n; id++)
            time.CumulVar(manager.NodeToIndex(id)).SetRange((long)Math.Ceiling(nodes[id].Ready * Scale), (long)Math.Floor(nodes[id].Due * Scale));
        long depotReady = (long)Math.Ceiling(inst.Depot.Ready * Scale);
        for (int v = 0; v < nv; v++)
        {
            time.CumulVar(routing.Start(v)).SetRange(depotReady, horizon);
            time.CumulVar(routing.End(v)).SetRange(depotReady, horizon);   // back by the depot's due, last service included
        }

        routing.AddDimensionWithVehicleCapacity(demandIdx, 0, Enumerable.Repeat((long)inst.Capacity, nv).ToArray(), true, "Capacity");

        // Requests: the standard OR-Tools PDPTW pattern.
        for (int id = 1; id < n; id++)
        {
            if (nodes[id].Delivery == 0) continue;
            long pickup = manager.NodeToIndex(id), delivery = manager.NodeToIndex(nodes[id].Delivery);
            routing.AddPickupAndDelivery(pickup, delivery);
            solver.Add(solver.MakeEquality(routing.VehicleVar(pickup), routing.VehicleVar(delivery)));
            solver.Add(solver.MakeLessOrEqual(time.CumulVar(pickup), time.CumulVar(delivery)));
        }

        var search = operations_research_constraint_solver.DefaultRoutingSearchParameters();
        search.FirstSolutionStrategy = FirstSolutionStrategy.Types.Value.ParallelCheapestInsertion;
        search.LocalSearchMetaheuristic = LocalSearchMetaheuristic.Types.Value.GuidedLocalSearch;
        search.TimeLimit = Duration.FromTimeSpan(TimeSpan.FromSeconds(_timeLimitSeconds));
        search.LogSearch = Environment.GetEnvironmentVariable("PEER_LOG") == "1";

        double? firstAt = null;
        long? firstObjective = null;
        int solutions = 0;
        VoidToVoid onSolution = () =>
        {
            solutions++;
            if (firstAt is null)
            {
                firstAt = wall.Elapsed.TotalSeconds;
                firstObjective = routing.CostVar().Value();
            }
        };
        routing.AddAtSolutionCallback(onSolution);

        var solution = routing.SolveWithParameters(search);
        wall.Stop();
        string status = routing.GetStatus().ToString();

        var routes = new List<int[]>();
        long objective = 0;
        if (solution is not null)
        {
            objective = solution.ObjectiveValue();
            var route = new List<int>();
            for (int v = 0; v < nv; v++)
            {
                route.Clear();
                long idx = solution.Value(routing.NextVar(routing.Start(v)));
                while (!routing.IsEnd(idx))
                {
                    route.Add(nodeOf[idx]);
                    idx = solution.Value(routing.NextVar(idx));
                }
                if (route.Count > 0) routes.Add(route.ToArray());
            }
        }
        GC.KeepAlive(distanceFn); GC.KeepAlive(timeFn); GC.KeepAlive(demandFn); GC.KeepAlive(onSolution);
        return new OrToolsPdptwResult(solution is not null, routes.ToArray(), firstAt, wall.Elapsed.TotalSeconds, solutions, objective, firstObjective, status);
    }
}

/// <summary>
/// pdptw-ortools &lt;instance-file-or-folder&gt; [--time-limit s] [--out dir] [--distance-only]: solves each
/// Li &amp; Lim instance with <see cref="OrToolsPdptw"/>, checks the routes with the project's independent
/// <see cref="LiLimChecker"/> and prints vehicles, distance (the checker's: Euclidean legs from the
/// unrounded coordinates, depot legs included), time to first solution and wall time, with the best known
/// from bks.csv beside the instances folder when there is one. --out writes each solution in the
/// benchmark's format (<see cref="LiLimSolution.Save"/>). Exit code 1 if an instance got no solution or
/// an infeasible one.
/// </summary>
internal static class PdptwOrToolsCommand
{
    public static int Run(string[] args)
    {
        string? input = null, outDir = null;
        double limit = 10;
        bool minimizeVehicles = true;
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--time-limit": limit = double.Parse(Next(args, ref i), NumberStyles.Float, inv); break;
                case "--out": outDir = Next(args, ref i); break;
                case "--distance-only": minimizeVehicles = false; break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || input is not null) { Console.Error.WriteLine($"unexpected argument {args[i]}"); return 2; }
                    input = args[i];
                    break;
            }
        }
        if (input is null) { Console.Error.WriteLine("usage: pdptw-ortools <instance-file-or-folder> [--time-limit s] [--out dir] [--distance-only]"); return 2; }

        string[] files;
        if (Directory.Exists(input)) files = Directory.GetFiles(input, "*.txt").Order(StringComparer.Ordinal).ToArray();
        else if (File.Exists(input)) files = [input];
        else { Console.Error.WriteLine($"not found: {input}"); return 2; }
        if (files.Length == 0) { Console.Error.WriteLine($"no *.txt instances in {input}"); return 2; }

        var bks = FindBestKnown(Path.GetDirectoryName(Path.GetFullPath(files[0]))!);
        Console.WriteLine($"# {Stats.Machine()}; time limit {limit.ToString(inv)} s; {(minimizeVehicles ? "vehicles first (fixed cost per vehicle), then distance" : "distance only")}");
        Console.WriteLine($"{"instance",-10} {"vehicles",8} {"distance",10} {"first sol s",11} {"wall s",7} {"solutions",9}  {"best known",-16} {"gap %",7}  check");
        int failures = 0;
        var gaps = new List<double>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        foreach (var file in files)
        {
            var instance = LiLimInstance.Load(file);
            var peer = new OrToolsPdptw(instance, limit, minimizeVehicles);
            var result = peer.Solve();
            string best = "", gap = "";
            bool hasBest = bks.TryGetValue(instance.Name, out var b);
            if (hasBest) best = $"{b.Vehicles} / {b.Distance.ToString("F2", inv)}";
            if (!result.Found)
            {
                failures++;
                Console.WriteLine(string.Create(inv, $"{instance.Name,-10} {"-",8} {"-",10} {"-",11} {result.WallSeconds,7:F2} {result.Solutions,9}  {best,-16} {"",7}  no solution ({result.Status})"));
                continue;
            }
            var check = LiLimChecker.Check(instance, result.Routes);
            if (!check.Feasible) failures++;
            if (hasBest)
            {
                double g = BestKnown.GapPercent(check.Distance, b.Distance);
                gaps.Add(g);
                gap = BestKnown.FormatPercent(g);
            }
            string first = result.FirstSolutionSeconds is { } f ? f.ToString("F3", inv) : "-";
            string verdict = check.Feasible ? "feasible" : $"INFEASIBLE: {string.Join("; ", check.Violations)}";
            Console.WriteLine(string.Create(inv, $"{instance.Name,-10} {check.Vehicles,8} {check.Distance,10:F2} {first,11} {result.WallSeconds,7:F2} {result.Solutions,9}  {best,-16} {gap,7}  {verdict}"));
            if (outDir is not null)
                new LiLimSolution(instance.Name, result.Routes).Save(Path.Combine(outDir, instance.Name + ".txt"), "Dispatch", peer.Describe(), today);
        }
        if (gaps.Count > 1) Console.WriteLine(string.Create(inv, $"# mean distance gap {BestKnown.FormatPercent(gaps.Average())} % over {gaps.Count} instances"));
        return failures == 0 ? 0 : 1;
    }


    private static string Next(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    /// <summary>bks.csv in the instances folder or its parent (../shared/lilim/bks.csv for ../shared/lilim/instances); empty if none.</summary>
    internal static IReadOnlyDictionary<string, BestKnownSolution> FindBestKnown(string instanceDir)
    {
        foreach (var dir in new[] { instanceDir, Path.GetDirectoryName(instanceDir) })
            if (dir is not null && File.Exists(Path.Combine(dir, "bks.csv"))) return BestKnown.Load(Path.Combine(dir, "bks.csv"));
        return new Dictionary<string, BestKnownSolution>();
    }
}
