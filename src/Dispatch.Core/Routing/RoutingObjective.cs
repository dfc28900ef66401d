namespace Dispatch.Routing;

/// <summary>
/// What a solution's cost is made of, beyond each vehicle's own <see cref="RoutingVehicle.FixedCost"/>
/// (the weight of using it) and <see cref="RoutingVehicle.CostPerMinute"/> /
/// <see cref="RoutingVehicle.CostPerDistance"/> (the weight of travel). Serving requests always comes
/// first: a solution with fewer unserved requests (by <see cref="RoutingRequest.Priority"/>, then by
/// count) is better whatever its cost, and every unserved request comes back with a reason.
/// </summary>
public sealed record RoutingObjective
{
    /// <summary>The default: vehicle and travel costs only, soft windows at their own penalties.</summary>
    public static RoutingObjective Default { get; } = new();

    /// <summary>Multiplies every soft window's <see cref="TimeWindow.LatePenaltyPerMinute"/> (0 ignores lateness).</summary>
    public double LatenessWeight { get; init; } = 1;

    /// <summary>
    /// Cost per minute from a request's <see cref="RoutingRequest.PlacedAt"/> to the start of its
    /// delivery (click-to-door), for requests that have a delivery; 0 (the default) leaves it out.
    /// </summary>
    public double ClickToDoorPerMinute { get; init; }
}
