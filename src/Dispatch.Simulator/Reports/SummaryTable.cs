using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dispatch.Simulator.Reports;

/// <summary>
/// The replay-all summary: one row per instance for the engine with the greedy baseline beside it,
/// a mean row, and a per-seed-family comparison (the first character of an MDRP instance name is its seed).
/// </summary>
public static class SummaryTable
{
    public sealed record Pair(RunSummary Engine, RunSummary? Baseline);

    public static string ToMarkdown(IReadOnlyList<Pair> rows, double wallSeconds)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        bool hasBase = rows.Any(r => r.Baseline is not null);
        sb.AppendLine("# Replay summary");
        sb.AppendLine();
        sb.AppendLine(string.Format(inv, "{0} instances replayed in {1:F1} s wall time ({2} feasible, engine policy {3}{4}).",
            rows.Count, wallSeconds, rows.Count(r => r.Engine.Evaluation.Feasible), rows.FirstOrDefault()?.Engine.Policy ?? "-",
            hasBase ? $", baseline {rows.First(r => r.Baseline is not null).Baseline!.Policy}" : ""));
        sb.AppendLine();
        sb.Append("| instance | feasible | orders | delivered | over 90 | c2d mean | c2d p90 | over 40 | LB gap | ready-to-pickup | utilization | $/order | orders/bundle | tick p50 ms | tick max ms | on time vs promise | promise MAE | promise slack | re-quotes |");
        if (hasBase) sb.Append(" greedy c2d mean | greedy p90 | greedy over 40 | greedy LB gap |");
        sb.AppendLine();
        sb.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        if (hasBase) sb.Append("---:|---:|---:|---:|");
        sb.AppendLine();
        foreach (var r in rows) AppendRow(sb, r.Engine.Instance, r.Engine.Evaluation.Feasible ? "yes" : "NO", [r], hasBase);
        AppendRow(sb, "**mean**", rows.All(r => r.Engine.Evaluation.Feasible) ? "all" : "NOT ALL", rows, hasBase);
        sb.AppendLine();

        if (hasBase)
        {
            sb.AppendLine("## By seed family (engine vs greedy baseline)");
            sb.AppendLine();
            sb.AppendLine("| seed | instances | c2d p90 engine | c2d p90 greedy | over 40 engine | over 40 greedy | LB gap engine | LB gap greedy | p90 better | over-40 better |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
            foreach (var g in rows.Where(r => r.Baseline is not null).GroupBy(r => Family(r.Engine.Instance)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                double ep90 = g.Average(r => r.Engine.Metrics.ClickToDoorP90), bp90 = g.Average(r => r.Baseline!.Metrics.ClickToDoorP90);
                double eo = g.Average(r => r.Engine.Metrics.OverTargetShare), bo = g.Average(r => r.Baseline!.Metrics.OverTargetShare);
                sb.AppendLine(string.Format(inv, "| {0} | {1} | {2:F2} | {3:F2} | {4:P2} | {5:P2} | {6:F2} | {7:F2} | {8} | {9} |",
                    g.Key, g.Count(), ep90, bp90, eo, bo,
                    g.Average(r => r.Engine.Metrics.LowerBoundGapMean), g.Average(r => r.Baseline!.Metrics.LowerBoundGapMean),
                    ep90 < bp90 ? "yes" : "no", eo < bo ? "yes" : "no"));
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static string Family(string name) => name.Length > 0 && char.IsDigit(name[0]) ? name[..1] : "other";

    private static void AppendRow(StringBuilder sb, string name, string feasible, IReadOnlyList<Pair> rows, bool hasBase)
    {
        var inv = CultureInfo.InvariantCulture;
        double Avg(Func<RunSummary, double> f) => rows.Average(r => f(r.Engine));
        sb.Append(string.Format(inv, "| {0} | {1} | {2:F0} | {3:P2} | {4:F1} | {5:F2} | {6:F2} | {7:P2} | {8:F2} | {9:F2} | {10:F3} | {11:F2} | {12:F3} | {13:F3} | {14:F2} |",
            name, feasible, Avg(s => s.Metrics.Orders), Avg(s => s.Metrics.DeliveredShare), Avg(s => s.Metrics.OverMaxCount),
            Avg(s => s.Metrics.ClickToDoorMean), Avg(s => s.Metrics.ClickToDoorP90), Avg(s => s.Metrics.OverTargetShare),
            Avg(s => s.Metrics.LowerBoundGapMean), Avg(s => s.Metrics.ReadyToPickupMean), Avg(s => s.Metrics.CourierUtilization),
            Avg(s => s.Metrics.PayPerOrder), Avg(s => s.Metrics.OrdersPerBundle), Avg(s => s.TickMsP50),
            rows.Count == 1 ? rows[0].Engine.TickMsMax : rows.Max(r => r.Engine.TickMsMax)));
        sb.Append(string.Format(inv, " {0:P1} | {1:F2} | {2:F2} | {3:F1} |",
            Avg(s => s.Promises.OnTimeShare), Avg(s => s.Promises.Mae), Avg(s => s.Promises.SlackMean), Avg(s => s.Promises.Requotes)));
        if (hasBase)
        {
            var b = rows.Where(r => r.Baseline is not null).Select(r => r.Baseline!).ToList();
            if (b.Count == 0) sb.Append(" - | - | - | - |");
            else sb.Append(string.Format(inv, " {0:F2} | {1:F2} | {2:P2} | {3:F2} |",
                b.Average(s => s.Metrics.ClickToDoorMean), b.Average(s => s.Metrics.ClickToDoorP90), b.Average(s => s.Metrics.OverTargetShare), b.Average(s => s.Metrics.LowerBoundGapMean)));
        }
        sb.AppendLine();
    }

    public static string ToJson(IReadOnlyList<Pair> rows, double wallSeconds)
    {
        static Dictionary<string, double> Mean(IEnumerable<RunSummary> runs)
        {
            var list = runs.ToList();
            var keys = list[0].ToJsonObject().Where(kv => kv.Value is double or int).Select(kv => kv.Key).ToList();
            return keys.ToDictionary(k => k, k => Math.Round(list.Average(r => Convert.ToDouble(r.ToJsonObject()[k], CultureInfo.InvariantCulture)), 6));
        }
        var obj = new Dictionary<string, object>
        {
            ["instances"] = rows.Count,
            ["wall_seconds"] = Math.Round(wallSeconds, 3),
            ["all_feasible"] = rows.All(r => r.Engine.Evaluation.Feasible),
            ["engine_mean"] = Mean(rows.Select(r => r.Engine)),
            ["rows"] = rows.Select(r => new Dictionary<string, object?> { ["engine"] = r.Engine.ToJsonObject(), ["baseline"] = r.Baseline?.ToJsonObject() }).ToList(),
        };
        if (rows.Any(r => r.Baseline is not null)) obj["baseline_mean"] = Mean(rows.Where(r => r.Baseline is not null).Select(r => r.Baseline!));
        return JsonSerializer.Serialize(obj, RunSummary.Json);
    }
}
