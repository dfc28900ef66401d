namespace Dispatch.Model;

/// <summary>The kind of an explicit change to an already-committed plan.</summary>
public enum PlanChangeKind : byte
{
    /// <summary>An order left a courier's plan and is open again (its courier went off shift or fell behind before pickup).</summary>
    Released = 1,
    /// <summary>An order was cancelled and removed from its courier's plan.</summary>
    Cancelled = 2,
    /// <summary>A released order was committed to another courier, or (general profile, reason
    /// <see cref="PlanChangeReason.Improvement"/>) an order not yet picked up was moved to another courier's route.</summary>
    Reassigned = 3,
    /// <summary>A courier's remaining stops were put in a different order.</summary>
    Resequenced = 4,
    /// <summary>An order's planned drop-off moved (traffic, a late courier, a kitchen delay).</summary>
    EtaChanged = 5,
    /// <summary>The order's plan now ends later than its promise: a new promise (<see cref="PlanChange.NewTime"/>, the
    /// one broken in <see cref="PlanChange.PreviousTime"/>) with the reason of the change that broke it. Once per break.</summary>
    Requoted = 6,
}
