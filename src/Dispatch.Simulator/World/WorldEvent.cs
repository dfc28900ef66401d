namespace Dispatch.Simulator.World;

/// <summary>
/// What can happen in a simulated world. The order of the members is the order of events at the same
/// minute: planned confirmations first (a courier free at t can be sent by the tick at t), then
/// placements (an order placed at t is seen by the tick at t), then scenario events, then the moves of
/// driving couriers, and the engine's tick last.
/// </summary>
public enum WorldEventKind
{
    /// <summary>A courier that follows the plan confirms a drop-off at its planned time (<see cref="WorldEvent.Id"/>: the order).</summary>
    PlannedDropoff,

    /// <summary>A courier that follows the plan confirms a pickup at its planned time (<see cref="WorldEvent.Id"/>: the order).</summary>
    PlannedPickup,

    /// <summary>An order is placed (<see cref="WorldEvent.Id"/>: the world's order).</summary>
    Place,

    /// <summary>A kitchen announces a later ready time (<see cref="WorldEvent.Id"/>: the order).</summary>
    KitchenDelay,

    /// <summary>A customer cancels (<see cref="WorldEvent.Id"/>: the order).</summary>
    Cancel,

    /// <summary>A kitchen runs out of an item and changes the order: a later ready time (<see cref="WorldEvent.Id"/>: the order).</summary>
    OutOfStock,

    /// <summary>A customer reports that the order handed over was not theirs (<see cref="WorldEvent.Id"/>: the order).</summary>
    WrongDelivery,

    /// <summary>Couriers drop out (<see cref="WorldEvent.Id"/>: the world's outage).</summary>
    CourierOffline,

    /// <summary>A driving courier's service at a stop ends (<see cref="WorldEvent.Id"/>: the courier).</summary>
    ServiceDone,

    /// <summary>A driving courier leaves a stop (<see cref="WorldEvent.Id"/>: the courier).</summary>
    Leave,

    /// <summary>A driving courier arrives where it was heading (<see cref="WorldEvent.Id"/>: the courier).</summary>
    Arrive,

    /// <summary>The engine's tick.</summary>
    Tick,
}

/// <summary>One event of the world's queue. <paramref name="Version"/> lets a later plan or leg supersede an
/// event already queued: the world ignores an event whose version is no longer the current one.</summary>
public readonly record struct WorldEvent(WorldEventKind Kind, long Id, int Version);
