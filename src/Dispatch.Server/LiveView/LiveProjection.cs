using System.Buffers;
using System.Text;
using System.Text.Json;
using Dispatch.Model;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.LiveView;

/// <summary>
/// The live view's one reader of what the engine thread hands over (the <see cref="LiveRing"/>, the couriers'
/// <see cref="LivePositions"/>, the orders' ETA changes in the <see cref="LiveEtaLog"/>), on its own task. It keeps the picture a new browser
/// starts from (couriers, open orders, zones, exceptions, timelines, the KPI hour) and, every
/// <see cref="ServerOptions.HttpFeedIntervalMs"/>, formats once what changed in what the page draws into one SSE message
/// for the <see cref="LiveBroadcast"/>: a delta of the map (one entry per courier or order that changed, its latest
/// state), the KPI values that changed, and the interval's exceptions (summarised per kind when many). It is not a
/// replay of the engine's events: a browser wants the map, not every re-timing. Timelines stay here and are served on
/// demand (<see cref="Timeline"/>). All of this is off the engine thread; the engine only ever wrote structs.
/// </summary>
internal sealed class LiveProjection
{
    /// <summary>An order whose expected drop-off is within this many minutes of its promise is "near" it.</summary>
    public const double RiskMinutes = 5;

    /// <summary>A drop-off re-timed by less than this since the browsers were last told is not news (unless it changes
    /// the order's colour on the map): the page's colours have 5-minute bands, the engine re-times at every report.</summary>
    public const double EtaNewsMinutes = 5;

    /// <summary>More exceptions of one kind than this within one feed interval are sent as one summary line.</summary>
    public const int SummariseAbove = 3;

    private const int MaxExceptions = 200, MaxTimeline = 60, SummaryIds = 6;
    private const double BehindQuietMinutes = 10;

    /// <summary>The KPI tiles' names (the page's <c>data-kpi</c>), in the order <see cref="ComputeKpis"/> fills them.</summary>
    private static readonly string[] KpiNames =
    [
        "open-orders", "unassigned", "delivered", "cancelled", "orders-last-hour", "on-time-share-hour", "click-to-door-hour",
        "couriers-busy", "couriers-idle", "couriers-on-shift", "promises-at-risk", "viewers-dropped", "events-lost",
    ];

    private readonly LiveRing _ring;
    private readonly LivePositions _positions;
    private readonly LiveEtaLog _etaLog;
    private readonly EtaEntry[] _etaBatch = new EtaEntry[4096];
    private readonly List<OrderView> _retimed = new(); // orders with ETA changes folded since the last message
    private readonly LiveViewStats _stats;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly Dictionary<long, CourierView> _couriers = new();
    private readonly Dictionary<long, OrderView> _orders = new();
    private readonly Dictionary<long, (double X, double Y)> _sites = new();
    private readonly List<ZoneView> _zones = new();
    private readonly List<CitywideView> _citywide = new();
    private readonly List<ExceptionView> _exceptions = new(); // oldest first; the page shows it reversed
    private readonly Dictionary<long, List<LiveNote>> _orderTimeline = new(), _courierTimeline = new();
    // Orders finished and couriers gone off shift, oldest first, with the engine time they left: their timelines are
    // dropped once the engine forgets them too (its FinishedOrderRetentionMinutes), so the view holds open work plus that
    // window, not every order of a server's life.
    private readonly Queue<(long Id, bool Order, double At)> _retired = new();
    private readonly double _timelineMinutes;
    private readonly Queue<double> _placedHour = new();
    private readonly Queue<DeliveryView> _deliveredHour = new();
    private readonly Dictionary<long, double> _behindAt = new();
    // What changed since the last message (the next message's delta).
    private readonly List<CourierView> _dirtyCouriers = new();
    private readonly List<CourierView> _moved = new();
    private static readonly Comparison<CourierView> ById = (a, b) => a.Id.CompareTo(b.Id);
    private readonly List<OrderView> _dirtyOrders = new();
    private readonly List<long> _goneCouriers = new(), _goneOrders = new(), _newSites = new();
    private readonly List<ZoneView> _newZones = new();
    private readonly List<CitywideView> _newCitywide = new();
    private readonly List<LiveNote> _pendingExceptions = new();
    private readonly List<ExceptionView> _newLines = new();
    private readonly double[] _kpi = new double[KpiNames.Length], _kpiSent = new double[KpiNames.Length];
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private EngineCounts _counts;
    private long _cursor, _etaCursor, _applying, _exceptionSeq, _positionsTaken, _coalesced, _etasFolded;
    private double _now = double.NaN, _sentNow = double.NaN;
    // The assignment whose stops are being read (stops follow their assignment in the ring).
    private CourierView? _assigning;
    private int _stopsLeft;
    private Func<IReadOnlyList<LiveEvent>?>? _seed;

    /// <param name="timelineMinutes">How long a finished order's or a gone courier's timeline stays searchable: the engine's
    /// <c>FinishedOrderRetentionMinutes</c> (infinity keeps them all).</param>
    /// <param name="seed">The recovered engine's picture, applied before the ring's first event (<see cref="LiveSource.Seeded"/>: set
    /// before the engine thread starts, so once the ring has anything the seed is there).</param>
    public LiveProjection(LiveRing ring, LivePositions positions, LiveEtaLog etas, LiveViewStats stats, int backlog, double timelineMinutes, ILogger log,
        Func<IReadOnlyList<LiveEvent>?>? seed = null)
    {
        _seed = seed;
        _timelineMinutes = timelineMinutes;
        _ring = ring;
        _positions = positions;
        _etaLog = etas;
        _stats = stats;
        _log = log;
        Broadcast = new LiveBroadcast(backlog);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        Array.Fill(_kpiSent, double.NaN);
    }

    public LiveBroadcast Broadcast { get; }

    /// <summary>Engine time as the view last heard it.</summary>
    public double Now { get { lock (_gate) return _now; } }

    /// <summary>How often the ring is drained between publications: often enough that a tick's burst of plan changes
    /// does not lap the ring before the reader comes back.</summary>
    public static readonly TimeSpan DrainEvery = TimeSpan.FromMilliseconds(10);

    /// <summary>Drains the ring every <see cref="DrainEvery"/> and publishes every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval < DrainEvery ? interval : DrainEvery);
        long lastPublish = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    bool publish = System.Diagnostics.Stopwatch.GetElapsedTime(lastPublish) >= interval;
                    if (publish) lastPublish = System.Diagnostics.Stopwatch.GetTimestamp();
                    Pass(publish);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bug in the view must not stop the view (and never reaches the engine).
                    _log.LogError(ex, "Live view pass failed");
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Drains the ring into the picture; with <paramref name="publish"/>, also takes the latest positions and
    /// drop-offs, checks promises, and sends what changed to the browsers (formatted only when someone watches).</summary>
    public void Pass(bool publish = true)
    {
        lock (_gate)
        {
            long head = _ring.Head;
            // The recovered picture first (read after the head: a ring with events was started after the seed was set).
            if (_seed?.Invoke() is { } seeded)
            {
                _seed = null;
                _applying = _cursor;
                foreach (var e in seeded) Apply(e);
            }
            if (head - _cursor > _ring.Capacity)
            {
                long lost = head - _ring.Capacity - _cursor;
                _stats.Lost(lost);
                _cursor = head - _ring.Capacity;
                _assigning = null;
                _stopsLeft = 0;
            }
            while (_cursor < head)
            {
                _applying = _cursor;
                if (_ring.TryRead(_cursor, out var e)) Apply(e);
                else _stats.Lost(1);
                _cursor++;
            }
            ReadEtas();
            if (!publish) return;
            DropRetiredTimelines();
            TakePositions();
            FlushEtas();
            CheckPromises();
            ComputeKpis(_kpi);
            SummariseExceptions();
            _stats.Folded(_coalesced, _etasFolded);
            _coalesced = _etasFolded = 0;
            bool watched = _stats.ViewersOpen > 0;
            if (watched) _json.Reset(_buffer);
            bool any = WriteDelta(watched);
            if (!watched || !any) { _buffer.Clear(); return; }
            _json.Flush();
            var span = _buffer.WrittenSpan;
            var chunk = new byte[span.Length + 8];
            "data: "u8.CopyTo(chunk);
            span.CopyTo(chunk.AsSpan(6));
            chunk[^2] = (byte)'\n';
            chunk[^1] = (byte)'\n';
            _buffer.Clear();
            Broadcast.Publish(chunk);
            _stats.Published(chunk.Length);
        }
    }

    private void Apply(in LiveEvent e)
    {
        if (double.IsFinite(e.At) && (double.IsNaN(_now) || e.At > _now)) _now = e.At;
        if (_stopsLeft > 0 && e.Kind != LiveEventKind.Stop) { _stopsLeft = 0; _assigning = null; }
        switch (e.Kind)
        {
            case LiveEventKind.SiteAdded:
                _sites[e.Id] = (e.X, e.Y);
                _newSites.Add(e.Id);
                break;
            case LiveEventKind.OrderPlaced:
            {
                var o = new OrderView { Id = e.Id, Site = e.Other, X = e.X, Y = e.Y, Placed = e.T1, Ready = e.T2, Promise = e.Value, FirstPromise = e.Value };
                _orders[e.Id] = o;
                _placedHour.Enqueue(e.T1);
                OrderNote(new LiveNote(e.At, NoteKind.Placed, e.Id, e.Other) { T1 = e.T2, T2 = e.Value });
                MarkOrder(o, 2);
                break;
            }
            case LiveEventKind.ReadyTimeChanged:
                if (_orders.TryGetValue(e.Id, out var rc)) rc.Ready = e.T1;
                OrderNote(new LiveNote(e.At, NoteKind.ReadyChanged, e.Id, -1) { T1 = e.T1 });
                break;
            case LiveEventKind.OrderCancelled:
                RemoveOrder(e.Id);
                OrderNote(new LiveNote(e.At, NoteKind.Cancelled, e.Id, -1));
                break;
            case LiveEventKind.CourierOnShift:
            {
                if (!_couriers.TryGetValue(e.Id, out var c)) _couriers[e.Id] = c = new CourierView { Id = e.Id };
                c.X = e.X; c.Y = e.Y; c.ShiftStart = e.T1; c.ShiftEnd = e.T2; c.OnShift = true; c.SeenAt = e.T1;
                CourierNote(new LiveNote(e.At, NoteKind.OnShift, -1, e.Id) { T1 = e.T1, T2 = e.T2, X = e.X, Y = e.Y });
                MarkCourier(c, 2);
                break;
            }
            case LiveEventKind.CourierOffShift:
                if (_couriers.Remove(e.Id, out var off))
                {
                    off.Gone = true;
                    _goneCouriers.Add(e.Id);
                    _retired.Enqueue((e.Id, false, _now));
                    foreach (var s in off.Stops)
                    {
                        if (_orders.TryGetValue(s.OrderId, out var so) && so.Courier == e.Id && so.Status == "assigned")
                        {
                            so.Courier = -1; so.Status = "open";
                            MarkOrder(so, 2);
                        }
                    }
                }
                CourierNote(new LiveNote(e.At, NoteKind.OffShift, -1, e.Id));
                break;
            case LiveEventKind.PickedUp:
                if (_orders.TryGetValue(e.Id, out var po))
                {
                    po.Status = "picked-up";
                    MarkOrder(po, 2);
                    if (_couriers.TryGetValue(po.Courier, out var pcc)) StopDone(pcc, e.Id, 1, e.T1);
                }
                OrderNote(new LiveNote(e.At, NoteKind.PickedUp, e.Id, e.Other) { T1 = e.T1 });
                break;
            case LiveEventKind.Delivered:
                Delivered(e);
                break;
            case LiveEventKind.DeliveryFailed:
            {
                OrderNote(new LiveNote(e.At, NoteKind.DeliveryFailed, e.Id, -1) { N = e.Count, Flag = e.Flag });
                _orders.TryGetValue(e.Id, out var fo);
                Raise(new LiveNote(e.At, NoteKind.Failed, e.Id, fo?.Courier ?? -1) { Flag = e.Flag });
                if (e.Flag) RemoveOrder(e.Id);
                else if (fo is not null)
                {
                    if (_couriers.TryGetValue(fo.Courier, out var fc) && (RemoveStop(fc, e.Id, 1) | RemoveStop(fc, e.Id, 2))) MarkCourier(fc, 2);
                    fo.Status = "open"; fo.Courier = -1; fo.PlannedDrop = double.NaN; fo.DropSeq = _applying;
                    MarkOrder(fo, 2);
                }
                break;
            }
            case LiveEventKind.WrongOrderDelivered:
                OrderNote(new LiveNote(e.At, NoteKind.WrongCustomer, e.Id, -1));
                Raise(new LiveNote(e.At, NoteKind.WrongDelivery, e.Id, -1));
                break;
            case LiveEventKind.OrderChanged:
                OrderNote(new LiveNote(e.At, NoteKind.KitchenChanged, e.Id, -1) { T1 = e.T1, N = e.Count });
                if (double.IsFinite(e.T1) && _orders.TryGetValue(e.Id, out var oc)) oc.Ready = e.T1;
                break;
            case LiveEventKind.Assignment:
            {
                if (!_couriers.TryGetValue(e.Id, out var c)) _couriers[e.Id] = c = new CourierView { Id = e.Id, OnShift = true };
                c.Stops.Clear();
                _assigning = c;
                _stopsLeft = e.Count;
                CourierNote(new LiveNote(e.At, NoteKind.Assigned, -1, e.Id) { N = e.Count, Flag = e.Flag });
                MarkCourier(c, 2);
                if (e.Count == 0) _assigning = null;
                break;
            }
            case LiveEventKind.Stop:
                if (_assigning is { } ac && _stopsLeft > 0)
                {
                    ac.Stops.Add(new StopView(e.Count, e.Id, e.X, e.Y, e.T1));
                    if (e.Count == (int)StopKind.Dropoff && _orders.TryGetValue(e.Id, out var so))
                    {
                        if (so.Courier != ac.Id) OrderNote(new LiveNote(e.At, NoteKind.PlannedWith, e.Id, ac.Id) { T1 = e.T1 });
                        bool major = so.Courier != ac.Id || so.Status == "open";
                        so.Courier = ac.Id;
                        so.PlannedDrop = e.T1;
                        so.DropSeq = _applying;
                        if (so.Status == "open") so.Status = "assigned";
                        MarkOrder(so, major ? (byte)2 : (byte)1);
                    }
                    if (--_stopsLeft == 0) _assigning = null;
                }
                break;
            case LiveEventKind.PlanChange:
                PlanChanged(e);
                break;
            case LiveEventKind.CongestionZone:
            case LiveEventKind.Closure:
            {
                string kind = e.Kind == LiveEventKind.CongestionZone ? "congestion" : e.Value == 0 ? "closure-line" : "closure-polygon";
                var z = new ZoneView(e.Id, kind, e.Kind == LiveEventKind.CongestionZone ? e.Value : 0, e.T1, e.T2, e.Points ?? []);
                _zones.RemoveAll(x => x.Id == z.Id && x.Kind == z.Kind);
                _zones.Add(z);
                _newZones.Add(z);
                break;
            }
            case LiveEventKind.CitywideFactor:
            {
                var f = new CitywideView(e.Value, e.T1, e.T2);
                _citywide.Add(f);
                _newCitywide.Add(f);
                break;
            }
            case LiveEventKind.Counts:
                _counts = new EngineCounts((int)e.Id, (int)e.Other, e.Count, (int)e.X, (int)e.Y, (int)e.T1, (int)e.T2) { Returned = (int)e.Value };
                break;
            case LiveEventKind.Tick:
                break;
        }
    }

    private void Delivered(in LiveEvent e)
    {
        if (_orders.TryGetValue(e.Id, out var o))
        {
            bool hasPromise = double.IsFinite(o.FirstPromise);
            bool onTime = !hasPromise || e.T1 <= o.FirstPromise;
            _deliveredHour.Enqueue(new DeliveryView(e.T1, onTime, hasPromise, e.T1 - o.Placed));
            if (_couriers.TryGetValue(o.Courier, out var c)) { StopDone(c, e.Id, 2, e.T1); c.Delivered++; }
            OrderNote(new LiveNote(e.At, NoteKind.Delivered, e.Id, -1) { T1 = e.T1, T2 = o.FirstPromise, Flag = hasPromise });
            RemoveOrder(e.Id);
        }
        else OrderNote(new LiveNote(e.At, NoteKind.Delivered, e.Id, -1) { T1 = e.T1 });
    }

    private void PlanChanged(in LiveEvent e)
    {
        var kind = (PlanChangeKind)e.Count;
        var reason = (PlanChangeReason)e.Reason;
        _orders.TryGetValue(e.Id, out var o);
        switch (kind)
        {
            case PlanChangeKind.Released:
                if (o is not null)
                {
                    if (_couriers.TryGetValue(o.Courier, out var c) && (RemoveStop(c, e.Id, 1) | RemoveStop(c, e.Id, 2))) MarkCourier(c, 2);
                    o.Courier = -1; o.Status = "open"; o.PlannedDrop = double.NaN; o.DropSeq = _applying;
                    MarkOrder(o, 2);
                }
                Raise(new LiveNote(e.At, NoteKind.Released, e.Id, e.Other) { Reason = e.Reason });
                break;
            case PlanChangeKind.Reassigned:
                Raise(new LiveNote(e.At, NoteKind.Reassigned, e.Id, e.Other) { Reason = e.Reason });
                break;
            case PlanChangeKind.Requoted:
                // A re-quote is the engine keeping its word honest, not an exception of its own: the timeline has it, and
                // the order shows up as "near" or "past" its promise when that is what it is.
                if (o is not null && double.IsFinite(e.T2)) { o.Promise = e.T2; MarkOrder(o, 2); }
                break;
        }
        if (reason == PlanChangeReason.CourierBehind && kind != PlanChangeKind.Released) Behind(e.Other, e.Id, kind, e.At);
        var note = new LiveNote(e.At, NoteKind.PlanChange, e.Id, e.Other) { Sub = (byte)kind, Reason = e.Reason, T1 = e.T1, T2 = e.T2 };
        if (e.Id >= 0) OrderNote(note);
        if (e.Other >= 0) CourierNote(note);
    }

    /// <summary>One "behind" exception per courier per <see cref="BehindQuietMinutes"/>: a courier behind moves every
    /// order on its route at once.</summary>
    private void Behind(long courier, long order, PlanChangeKind kind, double at)
    {
        if (courier < 0 || (_behindAt.TryGetValue(courier, out double last) && at - last < BehindQuietMinutes)) return;
        _behindAt[courier] = at;
        Raise(new LiveNote(at, NoteKind.Behind, order, courier) { Sub = (byte)kind });
    }

    /// <summary>The couriers that reported since the last message, at their latest position (after the ring, so a courier
    /// put on shift in this pass is known; one not known yet keeps its report for the next time).</summary>
    private void TakePositions()
    {
        int n = _positions.Count;
        for (int i = 0; i < n; i++)
        {
            if (!_positions.Pending(i, out long id) || !_couriers.TryGetValue(id, out var c)) continue;
            _positions.Take(i, out double x, out double y, out double at);
            _positionsTaken++;
            c.X = x; c.Y = y; c.SeenAt = at;
            MarkCourier(c, 1);
        }
        _stats.PositionsSampledSoFar(_positions.Reports - _positionsTaken);
    }

    /// <summary>Folds the ETA changes written since the last pass into their orders: the latest drop-off, and what the
    /// timeline line of the interval will say (the first previous time, the reasons, how many). After the ring, so every
    /// change's order is known unless it finished (then the change is moot).</summary>
    private void ReadEtas()
    {
        int n;
        while ((n = _etaLog.Read(ref _etaCursor, _etaBatch, out long lost)) > 0 || lost > 0)
        {
            if (lost > 0) _stats.Lost(lost);
            for (int i = 0; i < n; i++)
            {
                ref readonly var e = ref _etaBatch[i];
                if (!_orders.TryGetValue(e.Order, out var o)) continue;
                if (o.EtaChanges == 0) { o.EtaPrevious = e.Previous; o.EtaReasons = 0; _retimed.Add(o); }
                o.EtaChanges++;
                o.EtaReasons |= 1 << ((int)e.Reason & 31);
                o.EtaReason = e.Reason; o.EtaAt = e.At; o.EtaCourier = e.Courier; o.EtaDrop = e.Drop;
                // A route read from the ring after this change was written is newer than it.
                if (e.RingSeq > o.DropSeq && double.IsFinite(e.Drop)) o.PlannedDrop = e.Drop;
            }
            if (n < _etaBatch.Length) break;
        }
    }

    /// <summary>The orders re-timed since the last message: one timeline line each, saying how many re-timings it folds.</summary>
    private void FlushEtas()
    {
        foreach (var o in _retimed)
        {
            int changes = o.EtaChanges;
            o.EtaChanges = 0;
            _etasFolded += changes - 1;
            if (o.Gone) continue;
            var note = new LiveNote(o.EtaAt, NoteKind.EtaChanged, o.Id, o.EtaCourier) { T1 = o.EtaPrevious, T2 = o.EtaDrop, N = changes, Reason = (byte)o.EtaReason, Sub = (byte)PlanChangeKind.EtaChanged };
            OrderNote(note);
            if (o.EtaCourier >= 0) CourierNote(note);
            MarkOrder(o, 1);
            if ((o.EtaReasons & (1 << (int)PlanChangeReason.CourierBehind)) != 0) Behind(o.EtaCourier, o.Id, PlanChangeKind.EtaChanged, o.EtaAt);
        }
        _retimed.Clear();
    }

    /// <summary>Raises "at risk" / "late" once per order and level (the exception list).</summary>
    private void CheckPromises()
    {
        if (double.IsNaN(_now)) return;
        foreach (var o in _orders.Values)
        {
            int risk = RiskOf(o, _now);
            if (risk <= o.Risk) continue;
            o.Risk = risk;
            Raise(risk == 2
                ? new LiveNote(_now, NoteKind.Late, o.Id, o.Courier) { T1 = o.Promise }
                : new LiveNote(_now, NoteKind.AtRisk, o.Id, o.Courier) { T1 = o.Promise, T2 = Expected(o, _now) });
        }
    }

    private static double Expected(OrderView o, double now) => double.IsFinite(o.PlannedDrop) ? Math.Max(now, o.PlannedDrop) : now;

    /// <summary>0 fine, 1 expected within <see cref="RiskMinutes"/> of the promise (or later), 2 the promise has passed.</summary>
    internal static int RiskOf(OrderView o, double now)
    {
        if (!double.IsFinite(o.Promise)) return 0;
        if (now > o.Promise) return 2;
        return Expected(o, now) > o.Promise - RiskMinutes ? 1 : 0;
    }

    /// <summary>The map's colour band of a slack (the page's: green over 5 minutes, amber 0-5, red past; grey no promise).</summary>
    private static int Band(double promise, double drop)
    {
        if (!double.IsFinite(promise)) return 0;
        double slack = promise - drop;
        return slack > RiskMinutes ? 1 : slack >= 0 ? 2 : 3;
    }

    /// <summary>Whether a re-timed drop-off is worth telling the browsers: it moved <see cref="EtaNewsMinutes"/> or more
    /// since they were told, or into another colour band (the page colours by <c>promise - max(now, drop)</c>: equal
    /// bands without the clamp stay equal at every <c>now</c>, the bands being intervals).</summary>
    private static bool EtaIsNews(double sent, double drop, double promise)
    {
        if (double.IsFinite(sent) != double.IsFinite(drop)) return true;
        if (!double.IsFinite(drop)) return false;
        return Math.Abs(drop - sent) >= EtaNewsMinutes || Band(promise, sent) != Band(promise, drop);
    }

    private void ComputeKpis(double[] into)
    {
        double now = double.IsNaN(_now) ? 0 : _now;
        while (_placedHour.Count > 0 && _placedHour.Peek() <= now - 60) _placedHour.Dequeue();
        while (_deliveredHour.Count > 0 && _deliveredHour.Peek().At <= now - 60) _deliveredHour.Dequeue();
        int onTime = 0, promised = 0;
        double c2d = 0;
        foreach (var d in _deliveredHour)
        {
            if (d.HasPromise) { promised++; if (d.OnTime) onTime++; }
            c2d += d.ClickToDoor;
        }
        int busy = 0, onShift = 0, atRisk = 0;
        foreach (var c in _couriers.Values)
        {
            if (!c.OnShiftAt(now)) continue;
            onShift++;
            if (c.Busy) busy++;
        }
        foreach (var o in _orders.Values) if (RiskOf(o, now) > 0) atRisk++;
        var k = _counts;
        into[0] = k.Open + k.Assigned + k.PickedUp;
        into[1] = k.Open;
        into[2] = k.Delivered;
        into[3] = k.Cancelled;
        into[4] = _placedHour.Count;
        into[5] = promised == 0 ? double.NaN : Math.Round((double)onTime / promised, 4);
        into[6] = _deliveredHour.Count == 0 ? double.NaN : Math.Round(c2d / _deliveredHour.Count, 2);
        into[7] = busy;
        into[8] = onShift - busy;
        into[9] = onShift;
        into[10] = atRisk;
        into[11] = _stats.ViewersDropped;
        into[12] = _stats.EventsLost;
    }

    /// <summary>The interval's exceptions as lines of the exception list: each one when its kind had at most
    /// <see cref="SummariseAbove"/> in the interval, otherwise one line for the kind naming how many and the newest few
    /// (each is in its order's or courier's timeline in full). Counted in <see cref="LiveViewStats.ExceptionsSummarised"/>.</summary>
    private void SummariseExceptions()
    {
        _newLines.Clear();
        if (_pendingExceptions.Count == 0) return;
        for (var kind = NoteKind.Late; kind <= NoteKind.WrongDelivery; kind++)
        {
            int n = 0;
            foreach (var x in _pendingExceptions) if (x.Kind == kind) n++;
            if (n == 0) continue;
            if (n <= SummariseAbove)
            {
                foreach (var x in _pendingExceptions)
                    if (x.Kind == kind) AddLine(new ExceptionView(++_exceptionSeq, x.At, x.ExceptionKind, x.Order, x.Courier, 1, x.ExceptionText()));
                continue;
            }
            var ids = new StringBuilder();
            LiveNote newest = default;
            int listed = 0;
            for (int i = _pendingExceptions.Count - 1; i >= 0; i--)
            {
                var x = _pendingExceptions[i];
                if (x.Kind != kind) continue;
                if (listed == 0) newest = x;
                if (listed < SummaryIds) ids.Append(listed == 0 ? "" : ", ").Append(kind == NoteKind.Behind ? x.Courier : x.Order);
                listed++;
            }
            if (n > SummaryIds) ids.Append(", …");
            string what = kind switch
            {
                NoteKind.Late => "orders past their promise",
                NoteKind.AtRisk => "orders near their promise",
                NoteKind.Behind => "couriers behind plan",
                NoteKind.Released => "orders released from their courier",
                NoteKind.Reassigned => "orders reassigned",
                NoteKind.Failed => "failed deliveries",
                _ => "orders delivered to the wrong customer",
            };
            AddLine(new ExceptionView(++_exceptionSeq, newest.At, newest.ExceptionKind, newest.Order, newest.Courier, n, $"{n} {what}: {ids}"));
            _stats.Summarised(n);
        }
        _pendingExceptions.Clear();
    }

    private void AddLine(in ExceptionView x)
    {
        if (_exceptions.Count == MaxExceptions) _exceptions.RemoveAt(0);
        _exceptions.Add(x);
        _newLines.Add(x);
    }

    // ------------------------------------------------------------------ the feed's message: what changed

    /// <summary>
    /// Ends the interval: writes (with <paramref name="write"/>) one JSON object of what changed, and marks it told either
    /// way (the next browser starts from <see cref="State"/>, which says the same). Keys: <c>t</c> now, <c>s</c> sites,
    /// <c>z</c> zones, <c>w</c> citywide factors, <c>cx</c> couriers gone, <c>c</c> couriers changed, <c>p</c> couriers
    /// that only moved (flat, id steps and ages), <c>ox</c> orders finished, <c>o</c> orders new or changed, <c>x</c> exception lines,
    /// <c>kpi</c> the values that changed. False when there was nothing to say.
    /// </summary>
    private bool WriteDelta(bool write)
    {
        var w = _json;
        bool any = false;
        if (write) { w.WriteStartObject(); NumTo(w, "t", _now); }
        if (!_now.Equals(_sentNow)) { _sentNow = _now; any = true; }
        if (_newSites.Count > 0)
        {
            any = true;
            if (write)
            {
                w.WriteStartArray("s");
                foreach (long id in _newSites) if (_sites.TryGetValue(id, out var s)) WriteSite(w, id, s.X, s.Y);
                w.WriteEndArray();
            }
            _newSites.Clear();
        }
        if (_newZones.Count > 0)
        {
            any = true;
            if (write) { w.WriteStartArray("z"); foreach (var z in _newZones) WriteZone(w, z); w.WriteEndArray(); }
            _newZones.Clear();
        }
        if (_newCitywide.Count > 0)
        {
            any = true;
            if (write) { w.WriteStartArray("w"); foreach (var f in _newCitywide) WriteCitywide(w, f); w.WriteEndArray(); }
            _newCitywide.Clear();
        }
        if (_goneCouriers.Count > 0)
        {
            any = true;
            if (write) { w.WriteStartArray("cx"); foreach (long id in _goneCouriers) w.WriteNumberValue(id); w.WriteEndArray(); }
            _goneCouriers.Clear();
        }
        if (_dirtyCouriers.Count > 0)
        {
            any = true;
            if (write)
            {
                w.WriteStartArray("c");
                foreach (var c in _dirtyCouriers) if (c.Dirt == 2 && !c.Gone) WriteCourierTuple(w, c);
                w.WriteEndArray();
                // Only moved: flat [id step, x, y, age], in id order, the id as the step from the one before and the
                // report's age in minutes before t: the bulk of a message under load, so its bytes are worth saving.
                _moved.Clear();
                foreach (var c in _dirtyCouriers) if (c.Dirt == 1 && !c.Gone) _moved.Add(c);
                _moved.Sort(ById);
                w.WriteStartArray("p");
                long previous = 0;
                foreach (var c in _moved)
                {
                    w.WriteNumberValue(c.Id - previous); Coord(w, c.X); Coord(w, c.Y); Minutes(w, _now - c.SeenAt);
                    previous = c.Id;
                }
                w.WriteEndArray();
            }
            foreach (var c in _dirtyCouriers) c.Dirt = 0;
            _dirtyCouriers.Clear();
        }
        if (_goneOrders.Count > 0)
        {
            any = true;
            if (write) { w.WriteStartArray("ox"); foreach (long id in _goneOrders) w.WriteNumberValue(id); w.WriteEndArray(); }
            _goneOrders.Clear();
        }
        if (_dirtyOrders.Count > 0)
        {
            if (write) w.WriteStartArray("o");
            long notNews = 0;
            foreach (var o in _dirtyOrders)
            {
                byte dirt = o.Dirt;
                o.Dirt = 0;
                if (o.Gone) continue;
                if (dirt == 1 && !EtaIsNews(o.SentDrop, o.PlannedDrop, o.Promise)) { notNews++; continue; }
                o.SentDrop = o.PlannedDrop;
                any = true;
                if (write) WriteOrderTuple(w, o);
            }
            if (write) { w.WriteEndArray(); _stats.NotNews(notNews); }
            _dirtyOrders.Clear();
        }
        if (_newLines.Count > 0)
        {
            any = true;
            if (write) { w.WriteStartArray("x"); foreach (var x in _newLines) WriteLine(w, x); w.WriteEndArray(); }
            _newLines.Clear();
        }
        bool kpiOpen = false;
        for (int i = 0; i < _kpi.Length; i++)
        {
            if (_kpi[i].Equals(_kpiSent[i])) continue;
            _kpiSent[i] = _kpi[i];
            any = true;
            if (!write) continue;
            if (!kpiOpen) { w.WriteStartObject("kpi"); kpiOpen = true; }
            NumTo(w, KpiNames[i], _kpi[i]);
        }
        if (kpiOpen) w.WriteEndObject();
        if (write) w.WriteEndObject();
        return any;
    }

    private void MarkCourier(CourierView c, byte dirt)
    {
        if (c.Dirt == 0) _dirtyCouriers.Add(c);
        else _coalesced++;
        if (dirt > c.Dirt) c.Dirt = dirt;
    }

    private void MarkOrder(OrderView o, byte dirt)
    {
        if (o.Dirt == 0) _dirtyOrders.Add(o);
        else _coalesced++;
        if (dirt > o.Dirt) o.Dirt = dirt;
    }

    // ------------------------------------------------------------------ the whole picture (a new browser, /api/state)

    /// <summary>The whole picture, in the feed's own encoding with <c>"all":1</c> (every courier, open order, site, zone,
    /// factor, exception line and KPI value as the browsers were last told), and the feed message a browser continues
    /// from: both under the one lock the passes take, so nothing falls between them.</summary>
    public (byte[] Json, long FeedFrom) State()
    {
        lock (_gate)
        {
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            using var w = new Utf8JsonWriter(buffer);
            w.WriteStartObject();
            w.WriteNumber("all", 1);
            NumTo(w, "t", _sentNow);
            w.WriteStartObject("kpi");
            for (int i = 0; i < _kpiSent.Length; i++) NumTo(w, KpiNames[i], _kpiSent[i]);
            w.WriteEndObject();
            w.WriteStartArray("s");
            foreach (var (id, (x, y)) in _sites) WriteSite(w, id, x, y);
            w.WriteEndArray();
            w.WriteStartArray("z");
            foreach (var z in _zones) WriteZone(w, z);
            w.WriteEndArray();
            w.WriteStartArray("w");
            foreach (var f in _citywide) WriteCitywide(w, f);
            w.WriteEndArray();
            w.WriteStartArray("c");
            foreach (var c in _couriers.Values) WriteCourierTuple(w, c);
            w.WriteEndArray();
            w.WriteStartArray("o");
            foreach (var o in _orders.Values) WriteOrderTuple(w, o, o.SentDrop);
            w.WriteEndArray();
            w.WriteStartArray("x");
            foreach (var x in _exceptions) WriteLine(w, x);
            w.WriteEndArray();
            w.WriteEndObject();
            w.Flush();
            return (buffer.WrittenSpan.ToArray(), Broadcast.Next);
        }
    }

    /// <summary>An order's or a courier's timeline (JSON), with its current state (a courier's whole route) when the view
    /// still holds it: what the page's search and the selected courier's route read, on demand.</summary>
    public byte[] Timeline(bool order, long id)
    {
        lock (_gate)
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            using var w = new Utf8JsonWriter(buffer);
            w.WriteStartObject();
            w.WriteString("type", order ? "order" : "courier");
            w.WriteNumber("id", id);
            if (order && _orders.TryGetValue(id, out var o)) { w.WriteStartObject("current"); WriteOrderTo(w, o); w.WriteEndObject(); }
            if (!order && _couriers.TryGetValue(id, out var c)) { w.WriteStartObject("current"); WriteCourierTo(w, c); w.WriteEndObject(); }
            w.WriteStartArray("timeline");
            if ((order ? _orderTimeline : _courierTimeline).TryGetValue(id, out var lines))
                foreach (var l in lines) { w.WriteStartObject(); NumTo(w, "at", l.At); w.WriteString("text", l.Text(courierSide: !order)); w.WriteEndObject(); }
            w.WriteEndArray();
            w.WriteEndObject();
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>The timelines of orders and couriers that left longer ago than the engine keeps them, unless they came back.</summary>
    private void DropRetiredTimelines()
    {
        while (_retired.TryPeek(out var r) && !(r.At + _timelineMinutes > _now))
        {
            _retired.Dequeue();
            if (r.Order) { if (!_orders.ContainsKey(r.Id)) _orderTimeline.Remove(r.Id); }
            else if (!_couriers.ContainsKey(r.Id)) _courierTimeline.Remove(r.Id);
        }
    }

    private void RemoveOrder(long id)
    {
        if (!_orders.Remove(id, out var o)) return;
        o.Gone = true;
        _goneOrders.Add(id);
        _retired.Enqueue((id, true, _now));
        if (_couriers.TryGetValue(o.Courier, out var c) && (RemoveStop(c, id, 1) | RemoveStop(c, id, 2))) MarkCourier(c, 2);
    }

    /// <summary>A confirmed stop: the courier was at it at <paramref name="at"/> (where the map starts its next leg from).</summary>
    private void StopDone(CourierView c, long order, int kind, double at)
    {
        foreach (var s in c.Stops)
        {
            if (s.OrderId != order || s.Kind != kind) continue;
            if (at >= c.SeenAt) { c.X = s.X; c.Y = s.Y; c.SeenAt = at; }
            break;
        }
        RemoveStop(c, order, kind);
        MarkCourier(c, 2);
    }

    private static bool RemoveStop(CourierView c, long order, int kind)
    {
        for (int i = 0; i < c.Stops.Count; i++)
            if (c.Stops[i].OrderId == order && c.Stops[i].Kind == kind) { c.Stops.RemoveAt(i); return true; }
        return false;
    }

    /// <summary>An exception: into its order's (and for a courier's own, its courier's) timeline now, into the exception
    /// list at the end of the interval (<see cref="SummariseExceptions"/>).</summary>
    private void Raise(in LiveNote x)
    {
        _pendingExceptions.Add(x);
        if (x.Order >= 0) OrderNote(x);
        if (x.Courier >= 0 && x.Kind is NoteKind.Behind or NoteKind.Late) CourierNote(x);
    }

    private void OrderNote(in LiveNote n) => Note(_orderTimeline, n.Order, n);

    private void CourierNote(in LiveNote n) => Note(_courierTimeline, n.Courier, n);

    private static void Note(Dictionary<long, List<LiveNote>> all, long id, in LiveNote n)
    {
        if (!all.TryGetValue(id, out var lines)) all[id] = lines = new List<LiveNote>();
        if (lines.Count == MaxTimeline) lines.RemoveAt(1); // keep the first line (how it started) and the newest
        lines.Add(n);
    }

    /// <summary>Engine minutes as the page shows them: h:mm from the engine's zero.</summary>
    internal static string Time(double minutes) => LiveNote.Time(minutes);

    /// <summary>JSON has no NaN or infinity: null instead (the page treats it as "none").</summary>
    private static void NumTo(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    /// <summary>A coordinate in the feed: a tenth of an engine unit is below a pixel of any map the page draws.</summary>
    private static void Coord(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(Math.Round(v, 1)); else w.WriteNullValue();
    }

    /// <summary>An engine time in the feed, to a hundredth of a minute.</summary>
    private static void Minutes(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(Math.Round(v, 2)); else w.WriteNullValue();
    }

    private static void WriteSite(Utf8JsonWriter w, long id, double x, double y)
    {
        w.WriteStartArray(); w.WriteNumberValue(id); Coord(w, x); Coord(w, y); w.WriteEndArray();
    }

    /// <summary>A courier as the map draws it: <c>[id, x, y, seenAt, shiftStart, shiftEnd, stops, next kind, next x,
    /// next y, next arrival]</c> (next kind 1 pickup, 2 drop-off, 0 idle; its route in full from /api/timeline).</summary>
    private static void WriteCourierTuple(Utf8JsonWriter w, CourierView c)
    {
        w.WriteStartArray();
        w.WriteNumberValue(c.Id); Coord(w, c.X); Coord(w, c.Y); Minutes(w, c.SeenAt); Minutes(w, c.ShiftStart); Minutes(w, c.ShiftEnd);
        w.WriteNumberValue(c.Stops.Count);
        if (c.Stops.Count > 0)
        {
            var s = c.Stops[0];
            w.WriteNumberValue(s.Kind); Coord(w, s.X); Coord(w, s.Y); Minutes(w, s.Arrival);
        }
        else w.WriteNumberValue(0);
        w.WriteEndArray();
    }

    /// <summary>An order as the map draws it: <c>[id, x, y, promise, planned drop-off, courier, status]</c> (status 0
    /// open, 1 assigned, 2 picked up).</summary>
    private static void WriteOrderTuple(Utf8JsonWriter w, OrderView o) => WriteOrderTuple(w, o, o.PlannedDrop);

    private static void WriteOrderTuple(Utf8JsonWriter w, OrderView o, double drop)
    {
        w.WriteStartArray();
        w.WriteNumberValue(o.Id); Coord(w, o.X); Coord(w, o.Y); Minutes(w, o.Promise); Minutes(w, drop); w.WriteNumberValue(o.Courier);
        w.WriteNumberValue(o.Status switch { "assigned" => 1, "picked-up" => 2, _ => 0 });
        w.WriteEndArray();
    }

    private static void WriteZone(Utf8JsonWriter w, ZoneView z)
    {
        w.WriteStartObject();
        w.WriteNumber("id", z.Id); w.WriteString("kind", z.Kind); NumTo(w, "factor", z.Factor); NumTo(w, "from", z.From); NumTo(w, "to", z.To);
        w.WriteStartArray("pts");
        foreach (double p in z.Points) w.WriteNumberValue(p);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteCitywide(Utf8JsonWriter w, CitywideView f)
    {
        w.WriteStartObject(); NumTo(w, "factor", f.Factor); NumTo(w, "from", f.From); NumTo(w, "to", f.To); w.WriteEndObject();
    }

    /// <summary>An exception line: <c>[seq, at, kind, order, courier, count, text]</c>.</summary>
    private static void WriteLine(Utf8JsonWriter w, in ExceptionView x)
    {
        w.WriteStartArray();
        w.WriteNumberValue(x.Seq); Minutes(w, x.At); w.WriteStringValue(x.Kind); w.WriteNumberValue(x.OrderId); w.WriteNumberValue(x.CourierId);
        w.WriteNumberValue(x.Count); w.WriteStringValue(x.Text);
        w.WriteEndArray();
    }

    private static void WriteOrderTo(Utf8JsonWriter w, OrderView o)
    {
        w.WriteNumber("id", o.Id); w.WriteNumber("site", o.Site); NumTo(w, "x", o.X); NumTo(w, "y", o.Y);
        NumTo(w, "placed", o.Placed); NumTo(w, "ready", o.Ready); NumTo(w, "promise", o.Promise);
        w.WriteString("status", o.Status); w.WriteNumber("courier", o.Courier); NumTo(w, "plannedDrop", o.PlannedDrop);
    }

    private static void WriteCourierTo(Utf8JsonWriter w, CourierView c)
    {
        w.WriteNumber("id", c.Id); NumTo(w, "x", c.X); NumTo(w, "y", c.Y); w.WriteBoolean("onShift", c.OnShift);
        NumTo(w, "shiftStart", c.ShiftStart); NumTo(w, "shiftEnd", c.ShiftEnd); NumTo(w, "seenAt", c.SeenAt); w.WriteNumber("delivered", c.Delivered);
        w.WriteStartArray("stops");
        foreach (var s in c.Stops)
        {
            w.WriteStartArray(); w.WriteNumberValue(s.Kind); w.WriteNumberValue(s.OrderId); w.WriteNumberValue(s.X); w.WriteNumberValue(s.Y);
            if (double.IsFinite(s.Arrival)) w.WriteNumberValue(s.Arrival); else w.WriteNullValue();
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}
