namespace Dispatch.Model;

/// <summary>An explicit change to a committed plan, with the reason, so callers never have to diff plans.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="OrderId">The order concerned; -1 for <see cref="PlanChangeKind.Resequenced"/>, which concerns the courier's whole route (read it with <c>CopyRoute</c>).</param>
/// <param name="CourierId">The courier it is with now (for <see cref="PlanChangeKind.Released"/> and
/// <see cref="PlanChangeKind.Cancelled"/>: the courier it was with), or -1.</param>
/// <param name="At">The time the change was made.</param>
/// <param name="Reason">Why.</param>
/// <param name="PreviousTime">For <see cref="PlanChangeKind.EtaChanged"/>: the drop-off planned before; for
/// <see cref="PlanChangeKind.Reassigned"/>: the courier it was released from (as a number); for
/// <see cref="PlanChangeKind.Requoted"/>: the promise that broke; otherwise NaN.</param>
/// <param name="NewTime">For <see cref="PlanChangeKind.EtaChanged"/> and <see cref="PlanChangeKind.Reassigned"/>: the drop-off
/// planned now; for <see cref="PlanChangeKind.Requoted"/>: the new promise; otherwise NaN.</param>
public readonly record struct PlanChange(PlanChangeKind Kind, long OrderId, long CourierId, double At,
    PlanChangeReason Reason = PlanChangeReason.None, double PreviousTime = double.NaN, double NewTime = double.NaN);
