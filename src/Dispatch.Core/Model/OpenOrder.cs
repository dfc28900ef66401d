namespace Dispatch.Model;

/// <summary>
/// An order the engine still works on (open, assigned or picked up): what a host that shows or hands over the engine's
/// picture needs to draw it without having heard it placed (<see cref="Dispatch.Engine.DispatchEngine{TTravel}.CopyOpenOrders"/>;
/// the sidecar's live view after a restart).
/// </summary>
/// <param name="OrderId">The order.</param>
/// <param name="SiteId">Its pickup site.</param>
/// <param name="DropX">Drop-off x.</param>
/// <param name="DropY">Drop-off y.</param>
/// <param name="PlacedAt">When it was placed.</param>
/// <param name="ReadyAt">When the kitchen has it ready (as last changed).</param>
/// <param name="Status">Open, Assigned or PickedUp.</param>
/// <param name="CourierId">The courier planned or carrying it; -1 when open.</param>
/// <param name="PickedUpAt">When it was picked up (NaN before).</param>
public readonly record struct OpenOrder(long OrderId, long SiteId, double DropX, double DropY, double PlacedAt, double ReadyAt, OrderStatus Status,
    long CourierId, double PickedUpAt);
