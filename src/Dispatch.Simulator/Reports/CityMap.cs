using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using static Dispatch.Simulator.Reports.SvgCharts;

namespace Dispatch.Simulator.Reports;

/// <summary>An area where travel is slower (a scenario's congestion zone), in the instance's metre coordinates.</summary>
public sealed record CongestionZone(string Label, Polygon Area, double? SpeedFactor = null);

/// <summary>A closed street or segment, in the instance's metre coordinates.</summary>
public sealed record Closure(string Label, LineString Line);

/// <summary>What the map draws beyond restaurants, drop-offs and routes: a scenario's congestion zones and closures.</summary>
public sealed record MapOverlays
{
    public IReadOnlyList<CongestionZone> CongestionZones { get; init; } = [];
    public IReadOnlyList<Closure> Closures { get; init; } = [];

    public static MapOverlays None { get; } = new();

    public bool IsEmpty => CongestionZones.Count == 0 && Closures.Count == 0;
}

/// <summary>
/// The city as an SVG map from the trace coordinates (metres, north up): every restaurant, drop-offs
/// (those delivered in the window highlighted), the courier moves that start in a time window, and
/// optional congestion zones and closures.
/// </summary>
public static class CityMap
{
    /// <summary>Background drop-offs drawn at most (evenly sampled beyond), to keep a report of a huge wave openable.</summary>
    public const int MaxBackgroundDropoffs = 20_000;

    private const double W = 960, Pad = 24, LegendRow = 22, CharWidth = 7.2;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e", "#393b79", "#637939", "#843c39"];

    /// <summary>Moves departing in [from, to), in solution order.</summary>
    public static IReadOnlyList<RouteLeg> LegsIn(ReportData data, double from, double to)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Legs.Where(l => l.Departure >= from && l.Departure < to).ToList();
    }

    public static string Svg(ReportData data, double from, double to, MapOverlays? overlays = null, string id = "map")
    {
        ArgumentNullException.ThrowIfNull(data);
        overlays ??= MapOverlays.None;
        var inst = data.Instance;

        // Extent: every point of the instance plus the overlays.
        var env = new Envelope();
        foreach (var r in inst.Restaurants) env.ExpandToInclude(r.X, r.Y);
        foreach (var o in inst.Orders) env.ExpandToInclude(o.X, o.Y);
        foreach (var c in inst.Couriers) env.ExpandToInclude(c.X, c.Y);
        foreach (var z in overlays.CongestionZones) env.ExpandToInclude(z.Area.EnvelopeInternal);
        foreach (var c in overlays.Closures) env.ExpandToInclude(c.Line.EnvelopeInternal);
        if (env.IsNull) env = new Envelope(0, 1000, 0, 1000);
        if (env.Width < 1) env.ExpandBy(500, 0);
        if (env.Height < 1) env.ExpandBy(0, 500);
        double scale = (W - 2 * Pad) / env.Width;
        double h = Math.Clamp(env.Height * scale + 2 * Pad, 360, 1100);
        scale = Math.Min(scale, (h - 2 * Pad) / env.Height);
        double ox = (W - env.Width * scale) / 2, oy = (h - env.Height * scale) / 2;
        double totalH = h, legendHeight = 0;
        string PX(double x) => N(ox + (x - env.MinX) * scale);
        string PY(double y) => N(legendHeight + oy + (env.MaxY - y) * scale);

        var legs = LegsIn(data, from, to);
        var inWindow = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, line) in data.Delivered) if (line.DropoffTime >= from && line.DropoffTime < to) inWindow.Add(line.Order);
        int stride = Math.Max(1, (int)Math.Ceiling(inst.Orders.Length / (double)MaxBackgroundDropoffs));
        var starts = legs.Where(l => l.Origin == Mdrp.MdrpSolution.StartLocation).ToList();
        int couriersInWindow = legs.Select(l => l.Courier).Distinct(StringComparer.Ordinal).Count();

        // Legend items (swatch, text), laid out in as many rows as the width needs.
        var legend = new List<(string Swatch, string Text)>
        {
            ("<rect x=\"2\" y=\"2\" width=\"10\" height=\"10\" fill=\"#f97316\" stroke=\"#7c2d12\"/>", $"restaurant ({inst.Restaurants.Length})"),
            ("<circle cx=\"7\" cy=\"7\" r=\"4\" fill=\"#2563eb\"/>", $"dropped off in window ({inWindow.Count})"),
            ("<circle cx=\"7\" cy=\"7\" r=\"2\" fill=\"#9ca3af\"/>", stride > 1 ? $"other drop-offs (1 in {stride})" : "other drop-offs of the day"),
        };
        if (starts.Count > 0) legend.Add(("<circle cx=\"7\" cy=\"7\" r=\"3.5\" fill=\"#ffffff\" stroke=\"#111827\" stroke-width=\"1.4\"/>", "courier start"));
        legend.Add(("<line x1=\"0\" y1=\"7\" x2=\"16\" y2=\"7\" stroke=\"#1f77b4\" stroke-width=\"2.2\"/>", $"with food ({couriersInWindow} couriers)"));
        legend.Add(("<line x1=\"0\" y1=\"7\" x2=\"16\" y2=\"7\" stroke=\"#1f77b4\" stroke-width=\"1.4\" stroke-dasharray=\"4 3\"/>", "to restaurant"));
        if (overlays.CongestionZones.Count > 0) legend.Add(("<rect x=\"2\" y=\"2\" width=\"12\" height=\"10\" fill=\"#ef4444\" fill-opacity=\"0.3\" stroke=\"#dc2626\"/>", "congestion"));
        if (overlays.Closures.Count > 0) legend.Add(("<line x1=\"0\" y1=\"7\" x2=\"16\" y2=\"7\" stroke=\"#111827\" stroke-width=\"3\" stroke-dasharray=\"5 3\"/>", "closure"));
        var placed = new List<(double X, int Row)>();
        double cx = 4;
        int row = 0;
        foreach (var (_, text) in legend)
        {
            double w = 30 + CharWidth * text.Length;
            if (cx + w > W && cx > 4) { row++; cx = 4; }
            placed.Add((cx, row));
            cx += w;
        }
        legendHeight = 6 + LegendRow * (row + 1);
        totalH = h + legendHeight;

        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg id=\"{Esc(id)}\" class=\"map\" role=\"img\" aria-label=\"City map: restaurants, drop-offs and courier routes {Clock(from)}-{Clock(to)}\" viewBox=\"0 0 {W} {N(totalH)}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\">");
        sb.Append(Inv, $"<title>City map, courier routes departing {Clock(from)}-{Clock(to)}</title>");
        sb.Append(Inv, $"<rect x=\"0\" y=\"{legendHeight}\" width=\"{W}\" height=\"{N(h)}\" fill=\"#f4f6f8\" stroke=\"#d0d4dc\"/>");

        // 1 km grid.
        double gridStep = NiceStep(Math.Max(env.Width, env.Height), 8);
        sb.Append("<g class=\"grid\" stroke=\"#e2e6ea\" stroke-width=\"1\">");
        for (double gx = Math.Ceiling(env.MinX / gridStep) * gridStep; gx <= env.MaxX; gx += gridStep)
            sb.Append(Inv, $"<line x1=\"{PX(gx)}\" x2=\"{PX(gx)}\" y1=\"{N(legendHeight)}\" y2=\"{N(totalH)}\"/>");
        for (double gy = Math.Ceiling(env.MinY / gridStep) * gridStep; gy <= env.MaxY; gy += gridStep)
            sb.Append(Inv, $"<line x1=\"0\" x2=\"{W}\" y1=\"{PY(gy)}\" y2=\"{PY(gy)}\"/>");
        sb.Append("</g>");

        // Traffic overlays, under the routes.
        if (overlays.CongestionZones.Count > 0)
        {
            sb.Append("<g class=\"congestion\">");
            foreach (var z in overlays.CongestionZones)
            {
                var path = new StringBuilder();
                foreach (var ring in new[] { z.Area.ExteriorRing }.Concat(z.Area.InteriorRings))
                {
                    var cs = ring.Coordinates;
                    for (int i = 0; i < cs.Length; i++) path.Append(i == 0 ? 'M' : 'L').Append(PX(cs[i].X)).Append(' ').Append(PY(cs[i].Y)).Append(' ');
                    path.Append("Z ");
                }
                string speed = z.SpeedFactor is { } s ? string.Create(Inv, $" (speed x{s:0.##})") : "";
                sb.Append(Inv, $"<path d=\"{path.ToString().TrimEnd()}\" fill=\"#ef4444\" fill-opacity=\"0.18\" fill-rule=\"evenodd\" stroke=\"#dc2626\" stroke-width=\"1.5\"><title>congestion: {Esc(z.Label)}{speed}</title></path>");
            }
            sb.Append("</g>");
        }
        if (overlays.Closures.Count > 0)
        {
            sb.Append("<g class=\"closures\">");
            foreach (var c in overlays.Closures)
            {
                string pts = string.Join(' ', c.Line.Coordinates.Select(p => $"{PX(p.X)},{PY(p.Y)}"));
                sb.Append(Inv, $"<polyline points=\"{pts}\" fill=\"none\" stroke=\"#111827\" stroke-width=\"4\" stroke-dasharray=\"8 5\"><title>closure: {Esc(c.Label)}</title></polyline>");
            }
            sb.Append("</g>");
        }

        // Drop-offs: all of the day faint (sampled past the cap), those dropped off in the window strong.
        sb.Append("<g class=\"dropoffs-day\" fill=\"#9ca3af\" fill-opacity=\"0.55\">");
        for (int i = 0; i < inst.Orders.Length; i += stride)
        {
            var o = inst.Orders[i];
            if (!inWindow.Contains(o.Id)) sb.Append(Inv, $"<circle cx=\"{PX(o.X)}\" cy=\"{PY(o.Y)}\" r=\"1.6\"/>");
        }
        sb.Append("</g>");

        // Routes in the window, one colour per courier; the empty ride to a restaurant dashed, the ride with food solid.
        var courierColor = new Dictionary<string, string>(StringComparer.Ordinal);
        sb.Append("<g class=\"routes\" fill=\"none\" stroke-linecap=\"round\">");
        foreach (var g in legs.GroupBy(l => l.Courier, StringComparer.Ordinal))
        {
            string color = Palette[courierColor.Count % Palette.Length];
            courierColor[g.Key] = color;
            var toSite = new StringBuilder();
            var withFood = new StringBuilder();
            foreach (var l in g)
            {
                var target = l.ToRestaurant ? toSite : withFood;
                target.Append('M').Append(PX(l.X1)).Append(' ').Append(PY(l.Y1)).Append(" L").Append(PX(l.X2)).Append(' ').Append(PY(l.Y2)).Append(' ');
            }
            var first = g.First();
            var last = g.Last();
            string tip = Esc($"courier {g.Key}: {g.Count()} moves, departures {Clock(first.Departure)}-{Clock(last.Departure)}");
            sb.Append(Inv, $"<g class=\"route\" data-courier=\"{Esc(g.Key)}\" stroke=\"{color}\"><title>{tip}</title>");
            if (toSite.Length > 0) sb.Append(Inv, $"<path d=\"{toSite.ToString().TrimEnd()}\" stroke-width=\"1.4\" stroke-dasharray=\"4 3\" stroke-opacity=\"0.75\"/>");
            if (withFood.Length > 0) sb.Append(Inv, $"<path d=\"{withFood.ToString().TrimEnd()}\" stroke-width=\"2.2\" stroke-opacity=\"0.85\"/>");
            sb.Append("</g>");
        }
        sb.Append("</g>");

        sb.Append("<g class=\"dropoffs-window\" fill=\"#2563eb\" stroke=\"#ffffff\" stroke-width=\"0.8\">");
        foreach (var (i, line) in data.Delivered)
        {
            if (!inWindow.Contains(line.Order)) continue;
            var o = inst.Orders[i];
            sb.Append(Inv, $"<circle cx=\"{PX(o.X)}\" cy=\"{PY(o.Y)}\" r=\"3.6\"><title>order {Esc(o.Id)}: placed {Clock(o.PlacementTime)}, delivered {Clock(line.DropoffTime)} by {Esc(line.Courier)}, click-to-door {N(line.DropoffTime - o.PlacementTime)} min</title></circle>");
        }
        sb.Append("</g>");

        if (starts.Count > 0)
        {
            sb.Append("<g class=\"courier-starts\" fill=\"#ffffff\" stroke=\"#111827\" stroke-width=\"1.4\">");
            foreach (var l in starts)
                sb.Append(Inv, $"<circle cx=\"{PX(l.X1)}\" cy=\"{PY(l.Y1)}\" r=\"3.2\"><title>courier {Esc(l.Courier)} starts here, first departure {Clock(l.Departure)}</title></circle>");
            sb.Append("</g>");
        }

        var pickupsInWindow = legs.Where(l => l.ToRestaurant).GroupBy(l => l.Destination, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        sb.Append("<g class=\"restaurants\" stroke=\"#7c2d12\" stroke-width=\"0.8\">");
        foreach (var r in inst.Restaurants)
        {
            bool busy = pickupsInWindow.TryGetValue(r.Id, out int n);
            double s = busy ? 7 : 5;
            string x = N(ox + (r.X - env.MinX) * scale - s / 2), y = N(legendHeight + oy + (env.MaxY - r.Y) * scale - s / 2);
            sb.Append(Inv, $"<rect x=\"{x}\" y=\"{y}\" width=\"{N(s)}\" height=\"{N(s)}\" fill=\"{(busy ? "#f97316" : "#fdba74")}\"><title>restaurant {Esc(r.Id)}{(busy ? $": {n} courier visit(s) in the window" : "")}</title></rect>");
        }
        sb.Append("</g>");

        // Legend on top, scale bar bottom left.
        sb.Append("<g class=\"map-legend\" font-size=\"12\">");
        for (int k = 0; k < legend.Count; k++)
            sb.Append(Inv, $"<g transform=\"translate({N(placed[k].X)} {N(6 + LegendRow * placed[k].Row)})\">{legend[k].Swatch}<text x=\"20\" y=\"12\" class=\"legend\">{Esc(legend[k].Text)}</text></g>");
        sb.Append("</g>");
        double barMetres = NiceStep(env.Width, 5);
        double barPx = barMetres * scale, by = totalH - 14;
        string barLabel = barMetres >= 1000 ? $"{N(barMetres / 1000)} km" : $"{N(barMetres)} m";
        sb.Append(Inv, $"<g class=\"scale\"><rect x=\"10\" y=\"{N(by - 16)}\" width=\"{N(barPx + 70)}\" height=\"24\" fill=\"#ffffff\" fill-opacity=\"0.8\"/><line x1=\"16\" x2=\"{N(16 + barPx)}\" y1=\"{N(by)}\" y2=\"{N(by)}\" stroke=\"#111827\" stroke-width=\"3\"/><text x=\"{N(22 + barPx)}\" y=\"{N(by + 4)}\" class=\"tick\">{barLabel}</text></g>");
        sb.Append(Inv, $"<text x=\"{W - 16}\" y=\"{N(legendHeight + 22)}\" text-anchor=\"end\" class=\"axis\">N &#8593;</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }
}
