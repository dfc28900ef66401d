namespace Dispatch.Routing;

/// <summary>
/// One thing to do: a pickup and its delivery on the same vehicle, pickup first (a shipment), or a
/// single visit. A request with only a <see cref="DeliveryLocation"/> is loaded at the vehicle's
/// start (delivery from the depot); one with only a <see cref="PickupLocation"/> stays on board to the
/// route's end. Locations are indexes into the problem's <see cref="TravelMatrix"/>.
/// </summary>
/// <param name="id">Caller's id, unique within the problem.</param>
/// <param name="pickupLocation">Where it is picked up, or -1 when it has no pickup.</param>
/// <param name="deliveryLocation">Where it is delivered, or -1 when it has no delivery.</param>
public sealed class RoutingRequest(long id, int pickupLocation, int deliveryLocation)
{
    /// <summary>Caller's id, unique within the problem.</summary>
    public long Id { get; } = id;
    /// <summary>Where it is picked up, or -1 (loaded at the vehicle's start).</summary>
    public int PickupLocation { get; } = pickupLocation;
    /// <summary>Where it is delivered, or -1 (carried to the route's end).</summary>
    public int DeliveryLocation { get; } = deliveryLocation;
    /// <summary>When service at the pickup may start (earliest = ready).</summary>
    public TimeWindow PickupWindow { get; init; } = TimeWindow.Always;
    /// <summary>When service at the delivery may start.</summary>
    public TimeWindow DeliveryWindow { get; init; } = TimeWindow.Always;
    /// <summary>Minutes spent at the pickup.</summary>
    public double PickupServiceMinutes { get; init; }
    /// <summary>Minutes spent at the delivery.</summary>
    public double DeliveryServiceMinutes { get; init; }
    /// <summary>Load per capacity dimension (empty: takes no room).</summary>
    public int[] Amount { get; init; } = [];
    /// <summary>
    /// When the customer placed it, the start of its click-to-door time (see
    /// <see cref="RoutingObjective.ClickToDoorPerMinute"/>); null: the pickup window's earliest.
    /// </summary>
    public double? PlacedAt { get; init; }
    /// <summary>
    /// Weight of serving it when not everything can be (0, the default, up to 1,000,000): a solution
    /// serves the highest total priority first, then the most requests, then the least cost (VROOM's order).
    /// </summary>
    public int Priority { get; init; }

    /// <summary>True for a pickup-and-delivery pair.</summary>
    public bool IsShipment => PickupLocation >= 0 && DeliveryLocation >= 0;
}
