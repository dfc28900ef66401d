namespace Dispatch.Cluster.Grains;

/// <summary>A region's figures for a silo's GetMetrics and GetServerStats (docs/cluster.md, "Metrics").</summary>
[GenerateSerializer, Immutable]
public sealed record RegionFigures
{
    /// <summary>The region's clock (the last Tick's time).</summary>
    [Id(0)] public double Now { get; init; }

    /// <summary>The last journal record durable in the store.</summary>
    [Id(1)] public long Sequence { get; init; }

    /// <summary>Ticks in the current activation.</summary>
    [Id(2)] public long Ticks { get; init; }

    /// <summary>Duration of the last tick (ms).</summary>
    [Id(3)] public double LastTickMs { get; init; }

    /// <summary>Orders known, not yet committed to a courier, and couriers known.</summary>
    [Id(4)] public int KnownOrders { get; init; }

    /// <inheritdoc cref="KnownOrders"/>
    [Id(5)] public int OpenOrders { get; init; }

    /// <inheritdoc cref="KnownOrders"/>
    [Id(6)] public int Couriers { get; init; }

    /// <summary>Snapshots written by the current activation, the size of the last one, and how long its turn took (ms).</summary>
    [Id(7)] public long SnapshotsWritten { get; init; }

    /// <inheritdoc cref="SnapshotsWritten"/>
    [Id(8)] public long LastSnapshotBytes { get; init; }

    /// <inheritdoc cref="SnapshotsWritten"/>
    [Id(9)] public double LastSnapshotMs { get; init; }
}
