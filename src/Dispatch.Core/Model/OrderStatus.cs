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
    /// <summary>Its delivery failed and the operator chose to end it there: the food went back, nothing is re-made
    /// (<see cref="Engine.DispatchEngine{TTravel}.DeliveryFailed"/> with <c>returned: true</c>). Finished, like
    /// <see cref="Delivered"/> and <see cref="Cancelled"/>.</summary>
    Returned = 6,
}
