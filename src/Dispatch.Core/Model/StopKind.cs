namespace Dispatch.Model;

/// <summary>What a courier does at a stop.</summary>
public enum StopKind : byte
{
    /// <summary>Collect an order at its site.</summary>
    Pickup = 1,
    /// <summary>Hand an order to its customer.</summary>
    Dropoff = 2,
}
