using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Dispatch.Simulator.Evaluation;
using Dispatch.Simulator.Generation;
using Dispatch.Simulator.Replay;
using Dispatch.Simulator.Reports;

namespace Dispatch.Simulator;

/// <summary>The simulator's command line (System.CommandLine: parsing, help and errors for free).</summary>
internal static class Cli
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Dispatch simulator: replays order waves through the dispatch engine and evaluates the result.\nWith no command it replays the embedded default wave and prints the results.");

        var policyOpt = new Option<DispatchProfile>("--policy") { Description = "engine profile: Mdrp (optimizer), Greedy (baseline), General (multi-site insertion)", DefaultValueFactory = _ => DispatchProfile.Mdrp };
        var tickOpt = new Option<double>("--tick") { Description = "simulated minutes between engine ticks", DefaultValueFactory = _ => 1.0 };
        var outOpt = new Option<string?>("--out") { Description = "folder for the solution files, metrics.json, report.html, routes.geojson and summaries" };
        var quietOpt = new Option<bool>("--quiet") { Description = "no progress bar or progress lines" };
        var setOpt = EngineSettingsOption.Create();

        // replay
        var instArg = new Argument<string>("instance-dir") { Description = "an MDRP instance folder (restaurants.txt, orders.txt, couriers.txt, instance_parameters.txt)" };
        var replay = new Command("replay", "replay one instance, write the three MDRP solution files and metrics.json, print a summary") { instArg, outOpt, policyOpt, tickOpt, setOpt };
        Func<ParseResult, int> plainReplay = pr => Guard(() =>
        {
            var engine = EngineSettingsOption.Apply(pr.GetValue(setOpt)); // a bad setting is refused before any work
            return ReplayOne(MdrpInstance.Load(pr.GetValue(instArg)!), pr.GetValue(outOpt), pr.GetValue(policyOpt), pr.GetValue(tickOpt), engine);
        });
        replay.SetAction(plainReplay);
        ScenarioCommands.Extend(replay, plainReplay, instArg, outOpt, policyOpt, tickOpt, setOpt);
        root.Subcommands.Add(ScenarioCommands.Table(setOpt));
        root.Subcommands.Add(replay);

        // replay-all
        var folderArg = new Argument<string>("folder") { Description = "a folder of MDRP instance folders" };
        var baselineOpt = new Option<DispatchProfile?>("--baseline") { Description = "also replay this profile on every instance and compare (default Greedy; pass none to skip)", DefaultValueFactory = _ => DispatchProfile.Greedy };
        var noBaselineOpt = new Option<bool>("--no-baseline") { Description = "skip the baseline replay" };
        var parallelOpt = new Option<int>("--parallel") { Description = "instances replayed at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var replayAll = new Command("replay-all", "replay every instance of a folder (engine and greedy baseline), write one sub-folder each plus summary.md and summary.json")
            { folderArg, outOpt, policyOpt, tickOpt, baselineOpt, noBaselineOpt, parallelOpt, quietOpt, setOpt };
        replayAll.SetAction(pr => Guard(() => ReplayAll(pr.GetValue(folderArg)!, pr.GetValue(outOpt) ?? "out/replay-all", pr.GetValue(policyOpt),
            pr.GetValue(noBaselineOpt) ? null : pr.GetValue(baselineOpt), pr.GetValue(tickOpt), pr.GetValue(parallelOpt), ProgressReporter.Detect(pr.GetValue(quietOpt)),
            EngineSettingsOption.Apply(pr.GetValue(setOpt)))));
        root.Subcommands.Add(replayAll);

        // evaluate
        var solArg = new Argument<string>("solution-dir") { Description = "folder with the three solution_info_*.txt files" };
        var evalInstArg = new Argument<string>("instance-dir") { Description = "the instance the solution is for" };
        var evaluate = new Command("evaluate", "check a solution against every published rule and print its metrics") { evalInstArg, solArg };
        evaluate.SetAction(pr => Guard(() => Evaluate(pr.GetValue(evalInstArg)!, pr.GetValue(solArg)!)));
        root.Subcommands.Add(evaluate);

        // compare
        var runAArg = new Argument<string>("runA") { Description = "output folder of a replay (with metrics.json)" };
        var runBArg = new Argument<string>("runB") { Description = "output folder of another replay (with metrics.json)" };
        var compareOutOpt = new Option<string?>("--out") { Description = "HTML file to write (default compare.html)" };
        var compare = new Command("compare", "compare two replays' metrics.json side by side (absolute and % differences, which is better) in one HTML page") { runAArg, runBArg, compareOutOpt };
        compare.SetAction(pr => Guard(() =>
        {
            string path = RunComparison.Write(pr.GetValue(runAArg)!, pr.GetValue(runBArg)!, pr.GetValue(compareOutOpt));
            Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            return 0;
        }));
        root.Subcommands.Add(compare);

        // generate
        var ordersOpt = new Option<int>("--orders") { Description = "orders per day (1,000 .. 1,000,000)", DefaultValueFactory = _ => 1_000 };
        var seedOpt = new Option<int>("--seed") { Description = "random seed (same seed, same wave)", DefaultValueFactory = _ => 42 };
        var weatherOpt = new Option<double>("--weather") { Description = "demand multiplier for weather (rain > 1)", DefaultValueFactory = _ => 1.0 };
        var holidayOpt = new Option<double>("--holiday") { Description = "demand multiplier for holidays", DefaultValueFactory = _ => 1.0 };
        var promisesOpt = new Option<bool>("--promises") { Description = "give each order a promised latest drop-off (deliver_by column: placement + a promise, a hard window for the General profile)" };
        var promiseMinOpt = new Option<int>("--promise-min") { Description = "shortest promise in minutes after placement (with --promises)", DefaultValueFactory = _ => 45 };
        var promiseMaxOpt = new Option<int>("--promise-max") { Description = "longest promise in minutes after placement (with --promises)", DefaultValueFactory = _ => 60 };
        var genOutArg = new Argument<string>("out-dir") { Description = "folder to write the instance to" };
        var generate = new Command("generate", "generate a peak-hour order wave in the MDRP folder format") { genOutArg, ordersOpt, seedOpt, weatherOpt, holidayOpt, promisesOpt, promiseMinOpt, promiseMaxOpt, quietOpt };
        generate.SetAction(pr => Guard(() =>
        {
            var sw = Stopwatch.StartNew();
            var inst = ProgressReporter.Run("generate", 2, ProgressReporter.Detect(pr.GetValue(quietOpt)), progress =>
            {
                progress.Status($"generating {pr.GetValue(ordersOpt):N0} orders");
                var wave = WaveGenerator.Generate(new WaveOptions
                {
                    OrdersPerDay = pr.GetValue(ordersOpt), Seed = pr.GetValue(seedOpt), WeatherMultiplier = pr.GetValue(weatherOpt), HolidayMultiplier = pr.GetValue(holidayOpt),
                    DeliveryPromises = pr.GetValue(promisesOpt), PromiseMinMinutes = pr.GetValue(promiseMinOpt), PromiseMaxMinutes = pr.GetValue(promiseMaxOpt),
                });
                progress.Increment();
                progress.Status($"writing {wave.Orders.Length:N0} orders");
                wave.Save(pr.GetValue(genOutArg)!);
                progress.Increment();
                return wave;
            });
            Console.WriteLine($"wrote {inst.Name}: {inst.Orders.Length} orders, {inst.Restaurants.Length} restaurants, {inst.Couriers.Length} couriers to {pr.GetValue(genOutArg)} in {sw.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        root.Subcommands.Add(generate);

        // plan-shifts: courier shifts from recorded days
        StaffingCommands.Add(root);

        // solve, solve-all: the route optimizer
        RoutingCommands.Add(root);

        // no command: the embedded default
        root.Options.Add(outOpt);
        root.SetAction(pr => Guard(() =>
        {
            var inst = EmbeddedDefault.Create();
            Console.WriteLine($"Replaying the embedded default wave '{inst.Name}' ({inst.Orders.Length} orders, {inst.Couriers.Length} couriers, lunch and dinner peaks) on the MDRP profile.");
            int rc = ReplayOne(inst, pr.GetValue(outOpt), DispatchProfile.Mdrp, 1.0, engine: null);
            var greedy = RunSummary.From(inst, "Greedy", MdrpReplay.Run(inst, new ReplayOptions { Profile = DispatchProfile.Greedy }));
            Console.WriteLine($"Greedy baseline on the same wave: click-to-door mean {greedy.Metrics.ClickToDoorMean:F2}, p90 {greedy.Metrics.ClickToDoorP90:F1}, over 40 min {greedy.Metrics.OverTargetShare:P2}, gap to lower bound {greedy.Metrics.LowerBoundGapMean:F2} min.");
            return rc;
        }));

        return root.Parse(args).Invoke();
    }

    internal static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        // A command that runs its jobs in parallel (scenarios, replay-all) gets every job's error wrapped: bad input
        // found in a job (a scenario window before the trace's start, a bad option) is still bad input, said once.
        catch (AggregateException e) when (e.Flatten().InnerExceptions.All(IsBadInput))
        {
            foreach (string message in e.Flatten().InnerExceptions.Select(x => x.Message).Distinct()) Console.Error.WriteLine($"error: {message}");
            return 2;
        }
    }

    private static bool IsBadInput(Exception e) =>
        e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or DispatchException or IOException;

    private static int ReplayOne(MdrpInstance inst, string? outDir, DispatchProfile policy, double tick, DispatchOptions? engine)
    {
        var result = MdrpReplay.Run(inst, new ReplayOptions { Profile = policy, TickMinutes = tick, Engine = engine });
        var summary = RunSummary.From(inst, policy.ToString(), result);
        if (outDir is not null) WriteRun(outDir, inst, result, summary);
        Console.Write(summary.ToText());
        if (outDir is not null) Console.WriteLine($"  wrote {Path.GetFullPath(outDir)}");
        if (!summary.Evaluation.Feasible)
        {
            Console.Error.WriteLine("error: the replay produced an infeasible solution; see the violations above");
            return 1;
        }
        return 0;
    }

    private static void WriteRun(string dir, MdrpInstance inst, ReplayResult result, RunSummary summary)
    {
        result.Solution.Write(dir);
        File.WriteAllText(Path.Combine(dir, "metrics.json"), JsonSerializer.Serialize(summary.ToJsonObject(), RunSummary.Json));
        RunReport.Write(dir, inst, result.Solution, summary); // report.html + routes.geojson
    }

    private static int ReplayAll(string folder, string outDir, DispatchProfile policy, DispatchProfile? baseline, double tick, int parallel, ProgressMode progressMode, DispatchOptions? engineOptions)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"instance folder not found: {folder}");
        var dirs = Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, "orders.txt"))).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        if (dirs.Length == 0) throw new InvalidDataException($"no instance folders (with orders.txt) in {folder}");
        Directory.CreateDirectory(outDir);
        var sw = Stopwatch.StartNew();
        var rows = new SummaryTable.Pair[dirs.Length];
        ProgressReporter.Run($"replay-all {dirs.Length} instances", dirs.Length, progressMode, progress => Parallel.For(0, dirs.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel) }, i =>
        {
            var inst = MdrpInstance.Load(dirs[i]);
            var result = MdrpReplay.Run(inst, new ReplayOptions { Profile = policy, TickMinutes = tick, Engine = engineOptions });
            var engine = RunSummary.From(inst, policy.ToString(), result);
            WriteRun(Path.Combine(outDir, inst.Name), inst, result, engine);
            RunSummary? b = null;
            if (baseline is { } bp)
            {
                var bres = MdrpReplay.Run(inst, new ReplayOptions { Profile = bp, TickMinutes = tick, Engine = engineOptions });
                b = RunSummary.From(inst, bp.ToString(), bres);
                WriteRun(Path.Combine(outDir, inst.Name, bp.ToString().ToLowerInvariant()), inst, bres, b);
            }
            rows[i] = new SummaryTable.Pair(engine, b);
            progress.Increment();
        }));
        sw.Stop();
        File.WriteAllText(Path.Combine(outDir, "summary.md"), SummaryTable.ToMarkdown(rows, sw.Elapsed.TotalSeconds) + EngineSettingsOption.Describe(engineOptions));
        File.WriteAllText(Path.Combine(outDir, "summary.json"), SummaryTable.ToJson(rows, sw.Elapsed.TotalSeconds));
        var md = SummaryTable.ToMarkdown(rows, sw.Elapsed.TotalSeconds).Split('\n');
        Console.WriteLine(md[2]);
        foreach (var line in md.Where(l => l.StartsWith("| **mean**", StringComparison.Ordinal) || l.StartsWith("| instance", StringComparison.Ordinal))) Console.WriteLine(line);
        Console.WriteLine($"wrote {Path.GetFullPath(Path.Combine(outDir, "summary.md"))}");
        int infeasible = rows.Count(r => !r.Engine.Evaluation.Feasible);
        if (infeasible > 0)
        {
            Console.Error.WriteLine($"error: {infeasible} instance(s) produced infeasible solutions");
            return 1;
        }
        return 0;
    }

    private static int Evaluate(string instanceDir, string solutionDir)
    {
        var inst = MdrpInstance.Load(instanceDir);
        var report = SolutionEvaluator.Evaluate(inst, MdrpSolution.Read(solutionDir));
        Console.WriteLine(report.Feasible ? "FEASIBLE" : $"INFEASIBLE: {report.Violations.Count} violations");
        foreach (var v in report.Violations.Take(50)) Console.WriteLine($"  {v.Rule}: {v.Message}");
        Console.WriteLine(JsonSerializer.Serialize(report.Metrics.ToDictionary(), RunSummary.Json));
        return report.Feasible ? 0 : 1;
    }
}
