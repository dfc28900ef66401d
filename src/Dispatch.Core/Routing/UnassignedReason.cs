namespace Dispatch.Routing;

/// <summary>Why a request is not on any route: the constraint that made it impossible.</summary>
public enum UnassignedReason : byte
{
    /// <summary>Its amount exceeds the capacity of every vehicle.</summary>
    CapacityExceeded = 1,
    /// <summary>No vehicle can reach the pickup within its window (from its start, within its shift).</summary>
    PickupWindowUnreachable = 2,
    /// <summary>No vehicle can reach the delivery within its window after the pickup.</summary>
    DeliveryWindowUnreachable = 3,
    /// <summary>No vehicle could serve it and still be back at its end within its shift.</summary>
    ShiftTooShort = 4,
    /// <summary>It fits a vehicle on its own, but not beside the other requests with the fleet given.</summary>
    FleetExhausted = 5,
}

/// <summary>A request left off every route, with the reason.</summary>
public readonly record struct UnassignedRequest(int RequestIndex, long RequestId, UnassignedReason Reason, string Detail);
