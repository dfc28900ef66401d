namespace Dispatch.Model;

/// <summary>The kind of an explicit change to an already-committed plan.</summary>
public enum PlanChangeKind : byte
{
    /// <summary>An order left a courier's plan and is open again (the courier went off shift before pickup).</summary>
    Released = 1,
    /// <summary>An order was cancelled and removed from its courier's plan.</summary>
    Cancelled = 2,
}
