using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dispatch.Simulator.Scenarios;

namespace Dispatch.Simulator;

/// <summary>Scenario replays: <c>replay --scenario F [--no-replan]</c> and the on/off comparison table <c>scenarios</c>.</summary>
internal static class ScenarioCommands
{
    /// <summary>Adds --scenario and --no-replan to the replay command; without them it runs <paramref name="plain"/>.</summary>
    public static void Extend(Command replay, Func<ParseResult, int> plain, Argument<string> instArg, Option<string?> outOpt, Option<DispatchProfile> policyOpt, Option<double> tickOpt, Option<string[]> setOpt)
    {
        var scenarioOpt = new Option<string?>("--scenario") { Description = "a scenario file (JSON) of timed events to layer on the trace: rain, congestion, closures, couriers offline, demand surges, kitchen delays, cancellations" };
        var noReplanOpt = new Option<bool>("--no-replan") { Description = "freeze plans: the engine keeps the picture it had at the start and never revises a committed plan" };
        replay.Options.Add(scenarioOpt);
        replay.Options.Add(noReplanOpt);
        replay.SetAction(pr =>
        {
            string? file = pr.GetValue(scenarioOpt);
            bool noReplan = pr.GetValue(noReplanOpt);
            if (file is null && !noReplan) return plain(pr);
            return Cli.Guard(() =>
            {
                var engine = EngineSettingsOption.Apply(pr.GetValue(setOpt));
                var inst = MdrpInstance.Load(pr.GetValue(instArg)!);
                var scenario = file is null ? null : ScenarioFile.Load(file);
                var r = WorldReplay.Run(inst, new WorldReplayOptions { Scenario = scenario, Replan = !noReplan, Profile = pr.GetValue(policyOpt), TickMinutes = pr.GetValue(tickOpt), Engine = engine });
                Console.Write(ToText(r));
                if (pr.GetValue(outOpt) is { } outDir)
                {
                    WriteWorldRun(outDir, r, pr.GetValue(policyOpt));
                    Console.WriteLine($"  wrote {Path.GetFullPath(outDir)} (metrics.json, report.html, routes.geojson, solution_info_*.txt)");
                }
                return r.Lost == 0 ? 0 : 1;
            });
        });
    }

    /// <summary>The <c>scenarios</c> command: every scenario x every trace, re-planning on and off, as one table.</summary>
    public static Command Table(Option<string[]> setOpt)
    {
        var scenariosArg = new Argument<string>("scenarios") { Description = "a scenario file or a folder of them (*.json)" };
        var tracesArg = new Argument<string[]>("traces") { Description = "instance folders to run each scenario on", Arity = ArgumentArity.OneOrMore };
        var outOpt = new Option<string?>("--out") { Description = "write the table (markdown), scenarios.json and promises/<run>.csv (every order's promise and drop-off) here" };
        var peakOpt = new Option<double?>("--peak") { Description = "the minute the scenarios' \"peak\" times count from, for every trace (default: the middle of each trace's busiest hour); fixed, the events stay put when a trace's later orders are resampled (bench/promises/futures)" };
        var cmd = new Command("scenarios", "run scenarios over traces with re-planning on and off and print the comparison table") { scenariosArg, tracesArg, outOpt, setOpt, peakOpt };
        cmd.SetAction(pr => Cli.Guard(() =>
        {
            string src = pr.GetValue(scenariosArg)!;
            var files = Directory.Exists(src) ? Directory.GetFiles(src, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToArray() : [src];
            if (files.Length == 0) throw new FileNotFoundException($"no scenario files (*.json) in {src}");
            var engine = EngineSettingsOption.Apply(pr.GetValue(setOpt));
            var scenarios = files.Select(ScenarioFile.Load).ToList();
            var traces = pr.GetValue(tracesArg)!.Select(MdrpInstance.Load).ToList();
            double? peak = pr.GetValue(peakOpt); // checked where it is used (CompiledScenario.Compile), for every caller
            var jobs = (from s in scenarios from t in traces from replan in new[] { true, false } select (s, t, replan)).ToArray();
            var results = new WorldResult[jobs.Length];
            var sw = Stopwatch.StartNew();
            Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => results[i] = WorldReplay.Run(jobs[i].t, new WorldReplayOptions { Scenario = jobs[i].s, Replan = jobs[i].replan, Engine = engine, PeakMinute = peak }));
            string md = Markdown(results, sw.Elapsed.TotalSeconds) + EngineSettingsOption.Describe(engine);
            Console.Write(md);
            if (pr.GetValue(outOpt) is { } outDir)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllText(Path.Combine(outDir, "scenarios.md"), md);
                File.WriteAllText(Path.Combine(outDir, "scenarios.json"), JsonSerializer.Serialize(results.Select(ToJson), new JsonSerializerOptions { WriteIndented = true }));
                // Each run's promises, order by order: what bench/promises/calibration_replay.py replays alternatives on.
                string promiseDir = Path.Combine(outDir, "promises");
                Directory.CreateDirectory(promiseDir);
                foreach (var r in results)
                {
                    using var w = new StreamWriter(Path.Combine(promiseDir, $"{r.Scenario}_{r.Instance}_{(r.Replan ? "on" : "off")}.csv"));
                    r.Promises?.WriteCsv(w);
                }
            }
            int worse = 0;
            for (int i = 0; i < results.Length; i += 2)
                if (!(results[i].ClickToDoorMean < results[i + 1].ClickToDoorMean && results[i].OverTargetShare < results[i + 1].OverTargetShare)) worse++;
            bool lost = results.Any(r => r.Lost > 0);
            if (worse > 0) Console.Error.WriteLine($"note: re-planning did not improve both mean click-to-door and share over 40 min in {worse} of {results.Length / 2} runs");
            if (lost) Console.Error.WriteLine("error: some runs lost orders");
            return lost ? 1 : 0;
        }));
        return cmd;
    }

    /// <summary>
    /// Writes what the world did (solution files at actual times), metrics.json (the world's metrics),
    /// and report.html with the scenario's zones and closures on the map. The report's verdict names the
    /// scenario instead of MDRP feasibility: under traffic the published travel rule does not hold by design.
    /// </summary>
    private static void WriteWorldRun(string dir, WorldResult r, DispatchProfile policy)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "metrics.json"), JsonSerializer.Serialize(ToJson(r), new JsonSerializerOptions { WriteIndented = true }));
        if (r.Solution is null || r.Trace is null) return;
        r.Solution.Write(dir);
        var ticks = r.TickMilliseconds.OrderBy(v => v).ToArray();
        var summary = new Reports.RunSummary(r.Instance, $"{policy}, scenario {r.Scenario}, re-planning {(r.Replan ? "on" : "off")}",
            Evaluation.SolutionEvaluator.Evaluate(r.Trace, r.Solution), Evaluation.EvaluationMetrics.NearestRank(ticks, 50), Evaluation.EvaluationMetrics.NearestRank(ticks, 99), ticks.Length == 0 ? 0 : ticks[^1], ticks.Length, r.TickMilliseconds.Sum(), r.WallMs);
        Reports.RunReport.Write(dir, r.Trace, r.Solution, summary, new Reports.RunReportOptions
        {
            Overlays = r.Overlays,
            Verdict = $"SCENARIO {r.Scenario}: {r.Delivered:N0} delivered, {r.Cancelled:N0} cancelled, {r.Unserved:N0} unserved, {r.Lost:N0} lost{Exceptions(r)}; times follow the world's traffic",
        });
    }

    /// <summary>The delivery exceptions of a run, for the report's verdict and the text summary ("" when it had none).</summary>
    private static string Exceptions(WorldResult r) =>
        r.Redeliveries == 0 && r.OutOfStockChanges == 0 ? "" : string.Format(CultureInfo.InvariantCulture,
            "; {0} failed and {1} wrong deliveries, {2} re-made, {3} re-delivered (click-to-door {4:F1} min from placement); {5} out-of-stock changes, {6} cancelled after one",
            r.FailedDeliveries, r.WrongDeliveries, r.Redeliveries, r.RedeliveriesDelivered, r.RedeliveryClickToDoorMean, r.OutOfStockChanges, r.CancelsAfterOutOfStock);

    /// <summary>The exceptions column of the table: failed / wrong / re-delivered of re-made (their click-to-door), out-of-stock / cancels after.</summary>
    private static string ExceptionsCell(WorldResult r) =>
        r.Redeliveries == 0 && r.OutOfStockChanges == 0 ? "" : string.Format(CultureInfo.InvariantCulture,
            "{0} / {1} / {2} of {3} ({4:F1}) / {5} / {6}", r.FailedDeliveries, r.WrongDeliveries, r.RedeliveriesDelivered, r.Redeliveries,
            r.RedeliveryClickToDoorMean, r.OutOfStockChanges, r.CancelsAfterOutOfStock);

    internal static string Markdown(IReadOnlyList<WorldResult> results, double seconds)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Format(inv, "| scenario | trace | c2d mean on | off | over 40 on | off | p90 on | off | on time vs promise on | off | promise MAE on | off | promise slack on | off | unserved on/off | lost on/off | released / reassigned / ETA changes / re-quotes | failed / wrong / re-delivered of re-made (c2d) / out-of-stock / cancels after, on |"));
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|");
        for (int i = 0; i + 1 < results.Count; i += 2)
        {
            var on = results[i]; var off = results[i + 1];
            sb.AppendLine(string.Format(inv, "| {0} | {1} | {2:F2} | {3:F2} | {4:P1} | {5:P1} | {6:F0} | {7:F0} | {8:P1} | {9:P1} | {17:F2} | {18:F2} | {19:F2} | {20:F2} | {10}/{11} | {15}/{16} | {12} / {13} / {14} / {21} | {22} |",
                on.Scenario, on.Instance, on.ClickToDoorMean, off.ClickToDoorMean, on.OverTargetShare, off.OverTargetShare, on.ClickToDoorP90, off.ClickToDoorP90,
                1 - on.PromiseLateShare, 1 - off.PromiseLateShare, on.Unserved, off.Unserved, on.Released, on.Reassigned, on.EtaChanged, on.Lost, off.Lost,
                on.PromiseMae, off.PromiseMae, on.PromiseSlackMean, off.PromiseSlackMean, on.Requotes, ExceptionsCell(on)));
        }
        sb.AppendLine(string.Format(inv, "\n{0} runs in {1:F1} s.", results.Count, seconds));
        return sb.ToString();
    }

    private static string ToText(WorldResult r) => string.Format(CultureInfo.InvariantCulture,
        "instance {0}  scenario {1}  re-planning {2}\n  orders {3}  delivered {4}  cancelled {5}  unserved {19}  lost {6}\n  click-to-door mean {7:F2}  p90 {8:F1}  over 40 min {9:P2}  ready-to-pickup {10:F2}\n  promise: mean abs error {11:F2} min, late vs promise {12:P1}, mean slack {20:F2} min\n  plan changes: released {13}, reassigned {14}, ETA changed {15}, re-quoted {21}\n  engine tick p50 {16:F3} ms  max {17:F3} ms  wall {18:F0} ms{22}\n",
        r.Instance, r.Scenario, r.Replan ? "on" : "off", r.Orders, r.Delivered, r.Cancelled, r.Lost, r.ClickToDoorMean, r.ClickToDoorP90, r.OverTargetShare,
        r.ReadyToPickupMean, r.PromiseMae, r.PromiseLateShare, r.Released, r.Reassigned, r.EtaChanged, r.TickMsP50, r.TickMsMax, r.WallMs, r.Unserved, r.PromiseSlackMean, r.Requotes,
        Exceptions(r).Length == 0 ? "" : "\n  exceptions" + Exceptions(r)[1..]);

    private static Dictionary<string, object> ToJson(WorldResult r) => new()
    {
        ["instance"] = r.Instance, ["scenario"] = r.Scenario, ["replan"] = r.Replan, ["orders"] = r.Orders, ["delivered"] = r.Delivered,
        ["cancelled"] = r.Cancelled, ["unserved"] = r.Unserved, ["lost"] = r.Lost, ["click_to_door_mean"] = Math.Round(r.ClickToDoorMean, 4),
        ["click_to_door_p90"] = r.ClickToDoorP90, ["over_target_share"] = Math.Round(r.OverTargetShare, 6), ["ready_to_pickup_mean"] = Math.Round(r.ReadyToPickupMean, 4),
        ["promise_mae"] = Math.Round(r.PromiseMae, 4), ["promise_late_share"] = Math.Round(r.PromiseLateShare, 6),
        ["promise_slack_mean"] = Math.Round(r.PromiseSlackMean, 4), ["requotes"] = r.Requotes,
        ["released"] = r.Released, ["reassigned"] = r.Reassigned, ["eta_changed"] = r.EtaChanged,
        ["failed_deliveries"] = r.FailedDeliveries, ["wrong_deliveries"] = r.WrongDeliveries, ["redeliveries"] = r.Redeliveries,
        ["redeliveries_delivered"] = r.RedeliveriesDelivered, ["redelivery_click_to_door_mean"] = Math.Round(r.RedeliveryClickToDoorMean, 4),
        ["out_of_stock_changes"] = r.OutOfStockChanges, ["cancels_after_out_of_stock"] = r.CancelsAfterOutOfStock,
        ["tick_ms_p50"] = Math.Round(r.TickMsP50, 4), ["tick_ms_max"] = Math.Round(r.TickMsMax, 4), ["wall_ms"] = Math.Round(r.WallMs, 1),
    };
}
