namespace Dispatch.Routing;

/// <summary>
/// When service may start at a stop, in minutes on the caller's clock. A vehicle that arrives before
/// <see cref="Earliest"/> waits. A hard window (the default) forbids starting after
/// <see cref="Latest"/>; a soft one (<see cref="Soft"/>) allows it at <see cref="LatePenaltyPerMinute"/>
/// per minute late, weighed by <see cref="RoutingObjective.LatenessWeight"/>.
/// <see cref="double.PositiveInfinity"/> as the latest means "no deadline".
/// </summary>
public readonly record struct TimeWindow(double Earliest, double Latest)
{
    /// <summary>Any time from 0 on.</summary>
    public static TimeWindow Always => new(0, double.PositiveInfinity);

    /// <summary>
    /// A window whose end may be missed at a cost: service starting at t costs
    /// <paramref name="penaltyPerMinute"/> x (t - <paramref name="latest"/>) when t is later.
    /// On a vehicle's shift, the end is soft overtime: the vehicle may be back late at that cost.
    /// </summary>
    public static TimeWindow Soft(double earliest, double latest, double penaltyPerMinute) =>
        new(earliest, latest) { LatePenaltyPerMinute = penaltyPerMinute };

    /// <summary>Cost per minute of service starting after <see cref="Latest"/>; 0 (the default) makes the window hard.</summary>
    public double LatePenaltyPerMinute { get; init; }

    /// <summary>True when the window has an end.</summary>
    public bool IsBounded => !double.IsPositiveInfinity(Latest);

    /// <summary>True when the end may be missed at <see cref="LatePenaltyPerMinute"/>.</summary>
    public bool IsSoft => LatePenaltyPerMinute > 0;

    /// <summary>The latest start the search may plan: <see cref="Latest"/> for a hard window, none for a soft one.</summary>
    internal double HardLatest => IsSoft ? double.PositiveInfinity : Latest;
}
