namespace Dispatch.Simulator.Evaluation;

/// <summary>
/// What <see cref="SolutionEvaluator.Evaluate"/> found: every broken rule and the published
/// metrics. Metrics are computed from the files as written even when the solution is infeasible,
/// so a report on a broken replay still shows what that replay claims.
/// </summary>
public sealed class EvaluationReport
{
    /// <summary>Creates a report; <paramref name="violations"/> is kept as given.</summary>
    public EvaluationReport(IReadOnlyList<Violation> violations, EvaluationMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(violations);
        ArgumentNullException.ThrowIfNull(metrics);
        Violations = violations;
        Metrics = metrics;
    }

    /// <summary>Every broken rule, in the order the files were checked (assignments, orders, moves).</summary>
    public IReadOnlyList<Violation> Violations { get; }

    /// <summary>True when no rule is broken. Click-to-door over the maximum is a metric, not a violation.</summary>
    public bool Feasible => Violations.Count == 0;

    /// <summary>The published metrics of the solution.</summary>
    public EvaluationMetrics Metrics { get; }

    /// <summary>The distinct rule codes that fired, sorted, for quick assertions and summaries.</summary>
    public IReadOnlyList<string> BrokenRules =>
        Violations.Select(v => v.Rule).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <inheritdoc/>
    public override string ToString() =>
        Feasible ? "feasible" : $"infeasible: {Violations.Count} violation(s) of {string.Join(", ", BrokenRules)}";
}
