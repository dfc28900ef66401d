namespace Dispatch.State;

/// <summary>Shift state of a courier.</summary>
internal enum CourierState : byte
{
    /// <summary>Known, shift not started yet (it may still be planned for, from its shift start).</summary>
    Scheduled = 0,
    /// <summary>Shift running.</summary>
    OnShift = 1,
    /// <summary>Shift over or taken off; planned stops already picked up still finish.</summary>
    Ended = 2,
}

/// <summary>
/// Couriers as struct-of-arrays. Each courier owns a fixed slice of <see cref="Stops"/>
/// (MaxRouteStops long) holding its committed, not yet finished stops from <see cref="RouteHead"/>
/// to <see cref="RouteEnd"/>. (X, Y, FreeAt) is where and when the courier ends its committed plan:
/// the point from which the planner extends it.
/// </summary>
internal sealed class CourierStore
{
    public readonly int MaxStops;
    /// <summary>Slots ever used (the high-water mark): couriers and free slots lie below it. A free slot looks like a
    /// courier off shift with nothing planned (id -1, shift ended at -infinity), so every loop over couriers skips it.</summary>
    public int Count;
    public long[] Id;
    /// <summary>When the courier went off shift, or delivered its last order after that: its retention starts there.</summary>
    public double[] EndedAt;
    public double[] X, Y, FreeAt, ShiftStart, ShiftEnd;
    public double[] SeenX, SeenY, SeenAt;
    /// <summary>
    /// The leg to the head stop, as the planner models it: the courier is at (LegFromX, LegFromY) at
    /// LegStart and moves uniformly to the head, arriving at its planned arrival. LegBase is the travel
    /// time from LegFrom to the head under the travel rule when the leg was last timed, so a re-time
    /// scales only by how much travel times changed since (and moves nothing when they did not).
    /// </summary>
    public double[] LegFromX, LegFromY, LegStart, LegBase;
    public int[] Capacity;
    public CourierState[] State;
    public int[] RouteHead, RouteEnd;
    public RouteStop[] Stops;
    public int[] Delivered;

    // Sized with the store, so freeing (in the tick) never grows it.
    private int[] _free;
    private int _freeCount;

    public CourierStore(int capacity, int maxStops)
    {
        MaxStops = maxStops;
        Id = new long[capacity];
        EndedAt = new double[capacity];
        _free = new int[capacity];
        X = new double[capacity]; Y = new double[capacity]; FreeAt = new double[capacity];
        ShiftStart = new double[capacity]; ShiftEnd = new double[capacity];
        SeenX = new double[capacity]; SeenY = new double[capacity]; SeenAt = new double[capacity];
        LegFromX = new double[capacity]; LegFromY = new double[capacity];
        LegStart = new double[capacity]; LegBase = new double[capacity];
        Capacity = new int[capacity];
        State = new CourierState[capacity];
        RouteHead = new int[capacity]; RouteEnd = new int[capacity];
        Stops = new RouteStop[capacity * maxStops];
        Delivered = new int[capacity];
    }

    /// <summary>A slot for courier <paramref name="id"/>: a freed one if any (reset), else a new one. The caller sets the shift.</summary>
    public int Add(long id)
    {
        if (_freeCount > 0)
        {
            int f = _free[--_freeCount];
            Id[f] = id;
            Delivered[f] = 0;
            LegFromX[f] = 0; LegFromY[f] = 0; LegStart[f] = 0; LegBase[f] = 0;
            RouteHead[f] = 0; RouteEnd[f] = 0;
            return f;
        }
        if (Count == Id.Length) EnsureCapacity(StoreGrowth.Next(Id.Length));
        int i = Count++;
        Id[i] = id;
        return i;
    }

    /// <summary>Makes room for <paramref name="n"/> couriers (outside the tick: a store grows, a snapshot loads).</summary>
    public void EnsureCapacity(int n)
    {
        if (n <= Id.Length) return;
        Array.Resize(ref Id, n); Array.Resize(ref EndedAt, n); Array.Resize(ref _free, n);
        Array.Resize(ref X, n); Array.Resize(ref Y, n); Array.Resize(ref FreeAt, n);
        Array.Resize(ref ShiftStart, n); Array.Resize(ref ShiftEnd, n);
        Array.Resize(ref SeenX, n); Array.Resize(ref SeenY, n); Array.Resize(ref SeenAt, n);
        Array.Resize(ref LegFromX, n); Array.Resize(ref LegFromY, n);
        Array.Resize(ref LegStart, n); Array.Resize(ref LegBase, n);
        Array.Resize(ref Capacity, n); Array.Resize(ref State, n);
        Array.Resize(ref RouteHead, n); Array.Resize(ref RouteEnd, n);
        Array.Resize(ref Stops, n * MaxStops);
        Array.Resize(ref Delivered, n);
    }

    /// <summary>Slots free for reuse, in the order they will be taken (last first).</summary>
    public ReadOnlySpan<int> FreeSlots => _free.AsSpan(0, _freeCount);

    /// <summary>Slots holding a courier (used minus free).</summary>
    public int Live => Count - _freeCount;

    /// <summary>Frees the slot of a courier off shift with nothing planned; the caller dropped its id.</summary>
    public void Free(int c)
    {
        Id[c] = -1;
        State[c] = CourierState.Ended;
        ShiftEnd[c] = double.NegativeInfinity;
        RouteHead[c] = 0; RouteEnd[c] = 0;
        _free[_freeCount++] = c;
    }

    /// <summary>
    /// The committed stops from the first not finished on: a stop behind it may be done already (the second order of a
    /// bundle picked up while the first's food is not ready), flagged <see cref="RouteStop.Done"/> and kept in place
    /// until the head reaches it.
    /// </summary>
    public Span<RouteStop> Route(int c) => Stops.AsSpan(c * MaxStops + RouteHead[c], RouteEnd[c] - RouteHead[c]);

    public int RouteLength(int c) => RouteEnd[c] - RouteHead[c];

    /// <summary>The committed stops not yet done: <see cref="RouteLength"/> less those done behind the head.</summary>
    public int UnfinishedStops(int c)
    {
        int n = 0;
        foreach (ref readonly RouteStop r in Route(c))
            if (!r.Done) n++;
        return n;
    }

    /// <summary>Stops courier <paramref name="c"/>'s route can still take.</summary>
    public int Room(int c) => MaxStops - RouteLength(c);

    /// <summary>
    /// Best estimate of where the courier is at <paramref name="now"/>: from its last position reported on this
    /// leg, carried on towards its head stop as the plan times the rest of the leg (a report says where the courier
    /// was then, not now: a courier seen a minute before reaching its stop is at the stop now); without such a report,
    /// interpolated along the leg to its head stop; with no route, its free point.
    /// </summary>
    public void EstimatePosition(int c, double now, out double x, out double y)
    {
        if (RouteEnd[c] == RouteHead[c]) { x = X[c]; y = Y[c]; return; }
        ref RouteStop h = ref Stops[c * MaxStops + RouteHead[c]];
        if (SeenAt[c] >= LegStart[c] && SeenAt[c] <= now)
        {
            double rest = h.Arrival - SeenAt[c];
            double g = rest <= 0 ? 1 : Math.Clamp((now - SeenAt[c]) / rest, 0, 1);
            x = SeenX[c] + (h.X - SeenX[c]) * g;
            y = SeenY[c] + (h.Y - SeenY[c]) * g;
            return;
        }
        double f = LegFraction(c, now);
        x = LegFromX[c] + (h.X - LegFromX[c]) * f;
        y = LegFromY[c] + (h.Y - LegFromY[c]) * f;
    }

    /// <summary>Share of the leg to the head stop covered at <paramref name="now"/>, in [0, 1].</summary>
    public double LegFraction(int c, double now)
    {
        ref RouteStop h = ref Stops[c * MaxStops + RouteHead[c]];
        double span = h.Arrival - LegStart[c];
        return span <= 0 ? 1 : Math.Clamp((now - LegStart[c]) / span, 0, 1);
    }

    /// <summary>Starts the leg model for the head stop as timed: from (x, y) at the head's departure.</summary>
    public void SetLeg(int c, double x, double y)
    {
        LegFromX[c] = x; LegFromY[c] = y;
        if (RouteEnd[c] == RouteHead[c]) return;
        ref RouteStop h = ref Stops[c * MaxStops + RouteHead[c]];
        LegStart[c] = h.Departure;
        LegBase[c] = h.Arrival - h.Departure;
    }

    /// <summary>Moves the live stops to the start of the courier's slice so that appends have room.</summary>
    public void CompactRoute(int c)
    {
        int head = RouteHead[c];
        if (head == 0) return;
        int len = RouteEnd[c] - head;
        int b = c * MaxStops;
        Array.Copy(Stops, b + head, Stops, b, len);
        RouteHead[c] = 0;
        RouteEnd[c] = len;
    }
}
