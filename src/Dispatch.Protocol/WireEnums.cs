namespace Dispatch.Protocol;

/// <summary>Order status on the wire (same numbers as Dispatch.Model.OrderStatus).</summary>
public enum WireOrderStatus
{
    /// <summary>Never placed.</summary>
    Unknown = 0,
    /// <summary>Placed, not committed to a courier.</summary>
    Open = 1,
    /// <summary>Committed to a courier, not picked up.</summary>
    Assigned = 2,
    /// <summary>Picked up.</summary>
    PickedUp = 3,
    /// <summary>Delivered.</summary>
    Delivered = 4,
    /// <summary>Cancelled.</summary>
    Cancelled = 5,
    /// <summary>Its delivery failed and it was returned (not re-made).</summary>
    Returned = 6,
}

/// <summary>Why a delivery failed, on the wire (same numbers as Dispatch.Model.DeliveryFailureReason).</summary>
public enum WireDeliveryFailureReason
{
    /// <summary>No reason given.</summary>
    Other = 0,
    /// <summary>Nobody answered at the door.</summary>
    CustomerNotFound = 1,
    /// <summary>The address does not exist or cannot be reached.</summary>
    WrongAddress = 2,
    /// <summary>The customer refused the order.</summary>
    Refused = 3,
    /// <summary>The food was spilled or damaged on the way.</summary>
    Damaged = 4,
}

/// <summary>Stop kind on the wire (same numbers as Dispatch.Model.StopKind).</summary>
public enum WireStopKind
{
    /// <summary>Collect the order at its site.</summary>
    Pickup = 1,
    /// <summary>Hand the order to the customer.</summary>
    Dropoff = 2,
}

/// <summary>Plan change kind on the wire (same numbers as Dispatch.Model.PlanChangeKind).</summary>
public enum WirePlanChangeKind
{
    /// <summary>The order left its courier's plan and is open again.</summary>
    Released = 1,
    /// <summary>The order was cancelled and removed from its courier's plan.</summary>
    Cancelled = 2,
    /// <summary>A released order was committed to another courier.</summary>
    Reassigned = 3,
    /// <summary>A courier's remaining stops were put in a different order.</summary>
    Resequenced = 4,
    /// <summary>An order's planned drop-off moved (traffic, a late courier, a kitchen delay); the push carries the old and new times.</summary>
    EtaChanged = 5,
}

/// <summary>Geometry kind of a road closure on the wire.</summary>
public enum WireClosureKind
{
    /// <summary>A line: a closed road (at least 2 points).</summary>
    Line = 0,
    /// <summary>A polygon: a closed area (at least 3 points).</summary>
    Polygon = 1,
}
