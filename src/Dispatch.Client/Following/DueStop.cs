using Dispatch.Protocol;

namespace Dispatch.Client.Following;

/// <summary>
/// A stop a <see cref="PlanFollower"/> says is done: the courier <paramref name="CourierId"/> picked up or dropped off
/// order <paramref name="OrderId"/> at <paramref name="At"/>, the service time of the latest plan for it. The caller sends
/// it as ConfirmPickup or ConfirmDropoff with that time.
/// </summary>
public readonly record struct DueStop(long OrderId, WireStopKind Kind, double At, long CourierId);
