namespace Dispatch.Routing;

/// <summary>
/// A vehicle (courier) available to the optimizer: where it starts and (optionally) must return,
/// its shift, capacity and costs. Locations are indexes into the problem's <see cref="TravelMatrix"/>;
/// -1 means the route starts at its first stop (no start) or ends at its last (no end).
/// </summary>
public sealed class RoutingVehicle
{
    /// <summary>Creates a vehicle with the given id and defaults for everything else.</summary>
    public RoutingVehicle(long id) => Id = id;

    /// <summary>Caller's id, unique within the problem.</summary>
    public long Id { get; }
    /// <summary>Start location, or -1.</summary>
    public int StartLocation { get; init; } = -1;
    /// <summary>Depot to return to, or -1 (the route ends at its last stop).</summary>
    public int EndLocation { get; init; } = -1;
    /// <summary>Leaves the start no earlier than <c>Earliest</c>; is back at the end (or done with the last stop) by <c>Latest</c>.</summary>
    public TimeWindow Shift { get; init; } = TimeWindow.Always;
    /// <summary>Capacity per dimension (empty: unlimited).</summary>
    public int[] Capacity { get; init; } = [];
    /// <summary>Cost counted once when the vehicle is used at all.</summary>
    public double FixedCost { get; init; }
    /// <summary>Cost per minute of travel.</summary>
    public double CostPerMinute { get; init; } = 1;
    /// <summary>Cost per unit of distance.</summary>
    public double CostPerDistance { get; init; }
}
