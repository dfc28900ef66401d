namespace Dispatch.Routing;

/// <summary>
/// When service may start at a stop, in minutes on the caller's clock. A vehicle that arrives before
/// <see cref="Earliest"/> waits; one that would start after <see cref="Latest"/> may not go there
/// (windows are hard). <see cref="double.PositiveInfinity"/> as the latest means "no deadline".
/// </summary>
public readonly record struct TimeWindow(double Earliest, double Latest)
{
    /// <summary>Any time from 0 on.</summary>
    public static TimeWindow Always => new(0, double.PositiveInfinity);

    /// <summary>True when the window has an end.</summary>
    public bool IsBounded => !double.IsPositiveInfinity(Latest);
}
