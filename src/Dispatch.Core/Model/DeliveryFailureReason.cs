namespace Dispatch.Model;

/// <summary>Why a courier could not hand an order over (<see cref="Engine.DispatchEngine{TTravel}.DeliveryFailed"/>).
/// Recorded for the caller's reports; every reason is handled the same way (re-made and re-delivered, or returned).</summary>
public enum DeliveryFailureReason : byte
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
