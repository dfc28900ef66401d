namespace Dispatch.Model;

/// <summary>Order and courier counts, kept incrementally (reading them costs nothing).</summary>
/// <param name="Known">Orders ever placed.</param>
/// <param name="Open">Placed, not committed.</param>
/// <param name="Assigned">Committed, not picked up.</param>
/// <param name="PickedUp">Picked up, not delivered.</param>
/// <param name="Delivered">Delivered.</param>
/// <param name="Cancelled">Cancelled.</param>
/// <param name="Couriers">Couriers known: every courier id ever given a shift, those gone off shift included (couriers on
/// shift: <see cref="Engine.DispatchEngine{TTravel}.CouriersOnShift"/>).</param>
public readonly record struct EngineCounts(int Known, int Open, int Assigned, int PickedUp, int Delivered, int Cancelled, int Couriers);
