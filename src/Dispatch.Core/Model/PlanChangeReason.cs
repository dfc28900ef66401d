namespace Dispatch.Model;

/// <summary>Why a committed plan changed.</summary>
public enum PlanChangeReason : byte
{
    /// <summary>No particular reason recorded.</summary>
    None = 0,
    /// <summary>The customer or the restaurant cancelled the order.</summary>
    OrderCancelled = 1,
    /// <summary>The courier went off shift (or offline) before picking the order up.</summary>
    CourierOffline = 2,
    /// <summary>The courier's reported position is behind what its plan assumed.</summary>
    CourierBehind = 3,
    /// <summary>The kitchen changed the order's ready time.</summary>
    ReadyTimeChanged = 4,
    /// <summary>Travel times changed: congestion, a road closure, weather.</summary>
    Traffic = 5,
    /// <summary>The general profile's per-tick improvement moves found a cheaper plan
    /// (<see cref="Engine.DispatchOptions.GeneralImprovementMovesPerTick"/>).</summary>
    Improvement = 6,
    /// <summary>The courier's reported position is ahead of what its plan assumed: its ETAs come forward.</summary>
    CourierAhead = 7,
    /// <summary>A delivery failed at the door: the order left its courier to be re-made (or returned).</summary>
    DeliveryFailed = 8,
    /// <summary>The kitchen changed the order (out of stock: a new ready time or a smaller order).</summary>
    OrderChanged = 9,
    /// <summary>The order's first plan (when a courier was committed to it) already ends after its promise: more work
    /// than couriers since the promise was made.</summary>
    Backlog = 10,
}
