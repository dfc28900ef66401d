namespace Dispatch.Client.Following;

/// <summary>In which order a <see cref="PlanFollower"/> hands back stops due at the same time.</summary>
/// <remarks>
/// The order matters beyond the follower: the engine applies a batch's confirmations one by one, and its next decisions
/// may break ties by what it heard first, so a fleet that changed this order would play a different day.
/// </remarks>
public enum SameTimeOrder
{
    /// <summary>
    /// Pickups before drop-offs, and stops of one kind in the order they were planned: a pickup and drop-off of one order
    /// at the same time are both confirmed, in that order.
    /// </summary>
    PickupsFirst,

    /// <summary>
    /// Drop-offs before pickups, and stops of one kind in the queue's own (deterministic, not planning) order: the order
    /// the soak's and the sample's fleets confirmed in before they shared the follower, kept so their runs stay as they
    /// were. A drop-off due at the same time as its own pickup waits for the next plan.
    /// </summary>
    DropoffsFirst,
}
