namespace Dispatch.Cluster.Handoff;

/// <summary>
/// A region's supply against its demand now, for border borrowing: orders waiting for a courier (placed, not yet
/// planned with one) and couriers on shift with nothing to do. A region is <b>short</b> when more orders wait than it has
/// idle couriers; it has a <b>surplus</b> when it has more idle couriers than waiting orders.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RegionShortage
{
    /// <summary>The region.</summary>
    [Id(0)] public required string Region { get; init; }

    /// <summary>Orders placed and not yet planned with a courier.</summary>
    [Id(1)] public int WaitingOrders { get; init; }

    /// <summary>Couriers on shift with no planned stop.</summary>
    [Id(2)] public int IdleCouriers { get; init; }

    /// <summary>How many couriers it lacks (0 when none).</summary>
    public int Shortfall => Math.Max(0, WaitingOrders - IdleCouriers);

    /// <summary>How many idle couriers it could spare (0 when none).</summary>
    public int Surplus => Math.Max(0, IdleCouriers - WaitingOrders);
}
