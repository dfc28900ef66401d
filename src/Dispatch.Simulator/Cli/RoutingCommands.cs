using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dispatch.Routing;
using Dispatch.Simulator.LiLim;
using Dispatch.Simulator.Reports;

namespace Dispatch.Simulator;

/// <summary>
/// The route optimizer's commands: <c>solve</c> (one Li &amp; Lim instance, or a VROOM problem JSON)
/// and <c>solve-all</c> (every Li &amp; Lim instance of a folder, with a summary against the best known).
/// </summary>
internal static class RoutingCommands
{
    public static void Add(RootCommand root)
    {
        var timeOpt = new Option<double>("--time-limit") { Description = "seconds per instance", DefaultValueFactory = _ => 10 };
        var seedOpt = new Option<int>("--seed") { Description = "random seed of the search", DefaultValueFactory = _ => 1 };
        var threadsOpt = new Option<int>("--threads") { Description = "parallel searches per instance (1: single-threaded)", DefaultValueFactory = _ => Math.Min(2, Environment.ProcessorCount) };
        var iterationsOpt = new Option<long?>("--iterations") { Description = "stop after this many search iterations instead of a time limit (with --threads 1 the result is the same on any machine)" };

        var fileArg = new Argument<string>("problem") { Description = "a Li & Lim instance file (.txt) or a VROOM problem (.json)" };
        var outOpt = new Option<string?>("--out") { Description = "Li & Lim: folder for <instance>.txt; VROOM: the solution .json file" };
        var solve = new Command("solve", "optimize one problem: a Li & Lim instance (writes <out>/<name>.txt in the benchmark's format) or a VROOM problem JSON (writes VROOM's solution JSON)") { fileArg, outOpt, timeOpt, seedOpt, threadsOpt, iterationsOpt };
        solve.SetAction(pr => Cli.Guard(() =>
        {
            string file = pr.GetValue(fileArg)!;
            if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                string output = pr.GetValue(outOpt) ?? Path.ChangeExtension(file, ".solution.json");
                return Vroom.VroomCommand.Solve(file, output, Options(pr.GetValue(timeOpt), pr.GetValue(seedOpt), pr.GetValue(threadsOpt), pr.GetValue(iterationsOpt)), Console.Out);
            }
            var row = SolveLiLim(LiLimInstance.Load(file), pr.GetValue(outOpt), Options(pr.GetValue(timeOpt), pr.GetValue(seedOpt), pr.GetValue(threadsOpt), pr.GetValue(iterationsOpt)), null);
            Console.WriteLine(row.ToText());
            return row.Feasible ? 0 : 1;
        }));
        root.Subcommands.Add(solve);

        var folderArg = new Argument<string>("folder") { Description = "a folder of Li & Lim instance files" };
        var allOutOpt = new Option<string>("--out") { Description = "folder for <instance>.txt solutions and summary.md / summary.json", DefaultValueFactory = _ => "out/solve-all" };
        var bksOpt = new Option<string?>("--bks") { Description = "bks.csv with the best known solutions, for the gap columns" };
        var filterOpt = new Option<string?>("--filter") { Description = "only instances whose name starts with one of these comma-separated prefixes (e.g. lc1,lr2)" };
        var sizeOpt = new Option<int?>("--tasks") { Description = "only instances of this size class (100, 200, 400, ...: the benchmark's nominal task count)" };
        var quietOpt = new Option<bool>("--quiet") { Description = "no progress bar or progress lines" };
        var solveAll = new Command("solve-all", "optimize every Li & Lim instance of a folder; writes each solution and summary.md / summary.json (routes, distance, gap to the best known, feasibility by the project's checker, time)")
            { folderArg, allOutOpt, timeOpt, seedOpt, threadsOpt, iterationsOpt, bksOpt, filterOpt, sizeOpt, quietOpt };
        solveAll.SetAction(pr => Cli.Guard(() => SolveAll(pr.GetValue(folderArg)!, pr.GetValue(allOutOpt)!, Options(pr.GetValue(timeOpt), pr.GetValue(seedOpt), pr.GetValue(threadsOpt), pr.GetValue(iterationsOpt)),
            pr.GetValue(bksOpt), pr.GetValue(filterOpt), pr.GetValue(sizeOpt), ProgressReporter.Detect(pr.GetValue(quietOpt)))));
        root.Subcommands.Add(solveAll);
    }

    private static OptimizerOptions Options(double seconds, int seed, int threads, long? iterations)
    {
        if (!(seconds > 0)) throw new ArgumentException($"--time-limit must be positive, got {seconds}");
        if (iterations is < 0) throw new ArgumentException($"--iterations must be 0 or more, got {iterations}");
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}");
        return iterations is { } n
            ? new OptimizerOptions { TimeLimit = null, MaxIterations = n, Seed = seed, Threads = threads }
            : new OptimizerOptions { TimeLimit = TimeSpan.FromSeconds(seconds), Seed = seed, Threads = threads };
    }

    /// <summary>"10 s" or "20,000 iterations": the budget as a summary names it.</summary>
    internal static string Budget(OptimizerOptions options) =>
        options.MaxIterations is { } n && options.TimeLimit is null
            ? string.Create(CultureInfo.InvariantCulture, $"{n:N0} iterations")
            : string.Create(CultureInfo.InvariantCulture, $"{options.TimeLimit?.TotalSeconds} s");

    /// <summary>One instance's result as the summary shows it.</summary>
    internal sealed record SolveRow(string Instance, int SizeClass, int Tasks, int Vehicles, double Distance, bool Feasible, int Violations, double Seconds, double? FirstFeasibleSeconds,
        long Iterations, int? BestVehicles, double? BestDistance)
    {
        public double? Gap => BestDistance is { } b ? BestKnown.GapPercent(Distance, b) : null;

        public string ToText() =>
            $"{Instance}: {Vehicles} vehicles, distance {Distance.ToString("F2", CultureInfo.InvariantCulture)}"
            + (BestDistance is { } b ? $" (best known {BestVehicles} / {b.ToString("F2", CultureInfo.InvariantCulture)}, gap {BestKnown.FormatPercent(Gap!.Value)} %)" : "")
            + $", {(Feasible ? "feasible" : $"INFEASIBLE ({Violations} violations)")}, {Seconds.ToString("F1", CultureInfo.InvariantCulture)} s, {Iterations:N0} iterations";
    }

    internal static SolveRow SolveLiLim(LiLimInstance instance, string? outDir, OptimizerOptions options, BestKnownSolution? best)
    {
        var sw = Stopwatch.StartNew();
        var solution = new RouteOptimizer(LiLimRouting.ToProblem(instance), options).Solve();
        sw.Stop();
        var routes = LiLimRouting.ToRoutes(solution);
        // The independent check: the project's checker re-simulates every route from the instance file.
        var check = LiLimChecker.Check(instance, routes);
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            new LiLimSolution(instance.Name, routes).Save(Path.Combine(outDir, instance.Name + ".txt"), "Dispatch",
                $"Dispatch route optimizer, {Budget(options)}, seed {options.Seed}", DateOnly.FromDateTime(DateTime.UtcNow));
        }
        foreach (var v in check.Violations.Take(20)) Console.Error.WriteLine($"  {instance.Name}: {v}");
        if (solution.Unassigned.Count > 0) Console.Error.WriteLine($"  {instance.Name}: {solution.Unassigned.Count} requests unassigned ({solution.Unassigned[0].Reason}: {solution.Unassigned[0].Detail})");
        return new SolveRow(instance.Name, instance.SizeClass, instance.Tasks, check.Vehicles, check.Distance, check.Feasible, check.Violations.Count, sw.Elapsed.TotalSeconds,
            solution.FirstComplete?.TotalSeconds, solution.Iterations, best?.Vehicles, best?.Distance);
    }

    private static int SolveAll(string folder, string outDir, OptimizerOptions options, string? bksPath, string? filter, int? tasks, ProgressMode mode)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"instance folder not found: {folder}");
        var bks = bksPath is null ? null : BestKnown.Load(bksPath);
        var prefixes = filter?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var files = Directory.GetFiles(folder, "*.txt").OrderBy(f => f, StringComparer.Ordinal)
            .Where(f => prefixes.Length == 0 || prefixes.Any(p => Path.GetFileName(f).StartsWith(p, StringComparison.Ordinal))).ToList();
        var instances = files.Select(LiLimInstance.Load).Where(i => tasks is null || i.SizeClass == tasks).ToList();
        if (instances.Count == 0) throw new InvalidDataException($"no Li & Lim instances (*.txt) in {folder} match");
        Directory.CreateDirectory(outDir);
        var rows = new List<SolveRow>();
        var sw = Stopwatch.StartNew();
        // One instance at a time: the optimizer uses both cores itself (Threads), and the time limit is per instance.
        ProgressReporter.Run($"solve-all {instances.Count} instances", instances.Count, mode, progress =>
        {
            foreach (var inst in instances)
            {
                progress.Status(inst.Name);
                BestKnownSolution? best = bks is not null && bks.TryGetValue(inst.Name, out var b) ? b : null;
                var row = SolveLiLim(inst, outDir, options, best);
                rows.Add(row);
                if (mode != ProgressMode.Bar) Console.Error.WriteLine(row.ToText());
                progress.Increment();
            }
            return 0;
        });
        sw.Stop();
        File.WriteAllText(Path.Combine(outDir, "summary.md"), SummaryMarkdown(rows, options, sw.Elapsed.TotalSeconds));
        File.WriteAllText(Path.Combine(outDir, "summary.json"), SummaryJson(rows, options, sw.Elapsed.TotalSeconds));
        foreach (var line in SummaryMarkdown(rows, options, sw.Elapsed.TotalSeconds).Split('\n').Where(l => l.StartsWith("| **", StringComparison.Ordinal))) Console.WriteLine(line);
        Console.WriteLine($"wrote {Path.GetFullPath(Path.Combine(outDir, "summary.md"))}");
        int infeasible = rows.Count(r => !r.Feasible);
        if (infeasible > 0)
        {
            Console.Error.WriteLine($"error: {infeasible} instance(s) have infeasible solutions");
            return 1;
        }
        return 0;
    }

    private static string F(double x, string fmt = "F2") => x.ToString(fmt, CultureInfo.InvariantCulture);

    internal static string SummaryMarkdown(IReadOnlyList<SolveRow> rows, OptimizerOptions options, double wallSeconds)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Route optimizer on Li & Lim: {rows.Count} instances, {Budget(options)} each, {options.Threads} thread(s), seed {options.Seed}");
        sb.AppendLine();
        sb.AppendLine("| instance | tasks | vehicles | best vehicles | distance | best distance | gap % | feasible | first complete s | s | iterations |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach (var r in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Instance} | {r.Tasks} | {r.Vehicles} | {r.BestVehicles?.ToString(CultureInfo.InvariantCulture) ?? "-"} | {F(r.Distance)} | {(r.BestDistance is { } b ? F(b) : "-")} | {(r.Gap is { } g ? BestKnown.FormatPercent(g) : "-")} | {(r.Feasible ? "yes" : $"NO ({r.Violations})")} | {(r.FirstFeasibleSeconds is { } f ? F(f) : "-")} | {F(r.Seconds, "F1")} | {r.Iterations} |");
        }
        foreach (var group in rows.GroupBy(r => r.SizeClass).OrderBy(g => g.Key))
            sb.AppendLine(MeanRow($"**mean {group.Key}-task set**", group.ToList()));
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Wall time {F(wallSeconds, "F1")} s. Distances and feasibility by the project's checker (LiLimChecker), from the written routes.");
        return sb.ToString();
    }

    private static string MeanRow(string label, IReadOnlyList<SolveRow> rows)
    {
        var withBest = rows.Where(r => r.BestDistance is not null).ToList();
        string vehicles = F(rows.Average(r => r.Vehicles));
        string bestVehicles = withBest.Count > 0 ? F(withBest.Average(r => r.BestVehicles!.Value)) : "-";
        string vehicleGap = withBest.Count > 0 ? $" ({BestKnown.FormatPercent(100.0 * (withBest.Sum(r => r.Vehicles) - withBest.Sum(r => r.BestVehicles!.Value)) / withBest.Sum(r => r.BestVehicles!.Value))} % vehicles)" : "";
        // A solution with more vehicles than the best known can be shorter: the gap that compares like
        // with like is the one over the instances at the best-known vehicle count.
        var atBest = withBest.Where(r => r.Vehicles == r.BestVehicles).ToList();
        string gap = withBest.Count > 0 ? F(withBest.Average(r => r.Gap!.Value)) + (atBest.Count > 0 ? $" (at best vehicles: {F(atBest.Average(r => r.Gap!.Value))})" : "") : "-";
        int atBestVehicles = withBest.Count(r => r.Vehicles <= r.BestVehicles);
        return $"| {label} | {rows.Count} instances | {vehicles}{vehicleGap} | {bestVehicles} | {F(rows.Average(r => r.Distance))} | {(withBest.Count > 0 ? F(withBest.Average(r => r.BestDistance!.Value)) : "-")} | {gap} | {rows.Count(r => r.Feasible)}/{rows.Count} | {atBestVehicles}/{withBest.Count} at best vehicles | {F(rows.Average(r => r.Seconds), "F1")} | {F(rows.Average(r => (double)r.Iterations), "F0")} |";
    }

    internal static string SummaryJson(IReadOnlyList<SolveRow> rows, OptimizerOptions options, double wallSeconds)
    {
        var arr = new JsonArray();
        foreach (var r in rows)
        {
            arr.Add(new JsonObject
            {
                ["instance"] = r.Instance, ["tasks"] = r.Tasks, ["vehicles"] = r.Vehicles, ["distance"] = r.Distance, ["feasible"] = r.Feasible,
                ["violations"] = r.Violations, ["seconds"] = r.Seconds, ["firstCompleteSeconds"] = r.FirstFeasibleSeconds, ["iterations"] = r.Iterations,
                ["bestVehicles"] = r.BestVehicles, ["bestDistance"] = r.BestDistance, ["gapPercent"] = r.Gap,
            });
        }
        var root = new JsonObject
        {
            ["timeLimitSeconds"] = options.TimeLimit?.TotalSeconds, ["maxIterations"] = options.MaxIterations, ["threads"] = options.Threads, ["seed"] = options.Seed, ["wallSeconds"] = wallSeconds, ["instances"] = arr,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
