namespace Dispatch.Cluster.Grains;

/// <summary>A region's activation as seen from outside: where it runs and what it holds.</summary>
[GenerateSerializer, Immutable]
public sealed record RegionStatus
{
    /// <summary>The region id.</summary>
    [Id(0)] public required string Region { get; init; }

    /// <summary>The silo hosting the activation.</summary>
    [Id(1)] public required string Silo { get; init; }

    /// <summary>The last journal record durable in the store.</summary>
    [Id(2)] public long Sequence { get; init; }

    /// <summary>The record the newest snapshot covers.</summary>
    [Id(3)] public long SnapshotSequence { get; init; }

    /// <summary>Journal records replayed when this activation rebuilt the region.</summary>
    [Id(4)] public long Replayed { get; init; }

    /// <summary>The engine clock (the last Tick's time).</summary>
    [Id(5)] public double Now { get; init; }

    /// <summary>Orders the engine knows (open, assigned, picked up, finished and retained).</summary>
    [Id(6)] public int Orders { get; init; }

    /// <summary>Couriers the engine knows.</summary>
    [Id(7)] public int Couriers { get; init; }
}
