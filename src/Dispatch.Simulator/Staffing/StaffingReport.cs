using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dispatch.Simulator.Reports;
using static Dispatch.Simulator.Reports.SvgCharts;

namespace Dispatch.Simulator.Staffing;

/// <summary>
/// Writes a staffing plan: <c>shifts.csv</c> (start, length, count), <c>instance/</c> (the recorded
/// day with the plan's couriers.txt, MDRP format; one sub-folder per day when several),
/// <c>staffing.json</c> and <c>staffing.html</c> (the charts of report.html).
/// </summary>
public static class StaffingReport
{
    public const string ShiftsFile = "shifts.csv", JsonFile = "staffing.json", HtmlFile = "staffing.html", InstanceFolder = "instance";

    public const string DemandChartId = "chart-demand", SupplyChartId = "chart-staffing-supply", AreaChartId = "chart-demand-areas", OnTimeChartId = "chart-staffing-ontime";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes every file into <paramref name="dir"/>.</summary>
    public static void Write(string dir, StaffingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(dir);
        var csv = new StringBuilder("start,start_minute,length_minutes,count\n");
        foreach (var s in result.Shifts) csv.Append(Inv, $"{Clock(s.StartMinute)},{s.StartMinute},{s.LengthMinutes},{s.Count}\n");
        File.WriteAllText(Path.Combine(dir, ShiftsFile), csv.ToString());
        foreach (var day in result.Days)
            day.PlanInstance.Save(result.Days.Count == 1 ? Path.Combine(dir, InstanceFolder) : Path.Combine(dir, InstanceFolder, day.Trace.Day));
        File.WriteAllText(Path.Combine(dir, JsonFile), ToJson(result).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(dir, HtmlFile), ToHtml(result));
    }

    /// <summary>staffing.json: headline figures (the worst day where there are several) and the per-slot series.</summary>
    public static JsonObject ToJson(StaffingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var o = result.Options;
        var days = new JsonArray();
        foreach (var d in result.Days)
        {
            days.Add(new JsonObject
            {
                ["day"] = d.Trace.Day,
                ["orders"] = d.Trace.Orders,
                ["trace_courier_hours"] = Math.Round(d.Trace.CourierHours, 2),
                ["trace_on_time_share"] = Math.Round(d.Trace.OnTimeShare, 4),
                ["trace_click_to_door_mean"] = Math.Round(d.Trace.ClickToDoorMean, 2),
                ["plan_courier_hours"] = Math.Round(d.Plan.CourierHours, 2),
                ["plan_couriers"] = d.PlanInstance.Couriers.Length,
                ["on_time_share_simulated"] = Math.Round(d.Plan.OnTimeShare, 4),
                ["click_to_door_mean_simulated"] = Math.Round(d.Plan.ClickToDoorMean, 2),
                ["delivered_simulated"] = d.Plan.Delivered,
                ["evaluator_feasible"] = d.PlanEvaluation.Feasible,
                ["evaluator_over_target_share"] = Math.Round(d.PlanEvaluation.Metrics.OverTargetShare, 4),
                ["evaluator_click_to_door_mean"] = Math.Round(d.PlanEvaluation.Metrics.ClickToDoorMean, 2),
                ["evaluator_total_pay"] = Math.Round(d.PlanEvaluation.Metrics.TotalPay, 2),
                ["trace_on_duty"] = Ints(d.TraceOnDuty),
                ["plan_on_duty"] = Ints(d.PlanOnDuty),
            });
        }
        var peaks = new JsonArray();
        foreach (var p in result.Demand.Peaks)
            peaks.Add(new JsonObject { ["start"] = Clock(p.StartMinute), ["end"] = Clock(p.EndMinute), ["start_minute"] = p.StartMinute, ["end_minute"] = p.EndMinute, ["height"] = Math.Round(p.Height, 2), ["orders"] = Math.Round(p.Orders, 2) });
        var shifts = new JsonArray();
        foreach (var s in result.Shifts) shifts.Add(new JsonObject { ["start"] = Clock(s.StartMinute), ["start_minute"] = s.StartMinute, ["length_minutes"] = s.LengthMinutes, ["count"] = s.Count });
        var trials = new JsonArray();
        foreach (var t in result.Trials)
            trials.Add(new JsonObject { ["phase"] = t.Phase, ["courier_hours"] = Math.Round(t.CourierHours, 2), ["on_time_share"] = Math.Round(t.OnTimeShare, 4), ["click_to_door_mean"] = Math.Round(t.ClickToDoorMean, 2), ["meets_target"] = t.MeetsTarget });
        var worstPlan = result.Days.MinBy(d => d.Plan.OnTimeShare)!;
        return new JsonObject
        {
            ["days"] = new JsonArray(result.Days.Select(d => (JsonNode)JsonValue.Create(d.Trace.Day)).ToArray()),
            ["target_on_time"] = o.TargetClickToDoorMean is null ? o.TargetOnTime : null,
            ["target_click_to_door_mean"] = o.TargetClickToDoorMean,
            ["shift_length_hours"] = new JsonArray(o.ShiftLengthHours.Select(h => (JsonNode)JsonValue.Create(h)).ToArray()),
            ["courier_hours"] = Math.Round(result.CourierHours, 2),
            ["couriers"] = result.Shifts.Sum(s => s.Count),
            ["trace_courier_hours"] = Math.Round(result.Days.Average(d => d.Trace.CourierHours), 2),
            ["trace_on_time_share"] = Math.Round(result.Days.Min(d => d.Trace.OnTimeShare), 4),
            ["trace_click_to_door_mean"] = Math.Round(result.Days.Max(d => d.Trace.ClickToDoorMean), 2),
            ["on_time_share_simulated"] = Math.Round(worstPlan.Plan.OnTimeShare, 4),
            ["click_to_door_mean_simulated"] = Math.Round(result.Days.Max(d => d.Plan.ClickToDoorMean), 2),
            ["evaluator_feasible"] = result.Days.All(d => d.PlanEvaluation.Feasible),
            ["forecast_seeds"] = o.ForecastSeeds,
            ["on_time_share_forecast"] = result.ForecastOnTimeShare is { } f ? Math.Round(f, 4) : null,
            ["click_to_door_mean_forecast"] = result.ForecastClickToDoorMean is { } c ? Math.Round(c, 2) : null,
            ["on_time_share_forecast_per_replay"] = new JsonArray(result.ForecastDays.Select(d => (JsonNode)JsonValue.Create(Math.Round(d.OnTimeShare, 4))).ToArray()),
            ["cover_optimal"] = result.CoverOptimal,
            ["replays"] = result.Replays,
            ["seconds"] = Math.Round(result.Seconds, 2),
            ["slot_minutes"] = DemandProfile.SlotMinutes,
            ["demand_per_slot"] = Doubles(result.Demand.Mean),
            ["forecast_per_slot"] = Doubles(result.Demand.Forecast),
            ["forecast_trend_orders_per_day"] = Math.Round(result.Demand.TrendPerDay, 2),
            ["demand_per_area_per_slot"] = new JsonArray(result.Demand.MeanPerArea.Select(a => (JsonNode)Doubles(a)).ToArray()),
            ["peaks"] = peaks,
            ["fluid_estimate_per_slot"] = Ints(result.FluidEstimate),
            ["required_per_slot"] = Ints(result.Required),
            ["shifts"] = shifts,
            ["per_day"] = days,
            ["trials"] = trials,
        };
    }

    private static JsonArray Ints(int[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static JsonArray Doubles(double[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(Math.Round(v, 3))).ToArray());

    /// <summary>staffing.html: demand (total and per area) with the peaks, supply (required, planned, recorded) and on-time by hour, trace vs plan.</summary>
    public static string ToHtml(StaffingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        const string Blue = "#2563eb", Purple = "#7c3aed", Orange = "#ea580c", Grey = "#6b7280", Green = "#16a34a", Amber = "#f59e0b", Red = "#dc2626";
        string[] areaColors = ["#2563eb", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#db2777", "#ca8a04", "#4b5563"];
        var sb = new StringBuilder(64 * 1024);
        string name = string.Join(", ", result.Demand.Days);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append(Inv, $"<title>{Esc("Dispatch staffing plan: " + name)}</title><style>{RunReport.Css}</style></head><body>\n");
        sb.Append(Inv, $"<header><h1>{Esc(name)} <span class=\"policy\">staffing plan, {Esc(result.Options.TargetText)}</span></h1>");
        bool feasible = result.Days.All(d => d.PlanEvaluation.Feasible);
        sb.Append(feasible ? "<span id=\"verdict\" class=\"badge ok\">FEASIBLE: the plan's replay keeps every published MDRP rule</span>" : "<span id=\"verdict\" class=\"badge bad\">INFEASIBLE replay: see staffing.json</span>");
        sb.Append(Inv, $"<p class=\"sub\">{result.Shifts.Sum(s => s.Count):N0} couriers on {result.Shifts.Count} shift starts; {result.Replays} replays in {result.Seconds:F1} s. Times are h:mm from the start of the day; slots of {DemandProfile.SlotMinutes} minutes.</p></header>\n");

        var worst = result.Days.MinBy(d => d.Plan.OnTimeShare)!;
        sb.Append("<section id=\"kpis\" class=\"tiles\">");
        RunReport.Tile(sb, "Plan courier-hours", $"{result.CourierHours:F1}", $"trace {result.Days.Average(d => d.Trace.CourierHours):F1}", result.CourierHours <= result.Days.Average(d => d.Trace.CourierHours) ? "ok" : "warn");
        bool meets = result.Options.TargetClickToDoorMean is { } c2d ? result.Days.All(d => d.Plan.ClickToDoorMean <= c2d) : worst.Plan.OnTimeShare >= result.Options.TargetOnTime;
        // Planned on forecast days, the target holds on those together; a recorded day may land a little under it.
        RunReport.Tile(sb, "On time (plan)", $"{worst.Plan.OnTimeShare:P1}", $"trace {worst.Trace.OnTimeShare:P1}", meets ? "ok" : result.ForecastOnTimeShare is null ? "bad" : "warn");
        if (result.ForecastOnTimeShare is { } pooled)
        {
            bool pooledMeets = result.Options.TargetClickToDoorMean is { } c ? result.ForecastClickToDoorMean <= c : pooled >= result.Options.TargetOnTime;
            RunReport.Tile(sb, "On time (forecast days)", $"{pooled:P1}", $"{result.ForecastDays.Count} replays, {result.ForecastDays.Min(d => d.OnTimeShare):P1}-{result.ForecastDays.Max(d => d.OnTimeShare):P1}", pooledMeets ? "ok" : "bad");
        }
        RunReport.Tile(sb, "Click-to-door (plan)", $"{worst.Plan.ClickToDoorMean:F1} min", $"trace {worst.Trace.ClickToDoorMean:F1} min", "");
        RunReport.Tile(sb, "Peaks", string.Join(", ", result.Demand.Peaks.Select(p => $"{Clock(p.StartMinute)}-{Clock(p.EndMinute)}")), string.Join(", ", result.Demand.Peaks.Select(p => $"{p.Height:0.#} orders / slot")), "");
        sb.Append("</section>\n");

        RunReport.Section(sb, "sec-demand", "Demand per 15 minutes",
            (result.Demand.Days.Count == 1 ? "Orders placed per slot (the forecast for a next day is this day)." : $"Mean over {result.Demand.Days.Count} days and the forecast (trend {result.Demand.TrendPerDay:+0.#;-0.#} orders per day).") +
            " Peaks: " + string.Join("; ", result.Demand.Peaks.Select(p => $"{Clock(p.StartMinute)}-{Clock(p.EndMinute)}, up to {p.Height:0.#} orders per slot, {p.Orders:0} orders")) + ".",
            TimeLines(DemandChartId, "Orders placed per 15 minutes", 0, DemandProfile.SlotMinutes,
                [new ChartSeries("placed", Blue, result.Demand.Mean, Fill: true), new ChartSeries("forecast", Grey, result.Demand.Forecast, Dashed: true)], "orders per 15 min",
                result.Demand.Peaks.Select(p => new RefLine(p.StartMinute, "peak", Orange)).ToList()));
        RunReport.Section(sb, "sec-areas", "Demand per area (restaurant clusters)",
            $"{result.Demand.Areas.Count} areas by k-means on restaurant coordinates; orders placed per slot at each area's restaurants.",
            TimeLines(AreaChartId, "Orders per 15 minutes per area", 0, DemandProfile.SlotMinutes,
                result.Demand.MeanPerArea.Select((a, i) => new ChartSeries($"area {i + 1}", areaColors[i % areaColors.Length], a)).ToList(), "orders per 15 min"));
        var traceSupply = Enumerable.Range(0, result.Slots).Select(s => result.Days.Average(d => (double)d.TraceOnDuty[s])).ToArray();
        var planSupply = Enumerable.Range(0, result.Slots).Select(s => result.Days.Average(d => (double)d.PlanOnDuty[s])).ToArray();
        RunReport.Section(sb, "sec-supply", "Couriers on duty per 15 minutes",
            "Required: found by replaying the day with the engine until the target held with the fewest courier-minutes; planned: the CP-SAT shift cover of it; trace: the recorded couriers; fluid: the first estimate (busy courier-minutes / 15).",
            TimeLines(SupplyChartId, "Couriers per slot: required, planned, recorded", 0, DemandProfile.SlotMinutes,
                [new ChartSeries("planned", Purple, planSupply, Fill: true), new ChartSeries("required", Orange, result.Required.Select(v => (double)v).ToArray()),
                 new ChartSeries("trace", Grey, traceSupply, Dashed: true), new ChartSeries("fluid estimate", Blue, result.FluidEstimate.Select(v => (double)v).ToArray(), Dashed: true)], "couriers"));

        var bars = new List<Bar>();
        int hours = worst.Plan.OrdersByHour.Length;
        for (int h = 0; h < hours; h++)
        {
            if (worst.Plan.OrdersByHour[h] == 0) continue;
            double plan = 100.0 * worst.Plan.OnTimeByHour[h] / worst.Plan.OrdersByHour[h];
            double trace = 100.0 * worst.Trace.OnTimeByHour[h] / worst.Trace.OrdersByHour[h];
            string color = plan >= 90 ? Green : plan >= 75 ? Amber : Red;
            bars.Add(new Bar(h * 60, h * 60 + 30, trace, Grey, $"{Clock(h * 60)}-{Clock(h * 60 + 60)} trace: {worst.Trace.OnTimeByHour[h]} of {worst.Trace.OrdersByHour[h]} on time", $"{trace:0}"));
            bars.Add(new Bar(h * 60 + 30, h * 60 + 60, plan, color, $"{Clock(h * 60)}-{Clock(h * 60 + 60)} plan: {worst.Plan.OnTimeByHour[h]} of {worst.Plan.OrdersByHour[h]} on time", $"{plan:0}"));
        }
        RunReport.Section(sb, "sec-ontime", $"On-time share by hour of placement ({worst.Trace.Day})",
            "Left bar of each hour: the recorded couriers; right bar: the plan's couriers. An undelivered order counts as late.",
            Bars(OnTimeChartId, "On-time share by hour, trace and plan", bars, 0, hours * 60, hours > 16 ? 120 : 60, Clock, "hour of placement", "% on time",
                [("trace", Grey), ("plan >= 90%", Green), ("plan 75-90%", Amber), ("plan < 75%", Red)], null, 110, v => N(v) + "%"));

        sb.Append("<section id=\"shifts\" class=\"card\"><h2>Shifts</h2><table><tr><th>start</th><th>length</th><th>couriers</th></tr>");
        foreach (var s in result.Shifts) sb.Append(Inv, $"<tr><td>{Clock(s.StartMinute)}</td><td>{s.LengthMinutes / 60.0:0.##} h</td><td>{s.Count}</td></tr>");
        sb.Append("</table></section>\n");
        sb.Append(Inv, $"<footer>Files beside this page: {ShiftsFile}, {JsonFile}, {InstanceFolder}/ (replay or evaluate it like any MDRP instance).</footer>\n</body></html>\n");
        return sb.ToString();
    }
}
