using Dispatch.Protocol;

namespace Dispatch.Server.Engine;

/// <summary>
/// The engine's notion of now, in minutes. Wall mode: minutes since the journal's epoch (fixed when
/// the journal was created, so times keep counting across restarts) times <c>ClockRate</c>, never
/// going backwards even if the system clock steps back. Manual mode: the time of the last accepted
/// Tick command (0 before the first). Engine-thread only, except <see cref="Published"/>.
/// </summary>
internal sealed class EngineClock
{
    private readonly TimeProvider _time;
    private readonly double _rate;
    private long _epochUnixMs;
    private double _now;
    private double _published;

    public EngineClock(ClockMode mode, TimeProvider time, double rate)
    {
        Mode = mode;
        _time = time;
        _rate = rate;
    }

    public ClockMode Mode { get; }

    /// <summary>The last value of <see cref="Now"/>, readable from any thread (Ping, metrics).</summary>
    public double Published => Volatile.Read(ref _published);

    /// <summary>The clock as last moved (by <see cref="Now"/> or <see cref="AdvanceTo"/>), without reading the wall clock: what a snapshot records.</summary>
    public double Current => _now;

    /// <summary>Sets the wall-clock epoch (from the journal header).</summary>
    public void SetEpoch(long epochUnixMs) => _epochUnixMs = epochUnixMs;

    /// <summary>Current engine time.</summary>
    public double Now()
    {
        if (Mode == ClockMode.Wall)
        {
            double wall = (_time.GetUtcNow().ToUnixTimeMilliseconds() - _epochUnixMs) / 60_000.0 * _rate;
            if (wall > _now) _now = wall;
        }
        Volatile.Write(ref _published, _now);
        return _now;
    }

    /// <summary>Moves the clock to at least <paramref name="t"/> (manual Tick, journal replay).</summary>
    public void AdvanceTo(double t)
    {
        if (t > _now) _now = t;
        Volatile.Write(ref _published, _now);
    }

    /// <summary>Wall milliseconds until engine time <paramref name="t"/> (wall mode).</summary>
    public double WallMillisecondsUntil(double t) => (t - Now()) / _rate * 60_000.0;
}
