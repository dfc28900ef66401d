namespace Dispatch.Simulator.World;

/// <summary>
/// The simulated world's one loop: a queue of timed events, the engine's tick every
/// <see cref="TickMinutes"/>, and the stop rule. Events at the same minute run in the order of
/// <see cref="WorldEventKind"/>, then in the order they were scheduled. What an event does is the
/// <see cref="IWorld{TTravel}"/>'s business: couriers that follow the plan at the planned times
/// (<see cref="PlanFollowers"/>) or that drive through a changing world (the scenario replay).
/// </summary>
public sealed class WorldDriver<TTravel> where TTravel : struct, ITravelTime
{
    private readonly PriorityQueue<WorldEvent, (double Time, int Kind, long Seq)> _queue;
    private long _seq;

    /// <param name="engine">The engine the world drives (sites and couriers already known to it).</param>
    /// <param name="tickMinutes">Simulated minutes between ticks.</param>
    /// <param name="stopRule">When to stop ticking.</param>
    /// <param name="firstTick">Minute of the first tick.</param>
    /// <param name="capacity">Expected queue size (avoids regrowing the queue).</param>
    public WorldDriver(DispatchEngine<TTravel> engine, double tickMinutes, WorldStopRule stopRule, double firstTick, int capacity = 0)
    {
        if (!(tickMinutes > 0)) throw new ArgumentOutOfRangeException(nameof(tickMinutes), tickMinutes, "tick interval must be positive");
        Engine = engine;
        TickMinutes = tickMinutes;
        StopRule = stopRule;
        _queue = new(capacity);
        Now = firstTick;
        Schedule(firstTick, WorldEventKind.Tick);
    }

    public DispatchEngine<TTravel> Engine { get; }

    public double TickMinutes { get; }

    public WorldStopRule StopRule { get; }

    /// <summary>Time of the last event processed.</summary>
    public double Now { get; private set; }

    /// <summary>Ticks run so far.</summary>
    public int Ticks { get; private set; }

    /// <summary>True once the stop rule ended the ticks (false while running, or when the hard stop did).</summary>
    public bool Finished { get; private set; }

    /// <summary>Queues an event at <paramref name="at"/>.</summary>
    public void Schedule(double at, WorldEventKind kind, long id = 0, int version = 0) =>
        _queue.Enqueue(new WorldEvent(kind, id, version), (at, (int)kind, _seq++));

    /// <summary>
    /// Processes events until the queue is empty (returns false) or the next event is a tick at or after
    /// <paramref name="stopBeforeTickAt"/> (returns true, that tick not run: every event of its minute
    /// that sorts before it has been applied). A later call carries on from there.
    /// </summary>
    public bool Run<TWorld>(TWorld world, double stopBeforeTickAt = double.PositiveInfinity) where TWorld : IWorld<TTravel>
    {
        while (_queue.TryPeek(out var e, out var at))
        {
            if (e.Kind == WorldEventKind.Tick && at.Time >= stopBeforeTickAt) return true;
            _queue.Dequeue();
            Now = at.Time;
            if (e.Kind != WorldEventKind.Tick)
            {
                world.Handle(this, e);
                continue;
            }
            world.Tick(this);
            Ticks++;
            if (StopRule.IsDone(Now, Engine.Counts)) Finished = true;
            else if (Now + TickMinutes <= StopRule.HardStop) Schedule(Now + TickMinutes, WorldEventKind.Tick);
        }
        return false;
    }
}
