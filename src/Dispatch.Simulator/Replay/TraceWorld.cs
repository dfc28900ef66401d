using System.Diagnostics;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Replay;

/// <summary>
/// An MDRP trace as a simulated world, exactly as a live system would see it: the engine learns of an
/// order at its placement time, knows the courier shifts in advance (published schedules), ticks on a
/// fixed interval, and hears pickups and drop-offs when the couriers, who follow the plan
/// (<see cref="PlanFollowers"/>), perform them. <typeparamref name="TSink"/> hears the engine's decisions
/// and must hand their stops to the followers. Measures what the replay and the benchmarks report about
/// the engine: time inside engine calls, each tick's time and allocations.
/// </summary>
internal sealed class TraceWorld<TSink> : IWorld<EuclideanCeilMinutes> where TSink : struct, IAssignmentSink
{
    private readonly MdrpInstance _instance;
    private readonly PlanFollowers _followers;
    private TSink _sink;

    /// <summary>Adds the trace's restaurants and courier shifts to <paramref name="engine"/> and queues its placements.</summary>
    public TraceWorld(MdrpInstance instance, DispatchEngine<EuclideanCeilMinutes> engine, double tickMinutes, PlanFollowers followers, TSink sink)
    {
        _instance = instance;
        _followers = followers;
        _sink = sink;
        Engine = engine;
        PickedUpAt = new double[instance.Orders.Length];
        DroppedOffAt = new double[instance.Orders.Length];
        Array.Fill(PickedUpAt, double.NaN);
        Array.Fill(DroppedOffAt, double.NaN);
        Promises = new PromiseLedger(instance.Orders.Length);

        double start = Math.Min(
            instance.Orders.Length == 0 ? 0 : instance.Orders.Min(o => o.PlacementTime),
            instance.Couriers.Length == 0 ? 0 : instance.Couriers.Min(c => c.OnTime));
        double lastPlacement = instance.Orders.Length == 0 ? start : instance.Orders.Max(o => o.PlacementTime);
        double lastShiftEnd = instance.Couriers.Length == 0 ? start : instance.Couriers.Max(c => c.OffTime);

        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < instance.Restaurants.Length; i++) engine.AddSite(i, instance.Restaurants[i].X, instance.Restaurants[i].Y);
        for (int i = 0; i < instance.Couriers.Length; i++)
        {
            var c = instance.Couriers[i];
            engine.CourierOnShift(new CourierShift(i, c.X, c.Y, c.OnTime, c.OffTime), start);
        }
        EngineTimestampTicks = Stopwatch.GetTimestamp() - t0;
        Commands = instance.Restaurants.Length + instance.Couriers.Length;

        Driver = new WorldDriver<EuclideanCeilMinutes>(engine, tickMinutes, new WorldStopRule(lastPlacement, lastShiftEnd), start, instance.Orders.Length * 3 + 16);
        for (int i = 0; i < instance.Orders.Length; i++) Driver.Schedule(instance.Orders[i].PlacementTime, WorldEventKind.Place, i);
    }

    public DispatchEngine<EuclideanCeilMinutes> Engine { get; }

    /// <summary>The promise of each order at placement, scored against its drop-off.</summary>
    public PromiseLedger Promises { get; }

    public WorldDriver<EuclideanCeilMinutes> Driver { get; }

    /// <summary>Confirmed pickup and drop-off minute of each trace order (NaN: not yet).</summary>
    public double[] PickedUpAt { get; }

    /// <inheritdoc cref="PickedUpAt"/>
    public double[] DroppedOffAt { get; }

    /// <summary>Engine calls made so far (sites, shifts, placements, confirmations, ticks).</summary>
    public long Commands { get; private set; }

    /// <summary>When true, the Stopwatch ticks spent inside engine calls accumulate in <see cref="EngineTimestampTicks"/>
    /// (the setup's are always counted).</summary>
    public bool MeasureEngine { get; set; }

    /// <summary>Stopwatch ticks spent inside engine calls.</summary>
    public long EngineTimestampTicks { get; private set; }

    /// <summary>When set, every tick's duration in milliseconds is appended here.</summary>
    public List<double>? TickMilliseconds { get; set; }

    /// <summary>Bytes allocated on this thread inside Tick calls (the sink included).</summary>
    public long TickAllocatedBytes { get; private set; }

    /// <summary>The ticks that allocated: minute and bytes (buffers growing to a new working size).</summary>
    public List<(double Minute, long Bytes)> AllocatingTicks { get; } = new();

    /// <summary>Called with the minute before each tick runs (to observe the engine between ticks).</summary>
    public Action<double>? BeforeTick { get; set; }

    public void Handle(WorldDriver<EuclideanCeilMinutes> driver, in WorldEvent e)
    {
        double now = driver.Now;
        long t0 = 0;
        switch (e.Kind)
        {
            case WorldEventKind.Place:
            {
                var o = _instance.Orders[e.Id];
                int site = _instance.RestaurantIndex[o.Restaurant];
                if (MeasureEngine) t0 = Stopwatch.GetTimestamp(); // the lookups above are the trace's, not the engine's
                Engine.PlaceOrder(new OrderRequest(e.Id, site, o.X, o.Y, o.PlacementTime, o.ReadyTime, DeliverBy: o.DeliverBy ?? double.PositiveInfinity), now);
                if (MeasureEngine) EngineTimestampTicks += Stopwatch.GetTimestamp() - t0;
                Promises.Placed((int)e.Id, Engine, e.Id, now);
                Commands++;
                return;
            }
            case WorldEventKind.PlannedPickup or WorldEventKind.PlannedDropoff:
            {
                if (!_followers.IsLatest(e)) return;
                bool pickup = e.Kind == WorldEventKind.PlannedPickup;
                if (MeasureEngine) t0 = Stopwatch.GetTimestamp();
                if (pickup) Engine.ConfirmPickup(e.Id, now);
                else Engine.ConfirmDropoff(e.Id, now);
                (pickup ? PickedUpAt : DroppedOffAt)[e.Id] = now;
                if (!pickup) Promises.Delivered((int)e.Id, now);
                break;
            }
            default:
                throw new InvalidOperationException($"a trace world has no {e.Kind} events");
        }
        if (MeasureEngine) EngineTimestampTicks += Stopwatch.GetTimestamp() - t0;
        Commands++;
    }

    public void Tick(WorldDriver<EuclideanCeilMinutes> driver)
    {
        double now = driver.Now;
        BeforeTick?.Invoke(now);
        long a0 = GC.GetAllocatedBytesForCurrentThread();
        long s0 = Stopwatch.GetTimestamp();
        Engine.Tick(now, ref _sink);
        long s1 = Stopwatch.GetTimestamp();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - a0;
        if (allocated > 0) AllocatingTicks.Add((now, allocated));
        TickAllocatedBytes += allocated;
        TickMilliseconds?.Add(Stopwatch.GetElapsedTime(s0, s1).TotalMilliseconds);
        if (MeasureEngine) EngineTimestampTicks += s1 - s0;
        Commands++;
        _followers.ScheduleConfirmations(driver);
    }
}
