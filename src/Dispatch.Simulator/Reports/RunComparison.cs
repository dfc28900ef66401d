using System.Globalization;
using System.Text;
using System.Text.Json;
using static Dispatch.Simulator.Reports.SvgCharts;

namespace Dispatch.Simulator.Reports;

/// <summary>
/// compare: two replay folders' metrics.json side by side, with the difference (B - A, absolute and
/// relative to A) and which run is better on each metric, as one self-contained HTML page.
/// </summary>
public static class RunComparison
{
    public const string DefaultFileName = "compare.html";

    /// <summary>Which way is better for a metric: lower, higher, or neither (a property of the instance, not of the run).</summary>
    public enum Better { Lower, Higher, Neither }

    /// <summary>One metric of both runs; <see cref="Winner"/> is "A", "B", "=" or "" (not comparable).</summary>
    public sealed record Row(string Metric, double? A, double? B, Better Direction)
    {
        public double? Delta => A is { } a && B is { } b ? b - a : null;

        public double? Percent => A is { } a && B is { } b && a != 0 ? (b - a) / Math.Abs(a) * 100 : null;

        public string Winner => Direction == Better.Neither || A is not { } a || B is not { } b ? ""
            : Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(a)) ? "="
            : (Direction == Better.Lower) == (b < a) ? "B" : "A";
    }

    /// <summary>Direction per metrics.json key; unknown numeric keys are shown as neither.</summary>
    public static Better DirectionOf(string key) => key switch
    {
        "delivered" or "delivered_share" or "orders_per_courier_hour" or "courier_utilization" or "orders_per_bundle" or "feasible" => Better.Higher,
        "orders" or "lower_bound_mean" or "ticks" => Better.Neither,
        "undelivered" or "violations" or "over_max_count" or "over_target_share" or "overage_mean" or "total_pay" or "pay_per_order" or "guarantee_share"
            or "lower_bound_gap_mean" or "engine_ms" or "wall_ms" => Better.Lower,
        _ when key.StartsWith("click_to_door", StringComparison.Ordinal) || key.StartsWith("ready_to_", StringComparison.Ordinal) || key.StartsWith("tick_ms", StringComparison.Ordinal) => Better.Lower,
        _ => Better.Neither,
    };

    /// <summary>Reads metrics.json of a replay folder (or the file itself).</summary>
    public static Dictionary<string, JsonElement> ReadMetrics(string runDirOrFile)
    {
        string path = Directory.Exists(runDirOrFile) ? Path.Combine(runDirOrFile, "metrics.json") : runDirOrFile;
        if (!File.Exists(path)) throw new FileNotFoundException($"metrics.json not found: {path} (pass an output folder of 'replay')", path);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: expected a JSON object");
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    private static double? Number(Dictionary<string, JsonElement> d, string key) =>
        !d.TryGetValue(key, out var v) ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : v.ValueKind == JsonValueKind.True ? 1 : v.ValueKind == JsonValueKind.False ? 0 : null;

    private static string Text(Dictionary<string, JsonElement> d, string key) =>
        d.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    /// <summary>Rows for every numeric (or boolean) key of either file, in A's order then B's extra keys.</summary>
    public static List<Row> Rows(Dictionary<string, JsonElement> a, Dictionary<string, JsonElement> b) =>
        a.Keys.Concat(b.Keys.Where(k => !a.ContainsKey(k))).Distinct(StringComparer.Ordinal)
            .Select(k => new Row(k, Number(a, k), Number(b, k), DirectionOf(k)))
            .Where(r => r.A is not null || r.B is not null).ToList();

    /// <summary>Writes the page; returns its path (default: compare.html in the current folder).</summary>
    public static string Write(string runA, string runB, string? outFile)
    {
        string html = ToHtml(runA, ReadMetrics(runA), runB, ReadMetrics(runB));
        string path = outFile ?? DefaultFileName;
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is not null) Directory.CreateDirectory(parent);
        File.WriteAllText(path, html);
        return path;
    }

    public static string ToHtml(string nameA, Dictionary<string, JsonElement> a, string nameB, Dictionary<string, JsonElement> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var inv = CultureInfo.InvariantCulture;
        var rows = Rows(a, b);
        string Label(string path, Dictionary<string, JsonElement> d) => $"{Text(d, "instance")} / {Text(d, "policy")} ({path})";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dispatch run comparison</title>");
        sb.Append(inv, $"<style>{RunReport.Css}</style></head><body>\n<header><h1>Run comparison</h1>");
        sb.Append(inv, $"<p class=\"sub\"><b>A</b>: {Esc(Label(nameA, a))}<br><b>B</b>: {Esc(Label(nameB, b))}</p>");
        if (Text(a, "instance") != Text(b, "instance"))
            sb.Append("<p class=\"badge bad\">the runs are of different instances: differences mix instance and dispatch</p>");
        int winsA = rows.Count(r => r.Winner == "A"), winsB = rows.Count(r => r.Winner == "B");
        sb.Append(inv, $"<p id=\"score\" class=\"sub\">Better on {winsA} metrics: A; on {winsB} metrics: B; {rows.Count(r => r.Winner == "=")} equal.</p></header>\n");
        sb.Append("<section class=\"card\"><table id=\"comparison\"><thead><tr><th>metric</th><th>A</th><th>B</th><th>B - A</th><th>B vs A</th><th>better is</th><th>better</th></tr></thead><tbody>\n");
        foreach (var r in rows)
        {
            string cls(string who) => r.Winner == "" ? "" : r.Winner == "=" ? "same" : r.Winner == who ? "better" : "worse";
            string dir = r.Direction switch { Better.Lower => "lower", Better.Higher => "higher", _ => "-" };
            sb.Append(inv, $"<tr data-metric=\"{Esc(r.Metric)}\"><td>{Esc(r.Metric)}</td><td class=\"{cls("A")}\">{Fmt(r.A)}</td><td class=\"{cls("B")}\">{Fmt(r.B)}</td>");
            sb.Append(inv, $"<td>{(r.Delta is { } d ? (d > 0 ? "+" : "") + Fmt(d) : "-")}</td><td>{(r.Percent is { } pc ? (pc > 0 ? "+" : "") + pc.ToString("0.0", inv) + "%" : "-")}</td>");
            sb.Append(inv, $"<td>{dir}</td><td class=\"winner\">{(r.Winner == "=" ? "equal" : r.Winner)}</td></tr>\n");
        }
        sb.Append("</tbody></table></section>\n<footer>From the two runs' metrics.json. Percentages are relative to A.</footer></body></html>\n");
        return sb.ToString();
    }

    private static string Fmt(double? v) => v is not { } x ? "-"
        : x == Math.Floor(x) && Math.Abs(x) < 1e12 ? x.ToString("0", CultureInfo.InvariantCulture)
        : Math.Abs(x) >= 100 ? x.ToString("0.0", CultureInfo.InvariantCulture)
        : x.ToString("0.####", CultureInfo.InvariantCulture);
}
