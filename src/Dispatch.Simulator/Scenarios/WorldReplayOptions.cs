namespace Dispatch.Simulator.Scenarios;

/// <summary>How to run a trace through a changing world.</summary>
public sealed record WorldReplayOptions
{
    /// <summary>The scenario layered on the trace; null replays the trace in an unchanging world.</summary>
    public ScenarioFile? Scenario { get; init; }

    /// <summary>
    /// True: the engine is told of every change as it happens (traffic picture, courier positions,
    /// kitchen delays) and re-plans. False (<c>--no-replan</c>): the engine keeps the picture it had at the
    /// start and never revises a committed plan; it still hears what it cannot miss (placements,
    /// cancellations, couriers going offline, pickups and drop-offs).
    /// </summary>
    public bool Replan { get; init; } = true;

    public DispatchProfile Profile { get; init; } = DispatchProfile.Mdrp;
    public double TickMinutes { get; init; } = 1;

    /// <summary>Cell size of the traffic raster, in metres.</summary>
    public double TrafficCellMeters { get; init; } = 250;

    /// <summary>Minutes a leg pays per road closure it crosses (the detour).</summary>
    public double ClosureDetourMinutes { get; init; } = 8;

    /// <summary>The minute a scenario's <c>"peak"</c> times are counted from; null: the middle of the trace's busiest hour of
    /// placements. Fixed, it keeps the events where they were when the trace's later orders change, as they do when the
    /// future after a cut is resampled (bench/promises/futures): otherwise a resample that moves the busiest hour would
    /// move the rain with it, and the promises made before the cut would differ for a reason that is not the future.</summary>
    public double? PeakMinute { get; init; }

    /// <summary>Extra engine options (e.g. the General profile's improvement budget); profile, tick, service
    /// times and targets come from this record and the trace.</summary>
    public DispatchOptions? Engine { get; init; }
}
