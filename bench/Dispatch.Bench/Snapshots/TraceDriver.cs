using Dispatch.Simulator.Mdrp;
using Dispatch.Simulator.Replay;

namespace Dispatch.Bench.Snapshots;

/// <summary>
/// Replays an MDRP trace through the engine the way Simulator's MdrpReplay does (the same
/// <see cref="TraceWorld{TSink}"/> on the world driver: orders at their placement minute, a tick every
/// minute, pickups and drop-offs confirmed at the planned times, shifts known in advance), but step by
/// step, so that a caller can stop just before a given tick, observe the engine before every tick, or
/// time each engine call.
/// </summary>
internal sealed class TraceDriver
{
    private readonly TraceWorld<ScheduleSink> _world;

    public TraceDriver(MdrpInstance instance)
    {
        Instance = instance;
        Engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(instance.Parameters.MetersPerMinute),
            MdrpEngineOptions.For(instance, baseOptions: null, DispatchProfile.Mdrp, tickMinutes: 1));
        var schedule = new Schedule(4 * instance.Orders.Length + 16);
        _world = new TraceWorld<ScheduleSink>(instance, Engine, 1, schedule.Followers, new ScheduleSink(schedule));
    }

    public MdrpInstance Instance { get; }

    public DispatchEngine<EuclideanCeilMinutes> Engine { get; }

    /// <summary>Time of the last event processed.</summary>
    public double Now => _world.Driver.Now;

    /// <summary>Engine calls made so far (sites, shifts, placements, confirmations, ticks).</summary>
    public long Commands => _world.Commands;

    /// <summary>Ticks run so far.</summary>
    public int Ticks => _world.Driver.Ticks;

    /// <summary>When set, every tick's duration in milliseconds is appended here.</summary>
    public List<double>? TickMilliseconds { get => _world.TickMilliseconds; set => _world.TickMilliseconds = value; }

    /// <summary>When true, the Stopwatch ticks spent inside engine calls accumulate in <see cref="EngineTimestampTicks"/>.</summary>
    public bool MeasureEngine { get => _world.MeasureEngine; set => _world.MeasureEngine = value; }

    public long EngineTimestampTicks => _world.EngineTimestampTicks;

    /// <summary>Bytes allocated on this thread inside Tick calls (the sink included).</summary>
    public long TickAllocatedBytes => _world.TickAllocatedBytes;

    /// <summary>The ticks that allocated: minute and bytes (buffers growing to a new working size).</summary>
    public List<(double Minute, long Bytes)> AllocatingTicks => _world.AllocatingTicks;

    /// <summary>
    /// Processes events until the trace is done (returns false) or the next event is a tick at or
    /// after <paramref name="stopBeforeTickAt"/> (returns true, the tick not run). Every event of that
    /// minute that sorts before the tick (confirmations, placements) has then been applied.
    /// <paramref name="beforeTick"/> is called before each tick that runs.
    /// </summary>
    public bool Run(double stopBeforeTickAt = double.PositiveInfinity, Action<double, TraceDriver>? beforeTick = null)
    {
        _world.BeforeTick = beforeTick is null ? null : now => beforeTick(now, this);
        return _world.Driver.Run(_world, stopBeforeTickAt);
    }
}
