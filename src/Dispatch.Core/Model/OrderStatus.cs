namespace Dispatch.Model;

/// <summary>Where an order is in its life.</summary>
public enum OrderStatus : byte
{
    /// <summary>The engine has never seen this id.</summary>
    Unknown = 0,
    /// <summary>Placed and waiting for a committed courier.</summary>
    Open = 1,
    /// <summary>Committed to a courier, not yet picked up.</summary>
    Assigned = 2,
    /// <summary>Picked up; it never moves to another courier.</summary>
    PickedUp = 3,
    /// <summary>Dropped off at the customer.</summary>
    Delivered = 4,
    /// <summary>Cancelled before pickup.</summary>
    Cancelled = 5,
}
