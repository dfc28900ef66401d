namespace Dispatch.Model;

/// <summary>Order and courier counts, kept incrementally (reading them costs nothing).</summary>
/// <param name="Known">Orders ever placed.</param>
/// <param name="Open">Placed, not committed.</param>
/// <param name="Assigned">Committed, not picked up.</param>
/// <param name="PickedUp">Picked up, not delivered.</param>
/// <param name="Delivered">Delivered.</param>
/// <param name="Cancelled">Cancelled.</param>
/// <param name="Couriers">Couriers known: those given a shift, including those gone off shift within the retention
/// window (<see cref="Engine.DispatchOptions.FinishedOrderRetentionMinutes"/>; after it, with nothing planned, they
/// are forgotten). Couriers on shift: <see cref="Engine.DispatchEngine{TTravel}.CouriersOnShift"/>.</param>
public readonly record struct EngineCounts(int Known, int Open, int Assigned, int PickedUp, int Delivered, int Cancelled, int Couriers)
{
    /// <summary>Orders whose delivery failed and that were returned (<see cref="OrderStatus.Returned"/>): with the
    /// other statuses they add up to <see cref="Known"/>. Not positional, so existing constructions still compile.</summary>
    public int Returned { get; init; }
}
