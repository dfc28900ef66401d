namespace Dispatch.Simulator.Replay;

/// <summary>How to replay a trace: which engine profile, how often it ticks.</summary>
public sealed record ReplayOptions
{
    /// <summary>Engine profile; the MDRP traces are replayed under <see cref="DispatchProfile.Mdrp"/> rules.</summary>
    public DispatchProfile Profile { get; init; } = DispatchProfile.Mdrp;

    /// <summary>Simulated minutes between engine ticks.</summary>
    public double TickMinutes { get; init; } = 1;

    /// <summary>Extra engine options (profile, service times and targets are taken from the trace and this record).</summary>
    public DispatchOptions? Engine { get; init; }
}
