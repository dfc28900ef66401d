using System.Globalization;
using System.Text;
using System.Text.Json;
using Dispatch.Simulator.Evaluation;
using Dispatch.Simulator.Replay;

namespace Dispatch.Simulator.Reports;

/// <summary>One replay's outcome: instance, policy, evaluator verdict and metrics, engine timing.</summary>
public sealed record RunSummary(string Instance, string Policy, EvaluationReport Evaluation, double TickMsP50, double TickMsP99, double TickMsMax, int Ticks, double EngineMs, double WallMs)
{
    /// <summary>How the engine's promises (recorded at placement) fared against the replay's drop-offs.</summary>
    public World.PromiseFigures Promises { get; init; }

    public EvaluationMetrics Metrics => Evaluation.Metrics;

    public static RunSummary From(MdrpInstance instance, string policy, ReplayResult result)
    {
        var eval = SolutionEvaluator.Evaluate(instance, result.Solution);
        return new RunSummary(instance.Name, policy, eval, result.TickPercentile(50), result.TickPercentile(99), result.TickMax,
            result.TickMilliseconds.Length, result.EngineMilliseconds, result.WallMilliseconds) { Promises = result.Promises };
    }

    /// <summary>metrics.json content: every evaluator metric in snake_case plus timing and feasibility.</summary>
    public Dictionary<string, object> ToJsonObject()
    {
        var d = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["instance"] = Instance,
            ["policy"] = Policy,
            ["feasible"] = Evaluation.Feasible,
            ["violations"] = Evaluation.Violations.Count,
        };
        foreach (var kv in Metrics.ToDictionary()) d[kv.Key] = Math.Round(kv.Value, 6);
        d["tick_ms_p50"] = Math.Round(TickMsP50, 4);
        d["tick_ms_p99"] = Math.Round(TickMsP99, 4);
        d["tick_ms_max"] = Math.Round(TickMsMax, 4);
        d["ticks"] = Ticks;
        d["engine_ms"] = Math.Round(EngineMs, 3);
        d["wall_ms"] = Math.Round(WallMs, 3);
        d["promise_late_share"] = Math.Round(Promises.LateShare, 6);
        d["promise_mae"] = Math.Round(Promises.Mae, 4);
        d["promise_slack_mean"] = Math.Round(Promises.SlackMean, 4);
        d["requotes"] = Promises.Requotes;
        return d;
    }

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The one-screen summary printed after a replay.</summary>
    public string ToText()
    {
        var m = Metrics;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Format(inv, "instance {0}  policy {1}  {2}", Instance, Policy, Evaluation.Feasible ? "FEASIBLE" : $"INFEASIBLE ({Evaluation.Violations.Count} violations)"));
        sb.AppendLine(string.Format(inv, "  orders            {0,8}   delivered {1} ({2:P2}), over 90 min: {3}", m.Orders, m.Delivered, m.DeliveredShare, m.OverMaxCount));
        sb.AppendLine(string.Format(inv, "  click-to-door     mean {0:F2}  p50 {1:F1}  p90 {2:F1}  max {3:F1} min", m.ClickToDoorMean, m.ClickToDoorP50, m.ClickToDoorP90, m.ClickToDoorMax));
        sb.AppendLine(string.Format(inv, "  lower bound       mean {0:F2}  gap to it {1:F2} min", m.LowerBoundMean, m.LowerBoundGapMean));
        sb.AppendLine(string.Format(inv, "  over 40 min       {0:P2}   overage mean {1:F2} min", m.OverTargetShare, m.OverageMean));
        sb.AppendLine(string.Format(inv, "  ready-to-pickup   {0:F2} min   ready-to-door {1:F2} min", m.ReadyToPickupMean, m.ReadyToDoorMean));
        sb.AppendLine(string.Format(inv, "  couriers          utilization {0:F3}  orders/courier-hour {1:F2}  orders/bundle {2:F3}", m.CourierUtilization, m.OrdersPerCourierHour, m.OrdersPerBundle));
        sb.AppendLine(string.Format(inv, "  pay               total ${0:F0}  per order ${1:F2}  paid guarantee {2:P1}", m.TotalPay, m.PayPerOrder, m.GuaranteeShare));
        sb.AppendLine(string.Format(inv, "  promises          on time {0:P1}  mean abs error {1:F2} min  mean slack {2:F2} min  re-quoted {3}", Promises.OnTimeShare, Promises.Mae, Promises.SlackMean, Promises.Requotes));
        sb.AppendLine(string.Format(inv, "  engine            {0} ticks  p50 {1:F3} ms  p99 {2:F3} ms  max {3:F3} ms  total {4:F0} ms", Ticks, TickMsP50, TickMsP99, TickMsMax, EngineMs));
        if (!Evaluation.Feasible)
            foreach (var v in Evaluation.Violations.Take(10)) sb.AppendLine($"  violation {v.Rule}: {v.Message}");
        return sb.ToString();
    }
}
