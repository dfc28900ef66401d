using System.CommandLine;
using System.Globalization;
using Dispatch.Simulator.Reports;
using Dispatch.Simulator.Staffing;

namespace Dispatch.Simulator;

/// <summary><c>plan-shifts</c>: courier shifts from recorded days, checked by replaying them (<see cref="StaffingPlanner"/>).</summary>
internal static class StaffingCommands
{
    /// <summary>Exit code when the target cannot be met with the allowed shifts.</summary>
    public const int Unreachable = 3;

    public static void Add(RootCommand root)
    {
        var defaults = new StaffingOptions();
        var tracesArg = new Argument<string[]>("trace-dir") { Description = "one or more MDRP trace folders (recorded days); the plan must meet the target on each", Arity = ArgumentArity.OneOrMore };
        var onTimeOpt = new Option<double>("--target-on-time") { Description = "share of orders delivered within the trace's target click-to-door (40 min)", DefaultValueFactory = _ => defaults.TargetOnTime };
        var c2dOpt = new Option<double?>("--target-click-to-door") { Description = "instead of --target-on-time: mean click-to-door at most this many minutes" };
        var lengthsOpt = new Option<string>("--shift-lengths") { Description = "allowed shift lengths in hours, comma-separated (multiples of 0.25)", DefaultValueFactory = _ => "2,3,4" };
        var earliestOpt = new Option<string?>("--earliest-start") { Description = "earliest shift start, h:mm from the start of the day (default: the first slot needing a courier)" };
        var latestOpt = new Option<string?>("--latest-start") { Description = "latest shift start, h:mm (default: the last slot needing a courier)" };
        var minOpt = new Option<int>("--min-per-start") { Description = "fewest couriers starting at each allowed start", DefaultValueFactory = _ => defaults.MinCouriersPerStart };
        var maxOpt = new Option<int>("--max-per-start") { Description = "most couriers starting at each allowed start", DefaultValueFactory = _ => defaults.MaxCouriersPerStart };
        var areasOpt = new Option<int>("--areas") { Description = "restaurant clusters of the demand profile", DefaultValueFactory = _ => defaults.Areas };
        var replaysOpt = new Option<int>("--max-replays") { Description = "replays of each day while the requirement is searched (bounds the run time)", DefaultValueFactory = _ => defaults.MaxRequirementReplays };
        var seedOpt = new Option<int>("--seed") { Description = "seed of the couriers' starting points (drawn from the trace's courier starts)", DefaultValueFactory = _ => defaults.Seed };
        var drawsOpt = new Option<int>("--start-draws") { Description = "draws of courier starting points each candidate plan is replayed with; the target must hold on each", DefaultValueFactory = _ => defaults.StartDraws };
        var forecastOpt = new Option<int>("--forecast-seeds") { Description = "0: search the plan on the recorded orders, the target holding on each day and draw; N: on N days of orders drawn from the forecast (each slot's forecast count, copies of orders recorded in that slot), the target holding on their orders together: a plan for the expected day rather than the recorded one (the recorded days are replayed with it for the report)", DefaultValueFactory = _ => defaults.ForecastSeeds };
        var outOpt = new Option<string>("--out") { Description = "folder for shifts.csv, staffing.json, staffing.html and instance/", DefaultValueFactory = _ => "out/staffing" };
        var quietOpt = new Option<bool>("--quiet") { Description = "no progress bar or progress lines" };
        var cmd = new Command("plan-shifts", "plan courier shifts that meet a service target on recorded days: demand per 15 minutes, couriers required per slot by replaying with the engine, a CP-SAT shift cover, checked by replaying the plan")
            { tracesArg, onTimeOpt, c2dOpt, lengthsOpt, earliestOpt, latestOpt, minOpt, maxOpt, areasOpt, replaysOpt, seedOpt, drawsOpt, forecastOpt, outOpt, quietOpt };
        cmd.SetAction(pr => Cli.Guard(() =>
        {
            var options = new StaffingOptions
            {
                TargetOnTime = pr.GetValue(onTimeOpt),
                TargetClickToDoorMean = pr.GetValue(c2dOpt),
                ShiftLengthHours = ParseHours(pr.GetValue(lengthsOpt)!),
                EarliestStartMinute = ParseClock(pr.GetValue(earliestOpt), "--earliest-start"),
                LatestStartMinute = ParseClock(pr.GetValue(latestOpt), "--latest-start"),
                MinCouriersPerStart = pr.GetValue(minOpt),
                MaxCouriersPerStart = pr.GetValue(maxOpt),
                Areas = pr.GetValue(areasOpt),
                MaxRequirementReplays = pr.GetValue(replaysOpt),
                Seed = pr.GetValue(seedOpt),
                StartDraws = pr.GetValue(drawsOpt),
                ForecastSeeds = pr.GetValue(forecastOpt),
            };
            var planner = new StaffingPlanner(options);
            var days = pr.GetValue(tracesArg)!.Select(MdrpInstance.Load).ToArray();
            string outDir = pr.GetValue(outOpt)!;
            StaffingResult result;
            try
            {
                result = ProgressReporter.Run("plan-shifts", planner.MaxReplays(days.Length), ProgressReporter.Detect(pr.GetValue(quietOpt)), progress => planner.Plan(days, progress));
            }
            catch (StaffingUnreachableException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Unreachable;
            }
            StaffingReport.Write(outDir, result);
            Console.Write(Summary(result));
            Console.WriteLine($"  wrote {Path.GetFullPath(outDir)} ({StaffingReport.ShiftsFile}, {StaffingReport.JsonFile}, {StaffingReport.HtmlFile}, {StaffingReport.InstanceFolder}/)");
            if (result.Days.Any(d => !d.PlanEvaluation.Feasible))
            {
                Console.Error.WriteLine("error: the plan's replay broke a published rule; see staffing.json");
                return 1;
            }
            return 0;
        }));
        root.Subcommands.Add(cmd);
    }

    internal static string Summary(StaffingResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.Append(inv, $"plan-shifts {string.Join(", ", r.Demand.Days)}  {r.Options.TargetText}\n");
        sb.Append(inv, $"  peaks           {string.Join("; ", r.Demand.Peaks.Select(p => $"{SvgCharts.Clock(p.StartMinute)}-{SvgCharts.Clock(p.EndMinute)} up to {p.Height:0.#}/slot"))}\n");
        sb.Append(inv, $"  shifts          {r.Shifts.Sum(s => s.Count)} couriers, {r.CourierHours:0.##} courier-hours ({string.Join(", ", r.Shifts.Select(s => $"{s.Count}x {SvgCharts.Clock(s.StartMinute)}+{s.LengthMinutes / 60.0:0.##}h"))})\n");
        if (r.ForecastOnTimeShare is { } pooled)
        {
            sb.Append(inv, $"  forecast days   {r.ForecastDays.Count / r.Options.StartDraws} drawn x {r.Options.StartDraws} start draws: on time {pooled:P1} together ({r.ForecastDays.Min(f => f.OnTimeShare):P1}-{r.ForecastDays.Max(f => f.OnTimeShare):P1} per replay), click-to-door {r.ForecastClickToDoorMean:0.##} min\n");
        }
        foreach (var d in r.Days)
        {
            sb.Append(inv, $"  {d.Trace.Day,-16} trace: {d.Trace.CourierHours:0.##} courier-hours, on time {d.Trace.OnTimeShare:P1}, click-to-door {d.Trace.ClickToDoorMean:0.##} min\n");
            sb.Append(inv, $"  {"",-16} plan:  {d.Plan.CourierHours:0.##} courier-hours, on time {d.Plan.OnTimeShare:P1}, click-to-door {d.Plan.ClickToDoorMean:0.##} min, evaluator {(d.PlanEvaluation.Feasible ? "FEASIBLE" : "INFEASIBLE")}\n");
        }
        sb.Append(inv, $"  {r.Replays} replays in {r.Seconds:F1} s\n");
        return sb.ToString();
    }

    private static double[] ParseHours(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ArgumentException($"--shift-lengths: '{text}' lists no lengths");
        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double h) && h > 0
            ? h : throw new ArgumentException($"--shift-lengths: '{p}' is not a positive number of hours")).ToArray();
    }

    /// <summary>"h:mm" or whole minutes from the start of the day.</summary>
    private static int? ParseClock(string? text, string option)
    {
        if (text is null) return null;
        var parts = text.Split(':');
        if (parts.Length == 1 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int minutes)) return minutes;
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m < 60)
            return h * 60 + m;
        throw new ArgumentException($"{option}: '{text}' is not h:mm or whole minutes");
    }
}
