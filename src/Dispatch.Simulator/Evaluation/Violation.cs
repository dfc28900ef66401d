namespace Dispatch.Simulator.Evaluation;

/// <summary>
/// One broken feasibility rule: <paramref name="Rule"/> is a code from <see cref="EvaluationRules"/>,
/// <paramref name="Message"/> names the file, line, order, courier and values involved.
/// </summary>
/// <param name="Rule">Stable rule code from <see cref="EvaluationRules"/>.</param>
/// <param name="Message">Human-readable explanation naming the offending values.</param>
public sealed record Violation(string Rule, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"[{Rule}] {Message}";
}
