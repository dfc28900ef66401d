namespace Dispatch.Model;

/// <summary>A new order as the caller places it. Times are minutes on the caller's clock.</summary>
/// <remarks>
/// The time windows and per-order service minutes are honoured by the <c>General</c> profile only:
/// its routes never plan a pickup after <paramref name="PickupBy"/> or a drop-off after
/// <paramref name="DeliverBy"/> (hard constraints: an order that fits no courier stays open), and a
/// courier that would arrive before <paramref name="DeliverAfter"/> waits. The <c>Mdrp</c> and
/// <c>Greedy</c> profiles validate and store them but decide exactly as without them. Window bounds
/// apply to the service instants the engine plans (<see cref="PlannedStop.ServiceAt"/>: the middle of
/// the service, the instant <paramref name="ReadyAt"/> bounds from below).
/// </remarks>
/// <param name="OrderId">Caller's id, unique across the engine's life.</param>
/// <param name="SiteId">The pickup site (restaurant), added before with <c>AddSite</c>.</param>
/// <param name="DropX">Drop-off x (or longitude).</param>
/// <param name="DropY">Drop-off y (or latitude).</param>
/// <param name="PlacedAt">When the customer placed it; the engine never assigns it before this.</param>
/// <param name="ReadyAt">When the kitchen expects it ready; pickup never happens earlier.</param>
/// <param name="Size">Capacity units it takes in a courier's bag (general profile); 1 by default.</param>
/// <param name="PickupBy">Latest pickup instant (general profile); positive infinity (the default) for none.
/// Not before <paramref name="ReadyAt"/>.</param>
/// <param name="DeliverAfter">Earliest drop-off instant (general profile): a courier arriving earlier waits;
/// 0 (the default) for none.</param>
/// <param name="DeliverBy">Latest drop-off instant (general profile); positive infinity (the default) for none.
/// Not before <paramref name="ReadyAt"/> nor <paramref name="DeliverAfter"/>.</param>
/// <param name="PickupServiceMinutes">Minutes the pickup of this order takes (general profile); null (the
/// default) for <c>DispatchOptions.PickupServiceMinutes</c>. Pickups at one site in a row share one service,
/// as long as the longest of theirs.</param>
/// <param name="DropoffServiceMinutes">Minutes the drop-off of this order takes (general profile); null (the
/// default) for <c>DispatchOptions.DropoffServiceMinutes</c>.</param>
public readonly record struct OrderRequest(long OrderId, long SiteId, double DropX, double DropY, double PlacedAt, double ReadyAt, int Size = 1,
    double PickupBy = double.PositiveInfinity, double DeliverAfter = 0, double DeliverBy = double.PositiveInfinity,
    double? PickupServiceMinutes = null, double? DropoffServiceMinutes = null);
