namespace Dispatch.Cluster.Handoff;

/// <summary>
/// Who a region holds, for the "every courier in exactly one region" check: the couriers on shift or scheduled there, and
/// the hand-offs it released that are not completed yet (each still the source's until the destination adopts it).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RegionCouriers
{
    /// <summary>The region.</summary>
    [Id(0)] public required string Region { get; init; }

    /// <summary>Couriers on shift or scheduled (not ended) in the region's engine.</summary>
    [Id(1)] public required long[] Active { get; init; }

    /// <summary>Hand-offs released and not completed.</summary>
    [Id(2)] public required HandoffTicket[] Pending { get; init; }

    /// <summary>Of the hand-off ids asked about (<see cref="IRegionHandoffGrain.Couriers"/>), those this region adopted.</summary>
    [Id(3)] public required string[] Adopted { get; init; }
}
