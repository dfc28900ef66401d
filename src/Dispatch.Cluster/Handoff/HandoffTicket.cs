namespace Dispatch.Cluster.Handoff;

/// <summary>
/// One courier moving from region <see cref="From"/> to region <see cref="To"/>: everything the destination needs to put
/// it on shift exactly as the source had it. <see cref="Id"/> is unique for ever: the source region's id and the journal
/// sequence number of the record that released the courier (a sequence number is written once, fenced), so every step of
/// the move (adopt, complete) is keyed by it and can be repeated without effect.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HandoffTicket
{
    /// <summary>The hand-off id: <c>{From}/{sequence}</c>.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The region that released the courier (it holds the ticket as pending until told the outcome).</summary>
    [Id(1)] public required string From { get; init; }

    /// <summary>The region that is to adopt it.</summary>
    [Id(2)] public required string To { get; init; }

    /// <summary>The courier.</summary>
    [Id(3)] public long CourierId { get; init; }

    /// <summary>Where it is (its start, for a shift that has not started).</summary>
    [Id(4)] public double X { get; init; }

    /// <summary>Where it is.</summary>
    [Id(5)] public double Y { get; init; }

    /// <summary>Its shift start.</summary>
    [Id(6)] public double ShiftStart { get; init; }

    /// <summary>Its shift end.</summary>
    [Id(7)] public double ShiftEnd { get; init; }

    /// <summary>Its capacity.</summary>
    [Id(8)] public int Capacity { get; init; }

    /// <summary>The source region's clock when it released the courier.</summary>
    [Id(9)] public double ReleasedAt { get; init; }

    /// <summary>Why it moves.</summary>
    [Id(10)] public HandoffReason Reason { get; init; }
}
