using System.Diagnostics;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Simulator.Mdrp;
using Dispatch.Travel;

namespace Dispatch.Bench.Snapshots;

/// <summary>
/// Replays an MDRP trace through the engine the way Simulator's MdrpReplay does (orders at their
/// placement minute, a tick every minute, pickups and drop-offs confirmed at the planned times, shifts
/// known in advance), but step by step, so that a caller can stop just before a given tick, observe
/// the engine before every tick, or time each engine call.
/// </summary>
internal sealed class TraceDriver
{
    // Same-minute order as MdrpReplay: drop-offs and pickups, then placements, then the tick.
    private const int KindDropoff = 0, KindPickup = 1, KindPlace = 2, KindTick = 3;

    private readonly PriorityQueue<(int Kind, long Id), (double Time, int Kind, long Seq)> _queue;
    private readonly Schedule _schedule;
    private readonly double _lastPlacement, _lastShiftEnd;
    private long _seq;

    public TraceDriver(MdrpInstance instance)
    {
        Instance = instance;
        Engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(instance.Parameters.MetersPerMinute), OptionsFor(instance));
        _schedule = new Schedule(4 * instance.Orders.Length + 16);
        _queue = new(instance.Orders.Length * 3 + 16);

        double start = Math.Min(
            instance.Orders.Length == 0 ? 0 : instance.Orders.Min(o => o.PlacementTime),
            instance.Couriers.Length == 0 ? 0 : instance.Couriers.Min(c => c.OnTime));
        _lastPlacement = instance.Orders.Length == 0 ? start : instance.Orders.Max(o => o.PlacementTime);
        _lastShiftEnd = instance.Couriers.Length == 0 ? start : instance.Couriers.Max(c => c.OffTime);

        for (int i = 0; i < instance.Restaurants.Length; i++) Engine.AddSite(i, instance.Restaurants[i].X, instance.Restaurants[i].Y);
        for (int i = 0; i < instance.Couriers.Length; i++)
        {
            var c = instance.Couriers[i];
            Engine.CourierOnShift(new CourierShift(i, c.X, c.Y, c.OnTime, c.OffTime), start);
        }
        Commands = instance.Restaurants.Length + instance.Couriers.Length;
        for (int i = 0; i < instance.Orders.Length; i++)
            _queue.Enqueue((KindPlace, i), (instance.Orders[i].PlacementTime, KindPlace, _seq++));
        _queue.Enqueue((KindTick, 0), (start, KindTick, _seq++));
        Now = start;
    }

    public MdrpInstance Instance { get; }

    public DispatchEngine<EuclideanCeilMinutes> Engine { get; }

    /// <summary>Time of the last event processed.</summary>
    public double Now { get; private set; }

    /// <summary>Engine calls made so far (sites, shifts, placements, confirmations, ticks).</summary>
    public long Commands { get; private set; }

    /// <summary>Ticks run so far.</summary>
    public int Ticks { get; private set; }

    /// <summary>When set, every tick's duration in milliseconds is appended here.</summary>
    public List<double>? TickMilliseconds { get; set; }

    /// <summary>When true, the Stopwatch ticks spent inside engine calls accumulate in <see cref="EngineTimestampTicks"/>.</summary>
    public bool MeasureEngine { get; set; }

    public long EngineTimestampTicks { get; private set; }

    /// <summary>Bytes allocated on this thread inside Tick calls (the sink included).</summary>
    public long TickAllocatedBytes { get; private set; }

    /// <summary>The ticks that allocated: minute and bytes (buffers growing to a new working size).</summary>
    public List<(double Minute, long Bytes)> AllocatingTicks { get; } = new();

    /// <summary>The engine options a replay of <paramref name="instance"/> uses (as MdrpReplay).</summary>
    public static DispatchOptions OptionsFor(MdrpInstance instance)
    {
        var p = instance.Parameters;
        return new DispatchOptions
        {
            Profile = DispatchProfile.Mdrp,
            PickupServiceMinutes = p.PickupServiceMinutes,
            DropoffServiceMinutes = p.DropoffServiceMinutes,
            TargetClickToDoorMinutes = p.TargetClickToDoor,
            MaxClickToDoorMinutes = p.MaxClickToDoor,
            TickIntervalMinutes = 1,
            InitialOrderCapacity = Math.Max(16, instance.Orders.Length),
            InitialCourierCapacity = Math.Max(16, instance.Couriers.Length),
            InitialSiteCapacity = Math.Max(16, instance.Restaurants.Length),
        };
    }

    /// <summary>
    /// Processes events until the trace is done (returns false) or the next event is a tick at or
    /// after <paramref name="stopBeforeTickAt"/> (returns true, the tick not run). Every event of that
    /// minute that sorts before the tick (confirmations, placements) has then been applied.
    /// <paramref name="beforeTick"/> is called before each tick that runs.
    /// </summary>
    public bool Run(double stopBeforeTickAt = double.PositiveInfinity, Action<double, TraceDriver>? beforeTick = null)
    {
        while (_queue.TryPeek(out var ev, out var pri))
        {
            if (ev.Kind == KindTick && pri.Time >= stopBeforeTickAt) return true;
            _queue.Dequeue();
            Now = pri.Time;
            if (ev.Kind == KindTick) beforeTick?.Invoke(Now, this);
            Apply(ev.Kind, ev.Id, Now);
        }
        return false;
    }

    private void Apply(int kind, long id, double now)
    {
        long t0 = MeasureEngine ? Stopwatch.GetTimestamp() : 0;
        switch (kind)
        {
            case KindPlace:
            {
                var o = Instance.Orders[id];
                int site = Instance.RestaurantIndex[o.Restaurant];
                if (MeasureEngine) t0 = Stopwatch.GetTimestamp(); // the lookup above is the trace's, not the engine's
                Engine.PlaceOrder(new OrderRequest(id, site, o.X, o.Y, o.PlacementTime, o.ReadyTime), now);
                break;
            }
            case KindPickup:
                Engine.ConfirmPickup(id, now);
                break;
            case KindDropoff:
                Engine.ConfirmDropoff(id, now);
                break;
            case KindTick:
            {
                var sink = new ScheduleSink(_schedule);
                long a0 = GC.GetAllocatedBytesForCurrentThread();
                long s0 = Stopwatch.GetTimestamp();
                Engine.Tick(now, ref sink);
                long s1 = Stopwatch.GetTimestamp();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - a0;
                if (allocated > 0) AllocatingTicks.Add((now, allocated));
                TickAllocatedBytes += allocated;
                TickMilliseconds?.Add(Stopwatch.GetElapsedTime(s0, s1).TotalMilliseconds);
                if (MeasureEngine) EngineTimestampTicks += s1 - t0;
                Commands++;
                Ticks++;
                AfterTick(now);
                return;
            }
        }
        if (MeasureEngine) EngineTimestampTicks += Stopwatch.GetTimestamp() - t0;
        Commands++;
    }

    private void AfterTick(double now)
    {
        for (int i = 0; i < _schedule.Count; i++)
        {
            int kind = _schedule.Kind[i] == StopKind.Pickup ? KindPickup : KindDropoff;
            _queue.Enqueue((kind, _schedule.Order[i]), (_schedule.At[i], kind, _seq++));
        }
        _schedule.Count = 0;
        var counts = Engine.Counts;
        bool allPlaced = now >= _lastPlacement;
        bool nothingInFlight = counts.Assigned + counts.PickedUp == 0;
        bool nothingToDo = counts.Open == 0 || now >= _lastShiftEnd;
        if (!(allPlaced && nothingInFlight && nothingToDo))
            _queue.Enqueue((KindTick, 0), (now + 1, KindTick, _seq++));
    }
}
