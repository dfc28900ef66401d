namespace Dispatch.Model;

/// <summary>What the engine knows of one order now. Times the order has not reached are NaN.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Status">Where it is in its life.</param>
/// <param name="CourierId">The courier committed to it, or -1.</param>
/// <param name="PlannedPickup">Planned pickup instant.</param>
/// <param name="PlannedDropoff">Planned drop-off instant.</param>
/// <param name="PickedUpAt">Confirmed pickup instant.</param>
/// <param name="DeliveredAt">Confirmed drop-off instant.</param>
public readonly record struct OrderView(long OrderId, OrderStatus Status, long CourierId, double PlannedPickup, double PlannedDropoff, double PickedUpAt, double DeliveredAt);
