namespace Dispatch.Model;

/// <summary>An explicit change to a committed plan, with the reason, so callers never have to diff plans.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="OrderId">The order concerned.</param>
/// <param name="CourierId">The courier it was with, or -1.</param>
/// <param name="At">The time the change was made.</param>
public readonly record struct PlanChange(PlanChangeKind Kind, long OrderId, long CourierId, double At);
