using System.Globalization;
using System.Text;
using static Dispatch.Simulator.Reports.SvgCharts;

namespace Dispatch.Simulator.Reports;

/// <summary>Choices for a run report: the map's time window (default: the busiest hour) and overlays.</summary>
public sealed record RunReportOptions
{
    /// <summary>Start of the map's route window in minutes; null picks the hour with the most orders placed.</summary>
    public double? MapWindowStart { get; init; }

    /// <summary>End of the map's route window in minutes; null means start + 60.</summary>
    public double? MapWindowEnd { get; init; }

    /// <summary>Congestion zones and closures to draw (a scenario's traffic picture).</summary>
    public MapOverlays Overlays { get; init; } = MapOverlays.None;

    /// <summary>
    /// Replaces the MDRP feasibility verdict: a scenario replay runs in a world with traffic, where the
    /// published travel rule does not hold by design, so its report says what it is instead. Rule
    /// violations are not listed when this is set.
    /// </summary>
    public string? Verdict { get; init; }
}

/// <summary>
/// report.html: one self-contained page per replay (inline CSS and SVG, no scripts, no network) with
/// the headline metrics, demand and delivery over the day, courier supply, click-to-door and
/// ready-to-pickup distributions, per-courier utilization, on-time share by hour and a city map.
/// Element ids (for browser checks): <see cref="ChartIds"/>.
/// </summary>
public static class RunReport
{
    public const string FileName = "report.html";

    public const string OrdersChartId = "chart-orders-per-10min", SupplyChartId = "chart-supply", ClickToDoorChartId = "chart-c2d-hist",
        ReadyToPickupChartId = "chart-rtp-hist", UtilizationChartId = "chart-utilization", OnTimeChartId = "chart-ontime-by-hour", MapId = "map";

    /// <summary>Every chart's element id, the map last.</summary>
    public static IReadOnlyList<string> ChartIds { get; } = [OrdersChartId, SupplyChartId, ClickToDoorChartId, ReadyToPickupChartId, UtilizationChartId, OnTimeChartId, MapId];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const string Green = "#16a34a", Amber = "#f59e0b", Red = "#dc2626", Blue = "#2563eb", Purple = "#7c3aed", Orange = "#ea580c", Grey = "#6b7280";

    /// <summary>Writes report.html and routes.geojson into <paramref name="dir"/>; returns the report's path.</summary>
    public static string Write(string dir, MdrpInstance instance, MdrpSolution solution, RunSummary summary, RunReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var data = ReportData.From(instance, solution);
        Directory.CreateDirectory(dir);
        GeoJsonExport.Write(dir, data);
        string path = Path.Combine(dir, FileName);
        File.WriteAllText(path, ToHtml(data, summary, options));
        return path;
    }

    public static string ToHtml(ReportData data, RunSummary summary, RunReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(summary);
        options ??= new RunReportOptions();
        var inst = data.Instance;
        var p = inst.Parameters;
        var m = summary.Metrics;
        var sb = new StringBuilder(256 * 1024);
        string title = $"Dispatch run report: {summary.Instance} ({summary.Policy})";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append(Inv, $"<title>{Esc(title)}</title><style>{Css}</style></head><body>\n");
        sb.Append(Inv, $"<header><h1>{Esc(summary.Instance)} <span class=\"policy\">policy {Esc(summary.Policy)}</span></h1>");
        sb.Append(options.Verdict is { } verdict
            ? $"<span id=\"verdict\" class=\"badge\">{Esc(verdict)}</span>"
            : summary.Evaluation.Feasible
            ? "<span id=\"verdict\" class=\"badge ok\">FEASIBLE: every published MDRP rule holds</span>"
            : $"<span id=\"verdict\" class=\"badge bad\">INFEASIBLE: {summary.Evaluation.Violations.Count} rule violations</span>");
        sb.Append(Inv, $"<p class=\"sub\">{inst.Orders.Length:N0} orders, {inst.Restaurants.Length:N0} restaurants, {inst.Couriers.Length:N0} courier shifts; target click-to-door {N(p.TargetClickToDoor)} min, maximum {N(p.MaxClickToDoor)} min. Times are h:mm from the start of the trace.</p></header>\n");

        // Headline tiles.
        sb.Append("<section id=\"kpis\" class=\"tiles\">");
        Tile(sb, "Delivered", $"{m.DeliveredShare:P1}", $"{m.Delivered:N0} of {m.Orders:N0}", m.DeliveredShare >= 0.999 ? "ok" : "warn");
        Tile(sb, "Click-to-door", $"{m.ClickToDoorMean:F1} min", $"p50 {m.ClickToDoorP50:F0} / p90 {m.ClickToDoorP90:F0} / max {m.ClickToDoorMax:F0}", m.ClickToDoorP90 <= p.TargetClickToDoor ? "ok" : "warn");
        Tile(sb, $"Over {N(p.TargetClickToDoor)} min", $"{m.OverTargetShare:P1}", $"mean overage {m.OverageMean:F2} min", m.OverTargetShare <= 0.1 ? "ok" : "warn");
        Tile(sb, $"Over {N(p.MaxClickToDoor)} min", $"{m.OverMaxCount:N0}", "orders past the maximum", m.OverMaxCount == 0 ? "ok" : "bad");
        Tile(sb, "Ready-to-pickup", $"{m.ReadyToPickupMean:F1} min", $"ready-to-door {m.ReadyToDoorMean:F1} min", "");
        Tile(sb, "Gap to lower bound", $"{m.LowerBoundGapMean:F2} min", $"bound mean {m.LowerBoundMean:F1} min", "");
        Tile(sb, "Courier utilization", $"{m.CourierUtilization:P1}", $"{m.OrdersPerCourierHour:F2} orders / courier-hour", "");
        Tile(sb, "Pay per order", $"${m.PayPerOrder:F2}", $"total ${m.TotalPay:N0}, guarantee {m.GuaranteeShare:P0}", "");
        Tile(sb, "Orders per bundle", $"{m.OrdersPerBundle:F2}", $"{summary.Ticks:N0} ticks, p99 {summary.TickMsP99:F2} ms", "");
        sb.Append("</section>\n");

        // Demand and deliveries.
        var placed = data.PlacedPer10Min();
        var deliv = data.DeliveredPer10Min();
        int peak = Array.IndexOf(placed.Values, placed.Values.DefaultIfEmpty(0).Max());
        string peakText = peak < 0 ? "" : $"Busiest 10 minutes: {N(placed.Values[peak])} orders placed at {Clock(placed.Start + peak * placed.Step)}-{Clock(placed.Start + (peak + 1) * placed.Step)}.";
        Section(sb, "sec-orders", "Orders placed and delivered per 10 minutes", peakText + " The gap between the lines is the work in flight.",
            TimeLines(OrdersChartId, "Orders placed and delivered per 10 minutes", placed.Start, placed.Step,
                [new ChartSeries("placed", Blue, placed.Values, Fill: true), new ChartSeries("delivered", Green, deliv.Values)], "orders per 10 min"));

        var onShift = data.OnShift();
        var busy = data.Busy();
        Section(sb, "sec-supply", "Courier supply over the day",
            $"Couriers on shift and couriers busy (driving or serving) at each 10-minute mark; at most {N(onShift.Values.DefaultIfEmpty(0).Max())} on shift. Busy close to on shift means no slack.",
            TimeLines(SupplyChartId, "Couriers on shift and busy over the day", onShift.Start, onShift.Step,
                [new ChartSeries("on shift", Purple, onShift.Values, Fill: true), new ChartSeries("busy", Orange, busy.Values)], "couriers"));

        // Click-to-door.
        var c2d = data.ClickToDoor();
        var c2dBars = c2d.Counts.Select((n, i) =>
        {
            double x0 = c2d.Start + i * c2d.Width, x1 = x0 + c2d.Width;
            string color = x1 <= p.TargetClickToDoor ? Green : x1 <= p.MaxClickToDoor ? Amber : Red;
            string last = i == c2d.Counts.Length - 1 ? "+" : "";
            return new Bar(x0, x1, n, color, $"{N(x0)}-{N(x1)}{last} min: {n} orders");
        }).ToList();
        Section(sb, "sec-c2d", "Click-to-door (placement to drop-off)",
            $"Delivered orders by minutes from placement to the door: {m.OverTargetShare:P1} past the {N(p.TargetClickToDoor)}-minute target, {m.OverMaxCount} past the {N(p.MaxClickToDoor)}-minute maximum.",
            Bars(ClickToDoorChartId, "Click-to-door histogram", c2dBars, c2d.Start, c2d.Start + c2d.Counts.Length * c2d.Width, 10, v => N(v), "click-to-door (minutes, 5-minute bins)", "orders",
                [($"within {N(p.TargetClickToDoor)} min", Green), ("late", Amber), ($"over {N(p.MaxClickToDoor)} min", Red)],
                [new RefLine(p.TargetClickToDoor, $"{N(p.TargetClickToDoor)} min target", "#065f46"), new RefLine(p.MaxClickToDoor, $"{N(p.MaxClickToDoor)} min maximum", "#7f1d1d")]));

        // Ready-to-pickup.
        var rtp = data.ReadyToPickup();
        var rtpBars = rtp.Counts.Select((n, i) =>
        {
            double x0 = rtp.Start + i * rtp.Width;
            return new Bar(x0, x0 + rtp.Width, n, Blue, $"{N(x0)}-{N(x0 + rtp.Width)}{(i == rtp.Counts.Length - 1 ? "+" : "")} min: {n} orders");
        }).ToList();
        Section(sb, "sec-rtp", "Ready-to-pickup (food waiting for a courier)",
            $"Minutes between the food being ready and the courier picking it up; mean {m.ReadyToPickupMean:F1} min. A long tail means food getting cold at the counter.",
            Bars(ReadyToPickupChartId, "Ready-to-pickup histogram", rtpBars, rtp.Start, rtp.Start + rtp.Counts.Length * rtp.Width, NiceStep(rtp.Counts.Length * rtp.Width, 10), v => N(v),
                "ready-to-pickup (minutes, 2-minute bins)", "orders", [("orders", Blue)], [new RefLine(m.ReadyToPickupMean, $"mean {m.ReadyToPickupMean:F1}", Grey)]));

        // Utilization per courier.
        var util = data.Utilization();
        var utilBars = util.Counts.Select((n, i) =>
        {
            double x0 = util.Start + i * util.Width;
            return new Bar(x0 * 100, (x0 + util.Width) * 100, n, Purple, $"{N(x0 * 100)}-{N((x0 + util.Width) * 100)}%{(i == util.Counts.Length - 1 ? "+" : "")}: {n} couriers");
        }).ToList();
        int idle = data.Couriers.Count(c => c.Delivered == 0);
        Section(sb, "sec-utilization", "Courier utilization (per courier)",
            $"Driving and service minutes over shift minutes, one count per courier shift; fleet {m.CourierUtilization:P1}. {idle} of {data.Couriers.Count} shifts delivered nothing.",
            Bars(UtilizationChartId, "Courier utilization distribution", utilBars, 0, 100, 10, v => N(v) + "%", "utilization (5% bins)", "couriers", [("couriers", Purple)],
                [new RefLine(m.CourierUtilization * 100, $"fleet {m.CourierUtilization:P0}", Grey)]));

        // On time by hour.
        var byHour = data.OnTimeByHour();
        var hourBars = byHour.Where(h => h.Placed > 0).Select(h =>
        {
            double share = (double)h.OnTime / h.Placed;
            string color = share >= 0.9 ? Green : share >= 0.75 ? Amber : Red;
            return new Bar(h.Hour, h.Hour + 60, share * 100, color, $"{Clock(h.Hour)}-{Clock(h.Hour + 60)}: {h.OnTime} of {h.Placed} orders within {N(p.TargetClickToDoor)} min ({share:P0})", $"{share * 100:0}%");
        }).ToList();
        var worst = byHour.Where(h => h.Placed >= 5).Select(h => (h.Hour, Share: (double)h.OnTime / h.Placed)).DefaultIfEmpty((Hour: data.DayStart, Share: 1.0)).MinBy(h => h.Share);
        Section(sb, "sec-ontime", "On-time share by hour of placement",
            $"Orders placed in each hour and delivered within {N(p.TargetClickToDoor)} minutes (an undelivered order counts as late). Weakest hour with 5+ orders: {Clock(worst.Hour)} at {worst.Share:P0}.",
            Bars(OnTimeChartId, "On-time share by hour", hourBars, data.DayStart, data.DayEnd, (data.DayEnd - data.DayStart) > 16 * 60 ? 120 : 60, Clock,
                "hour of placement (h:mm from the start of the trace)", "% on time", [(">= 90%", Green), ("75-90%", Amber), ("< 75%", Red)], null, 110, v => N(v) + "%"));

        // Map.
        var busiest = data.BusiestHour();
        double from = options.MapWindowStart ?? busiest.From;
        double to = options.MapWindowEnd ?? from + 60;
        var legs = CityMap.LegsIn(data, from, to);
        int couriersInWindow = legs.Select(l => l.Courier).Distinct(StringComparer.Ordinal).Count();
        string windowWhy = options.MapWindowStart is null ? "the hour with the most orders placed" : "the chosen window";
        Section(sb, "sec-map", $"City map, routes {Clock(from)}-{Clock(to)}",
            $"Courier moves departing {Clock(from)}-{Clock(to)} ({windowWhy}): {legs.Count} moves by {couriersInWindow} couriers, one colour per courier, dashed on the way to a restaurant, solid with food. " +
            (options.Overlays.IsEmpty ? "No congestion zones or closures. " : $"{options.Overlays.CongestionZones.Count} congestion zones, {options.Overlays.Closures.Count} closures. ") +
            $"All routes and sites: {GeoJsonExport.FileName} beside this file (planar metres).",
            CityMap.Svg(data, from, to, options.Overlays, MapId));

        if (!summary.Evaluation.Feasible && options.Verdict is null)
        {
            sb.Append("<section id=\"violations\" class=\"card\"><h2>Rule violations</h2><ul>");
            foreach (var v in summary.Evaluation.Violations.Take(50)) sb.Append(Inv, $"<li><b>{Esc(v.Rule)}</b>: {Esc(v.Message)}</li>");
            sb.Append("</ul></section>");
        }
        sb.Append(Inv, $"<footer>Engine: {summary.Ticks:N0} ticks, p50 {summary.TickMsP50:F3} ms, p99 {summary.TickMsP99:F3} ms, max {summary.TickMsMax:F3} ms; {summary.EngineMs:N0} ms in the engine. Files beside this report: metrics.json, {GeoJsonExport.FileName}, solution_info_*.txt.</footer>\n");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    internal static void Tile(StringBuilder sb, string label, string value, string detail, string cls) =>
        sb.Append(Inv, $"<div class=\"tile {cls}\"><div class=\"label\">{Esc(label)}</div><div class=\"value\">{Esc(value)}</div><div class=\"detail\">{Esc(detail)}</div></div>");

    internal static void Section(StringBuilder sb, string id, string heading, string note, string svg) =>
        sb.Append(Inv, $"<section id=\"{id}\" class=\"card\"><h2>{Esc(heading)}</h2><p class=\"note\">{Esc(note)}</p>{svg}</section>\n");

    internal const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1100px;padding:16px 20px;color:#111827;background:#eef1f5}
        header h1{margin:4px 0;font-size:24px} .policy{font-size:15px;color:#4b5563;font-weight:500;margin-left:8px}
        .sub{color:#4b5563;margin:6px 0 12px;font-size:14px}
        .badge{display:inline-block;padding:3px 10px;border-radius:12px;font-size:13px;font-weight:600}
        .badge.ok{background:#dcfce7;color:#166534}.badge.bad{background:#fee2e2;color:#991b1b}
        .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px;margin:12px 0}
        .tile{background:#fff;border-radius:8px;padding:10px 12px;border-left:5px solid #cbd5e1}
        .tile.ok{border-left-color:#16a34a}.tile.warn{border-left-color:#f59e0b}.tile.bad{border-left-color:#dc2626}
        .tile .label{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#6b7280}
        .tile .value{font-size:24px;font-weight:650;margin:2px 0}.tile .detail{font-size:12px;color:#4b5563}
        .card{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0}
        .card h2{font-size:17px;margin:2px 0 4px}.note{font-size:13px;color:#4b5563;margin:0 0 6px}
        svg{display:block;font-family:inherit} svg .tick{font-size:11px;fill:#4b5563} svg .axis{font-size:12px;fill:#374151}
        svg .legend{font-size:12px;fill:#111827} svg .reflabel{font-size:12px;font-weight:600} svg .barlabel{font-size:11px;font-weight:600}
        svg rect.bar:hover{opacity:.75}
        table{border-collapse:collapse;width:100%;font-size:14px;background:#fff}
        th,td{padding:5px 8px;border-bottom:1px solid #e5e7eb;text-align:right} th:first-child,td:first-child{text-align:left}
        td.better{background:#dcfce7;font-weight:600} td.worse{color:#991b1b} td.same{color:#6b7280}
        footer{font-size:12px;color:#6b7280;margin:16px 0}
        """;
}
