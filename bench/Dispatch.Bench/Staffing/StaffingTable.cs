using System.Diagnostics;
using System.Text;
using Dispatch.Simulator.Generation;
using Dispatch.Simulator.Mdrp;
using Dispatch.Simulator.Reports;
using Dispatch.Simulator.Staffing;

namespace Dispatch.Bench.Staffing;

/// <summary>
/// staffing [trace ...] [--target 0.8] [--out path]: <see cref="StaffingPlanner"/> on each trace with one
/// target and the default options (no per-trace settings); the trace's own staffing against the plan's,
/// both replayed with the engine, the plan checked by the project's evaluator, and the plan's on-time share
/// when its couriers start from five draws of the trace's courier start points not used while planning.
/// </summary>
internal static class StaffingTable
{
    /// <summary>Seeds 0-6: every seed's full-order trace with historical (s1) shifts, and the optimized (s2) shifts of five of them; 5r50 adds a second seed-5 day.</summary>
    public static readonly string[] DefaultTraces =
    [
        "0o100t100s1p100", "1o100t100s1p100", "2o100t100s1p100", "3o100t100s1p100", "4o100t100s1p100", "5o100t100s1p100", "6o100t100s1p100",
        "0o100t100s2p100", "1o100t100s2p100", "2o100t100s2p100", "3o100t100s2p100", "6o100t100s2p100", "5r50t100s1p100",
    ];

    public static int Run(string[] args)
    {
        var cli = new BenchArguments(args);
        double target = cli.Number("--target", 0.8);
        string output = cli.Text("--out") ?? Path.Combine(BenchPaths.ResultsDir, "staffing.md");
        int forecastSeeds = cli.Int("--forecast-seeds", 5);
        if (cli.Text("--only-robustness") is not null)
        {
            Robustness(new StaffingOptions { TargetOnTime = target }, forecastSeeds);
            return 0;
        }
        var names = cli.Positional;
        if (names.Count == 0) names.AddRange(DefaultTraces);
        var inv = CultureInfo.InvariantCulture;
        var options = new StaffingOptions { TargetOnTime = target };
        var rows = new StringBuilder();
        var notes = new StringBuilder();
        int met = 0, planned = 0;
        double traceHoursOverMet = 0, planHoursOverMet = 0;
        foreach (var name in names)
        {
            var day = MdrpInstance.Load(Directory.Exists(name) ? name : BenchPaths.Instance(name));
            var clock = Stopwatch.StartNew();
            StaffingResult result;
            try
            {
                result = new StaffingPlanner(options).Plan([day]);
            }
            catch (StaffingUnreachableException e)
            {
                string unreachable = string.Create(inv, $"| {day.Name} | {day.Orders.Length} | | | | not planned: {e.Message} | | | | | | {clock.Elapsed.TotalSeconds:F1} s |");
                Console.WriteLine(unreachable);
                rows.AppendLine(unreachable);
                continue;
            }
            planned++;
            var d = result.Days[0];
            var others = Enumerable.Range(101, 5).Select(seed => StaffingPlanner.ReplayShifts(day, result.Shifts, seed, result.Slots).OnTimeShare).ToArray();
            bool meets = d.Plan.OnTimeShare >= target;
            if (meets) met++;
            double change = d.Plan.CourierHours / d.Trace.CourierHours - 1;
            if (d.Trace.OnTimeShare >= target) { traceHoursOverMet += d.Trace.CourierHours; planHoursOverMet += d.Plan.CourierHours; }
            string line = string.Create(inv,
                $"| {day.Name} | {day.Orders.Length} | {d.Trace.CourierHours:F1} | {d.Trace.OnTimeShare:P1} | {d.Trace.ClickToDoorMean:F1} | {d.Plan.CourierHours:F1} ({change:+0.0%;-0.0%}) | {d.Plan.OnTimeShare:P1} | {d.Plan.ClickToDoorMean:F1} | {(d.PlanEvaluation.Feasible ? "yes" : "NO")} | {others.Min():P1}-{others.Max():P1} | {result.Replays} | {clock.Elapsed.TotalSeconds:F1} s |");
            Console.WriteLine(line);
            rows.AppendLine(line);
            notes.AppendLine(inv, $"- {day.Name}: {Where(d, d.Trace.OnTimeShare < target)}");
        }

        var md = ResultsPage.Start("Staffing: the trace's own couriers vs a plan from `plan-shifts`", string.Create(inv, $"staffing --target {target}"),
            string.Create(inv, $" (the same `StaffingPlanner` defaults as `plan-shifts`: shifts of 2, 3 or 4 h, starts every 15 min over the day, {options.StartDraws} draws of courier start points per candidate, at most {options.MaxRequirementReplays} requirement and {options.MaxPlanChecks} plan replays of each; nothing set per trace)"));
        md.AppendLine(inv, $"Target: {target:P0} of all orders delivered within 40 minutes of placement (an undelivered order is late). Both columns are the engine's replay of the same orders (MDRP profile, tick 1 min): with the trace's couriers.txt, and with the plan's couriers (the `instance/` folder `plan-shifts` writes; evaluator = the project's checker of every published rule on that replay). Other draws: the plan's on-time share when its couriers start from five other draws (seeds 101-105, none used while planning) of the trace's courier start points, min-max. Time: the whole plan for one trace (demand, every replay, CP-SAT) in this process.");
        md.AppendLine();
        md.AppendLine("| trace | orders | trace courier-h | trace on time | trace c2d mean | plan courier-h (vs trace) | plan on time | plan c2d mean | evaluator | other draws on time | replays | time |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        md.Append(rows);
        md.AppendLine();
        md.AppendLine(inv, $"{met} of {planned} plans meet the target on their own replay. Over the traces whose own couriers meet the target: {traceHoursOverMet:F1} trace courier-hours, {planHoursOverMet:F1} planned ({(traceHoursOverMet > 0 ? planHoursOverMet / traceHoursOverMet - 1 : 0):+0.0%;-0.0%}).");
        md.AppendLine();
        md.Append(Robustness(options, forecastSeeds));
        ResultsPage.AppendNotes(md, "Where the plan puts couriers compared with the trace (hours with the largest differences in couriers on duty, plan minus trace):", notes);
        ResultsPage.Write(output, md.ToString());
        Console.WriteLine($"wrote {Path.GetFullPath(output)}");
        return 0;
    }

    /// <summary>
    /// The plan made from one generated day (seed 1, 1,000 orders), its shifts replayed on five other
    /// seeds' days of the same shape (same generator options: peaks, volume, city size), couriers starting
    /// from each day's own courier start points: once planned on the day's own orders, once on
    /// <paramref name="forecastSeeds"/> days drawn from its forecast.
    /// </summary>
    private static string Robustness(StaffingOptions options, int forecastSeeds)
    {
        var inv = CultureInfo.InvariantCulture;
        var shape = new WaveOptions { OrdersPerDay = 1_000, Seed = 1 };
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"## Robustness: the plan of one generated day on five other days of the same shape");
        sb.AppendLine();
        sb.AppendLine(inv, $"`generate --orders {shape.OrdersPerDay} --seed 1` planned at {options.TargetOnTime:P0} twice: on its own orders (the default, `plan-shifts <day>`), and on {forecastSeeds} days of orders drawn from its forecast (`plan-shifts <day> --forecast-seeds {forecastSeeds}`: the target must hold on their orders together, the expected day), with {options.StartDraws} draws of courier start points per drawn day and with 1 (`--start-draws 1`, half the replays). Each plan's shifts replayed on the days of seeds 2-6 (same generator options, other orders and restaurants; couriers start from each day's own courier start points, seed {options.Seed}).");
        sb.AppendLine();
        var planned = WaveGenerator.Generate(shape);
        var plans = new List<(string Name, StaffingResult Plan, double Seconds)>();
        foreach (var (name, o) in new[]
        {
            ("own orders", options),
            (string.Create(inv, $"{forecastSeeds} forecast days"), options with { ForecastSeeds = forecastSeeds }),
            (string.Create(inv, $"{forecastSeeds} forecast days, 1 start draw"), options with { ForecastSeeds = forecastSeeds, StartDraws = 1 }),
        })
        {
            var clock = Stopwatch.StartNew();
            try
            {
                plans.Add((name, new StaffingPlanner(o).Plan([planned]), clock.Elapsed.TotalSeconds));
            }
            catch (StaffingUnreachableException e)
            {
                sb.AppendLine(inv, $"Not planned on {name}: {e.Message}");
                sb.AppendLine();
            }
        }
        if (plans.Count == 0) return sb.ToString();
        sb.AppendLine(inv, $"Generator's own couriers on seed 1: {plans[0].Plan.Days[0].Trace.CourierHours:F1} courier-hours, on time {plans[0].Plan.Days[0].Trace.OnTimeShare:P1}.");
        sb.AppendLine();
        foreach (var (name, plan, seconds) in plans)
        {
            string pooled = plan.ForecastOnTimeShare is { } f ? string.Create(inv, $"; on time {f:P1} over the forecast days' orders together ({plan.ForecastDays.Min(x => x.OnTimeShare):P1}-{plan.ForecastDays.Max(x => x.OnTimeShare):P1} per replay)") : "";
            sb.AppendLine(inv, $"- Plan on {name}: {plan.CourierHours:F1} courier-hours ({plan.Shifts.Sum(x => x.Count)} couriers), {plan.Replays} replays, {seconds:F1} s{pooled}.");
        }
        sb.AppendLine();
        sb.Append("| day (seed) | orders |");
        foreach (var p in plans) sb.Append(inv, $" on time, plan on {p.Name} | minus target |");
        sb.AppendLine();
        sb.Append("|---|---:|");
        foreach (var _ in plans) sb.Append("---:|---:|");
        sb.AppendLine();
        sb.Append(inv, $"| 1 (planned on) | {planned.Orders.Length} |");
        foreach (var p in plans) sb.Append(inv, $" {p.Plan.Days[0].Plan.OnTimeShare:P1} | {Points(p.Plan.Days[0].Plan.OnTimeShare - options.TargetOnTime)} |");
        sb.AppendLine();
        var others = plans.Select(_ => new List<double>()).ToArray();
        for (int seed = 2; seed <= 6; seed++)
        {
            var day = WaveGenerator.Generate(shape with { Seed = seed });
            sb.Append(inv, $"| {seed} | {day.Orders.Length} |");
            for (int i = 0; i < plans.Count; i++)
            {
                double onTime = StaffingPlanner.ReplayShifts(day, plans[i].Plan.Shifts, options.Seed, plans[i].Plan.Slots).OnTimeShare;
                others[i].Add(onTime);
                sb.Append(inv, $" {onTime:P1} | {Points(onTime - options.TargetOnTime)} |");
            }
            sb.AppendLine();
        }
        sb.AppendLine();
        for (int i = 0; i < plans.Count; i++)
        {
            var o = others[i];
            double far = o.Max(v => Math.Abs(v - options.TargetOnTime));
            sb.AppendLine(inv, $"Plan on {plans[i].Name}, seeds 2-6: mean {o.Average():P1} ({Points(o.Average() - options.TargetOnTime)}), lowest {o.Min():P1}, highest {o.Max():P1}; largest distance from the target {far * 100:F1} points: {(o.Average() >= options.TargetOnTime ? "holds the target on average" : "short of the target on average")}, {(far <= 0.03 ? "within" : "not within")} 3 points on every day{(i == 0 ? "" : string.Create(inv, $"; {plans[i].Plan.CourierHours - plans[0].Plan.CourierHours:+0.#;-0.#} courier-hours ({plans[i].Plan.CourierHours / plans[0].Plan.CourierHours - 1:+0.0%;-0.0%}) against the plan on own orders"))}.");
            sb.AppendLine();
        }
        sb.AppendLine("The other days have other restaurants as well as other orders (the generator's seed draws the city too), so part of the spread is the city: a plan for the expected day of seed 1 cannot remove it, only stop fitting the chance of seed 1's own orders.");
        sb.AppendLine();
        Console.Write(sb.ToString());
        return sb.ToString();

        static string Points(double share) => string.Create(CultureInfo.InvariantCulture, $"{share * 100:+0.0;-0.0} pts");
    }

    /// <summary>The two hours with the most couriers added and the two with the most removed (mean on duty over the hour's slots).</summary>
    private static string Where(StaffingDay d, bool traceShort)
    {
        var inv = CultureInfo.InvariantCulture;
        int hours = (d.PlanOnDuty.Length + 3) / 4;
        var diff = Enumerable.Range(0, hours).Select(h =>
        {
            double sum = 0;
            int n = 0;
            for (int s = h * 4; s < Math.Min(d.PlanOnDuty.Length, h * 4 + 4); s++) { sum += d.PlanOnDuty[s] - d.TraceOnDuty[s]; n++; }
            return (Hour: h, Diff: sum / n);
        }).ToArray();
        string Fmt(IEnumerable<(int Hour, double Diff)> hs) => !hs.Any() ? "none" : string.Join(", ", hs.Select(h => string.Create(inv, $"{SvgCharts.Clock(h.Hour * 60)}-{SvgCharts.Clock(h.Hour * 60 + 60)} {h.Diff:+0.#;-0.#}")));
        var added = diff.Where(h => h.Diff > 0).OrderByDescending(h => h.Diff).Take(2);
        var removed = diff.Where(h => h.Diff < 0).OrderBy(h => h.Diff).Take(2);
        return string.Create(inv, $"{(traceShort ? "trace short of the target; " : "")}most added {Fmt(added)}; most removed {Fmt(removed)}.");
    }
}
