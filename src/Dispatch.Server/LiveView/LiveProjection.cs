using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dispatch.Model;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.LiveView;

/// <summary>
/// The live view's one reader of the engine's <see cref="LiveRing"/>, on its own task: every
/// <see cref="ServerOptions.HttpFeedIntervalMs"/> it takes what the engine thread wrote since the last pass, keeps the
/// picture a new browser starts from (couriers, open orders, zones, exceptions, timelines, the KPI hour), and formats
/// the pass's events once into one SSE message for the <see cref="LiveBroadcast"/>. Positions within a pass are sampled
/// to each courier's latest, so the browsers' load does not grow with the position rate. All of this is off the engine
/// thread; the engine only ever wrote structs into the ring.
/// </summary>
internal sealed class LiveProjection
{
    /// <summary>An order whose expected drop-off is within this many minutes of its promise is "near" it.</summary>
    public const double RiskMinutes = 5;

    private const int MaxExceptions = 200, MaxTimeline = 60;
    private const double BehindQuietMinutes = 10;

    private readonly LiveRing _ring;
    private readonly LiveViewStats _stats;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly Dictionary<long, CourierView> _couriers = new();
    private readonly Dictionary<long, OrderView> _orders = new();
    private readonly Dictionary<long, (double X, double Y)> _sites = new();
    private readonly List<ZoneView> _zones = new();
    private readonly List<CitywideView> _citywide = new();
    private readonly List<ExceptionView> _exceptions = new(); // oldest first; the page shows it reversed
    private readonly Dictionary<long, List<TimelineEntry>> _orderTimeline = new(), _courierTimeline = new();
    private readonly Queue<double> _placedHour = new();
    private readonly Queue<DeliveryView> _deliveredHour = new();
    private readonly HashSet<long> _movedCouriers = new();
    private readonly LivePositions _positions;
    private readonly Dictionary<long, double> _behindAt = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private EngineCounts _counts;
    private long _cursor, _exceptionSeq;
    private double _now = double.NaN;
    private string _lastKpi = "";
    private int _eventsThisPass;
    private bool _started;
    // The assignment whose stops are being read (stops follow their assignment in the ring).
    private CourierView? _assigning;
    private int _stopsLeft;

    public LiveProjection(LiveRing ring, LivePositions positions, LiveViewStats stats, int backlog, ILogger log)
    {
        _ring = ring;
        _positions = positions;
        _stats = stats;
        _log = log;
        Broadcast = new LiveBroadcast(backlog);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    public LiveBroadcast Broadcast { get; }

    /// <summary>Engine time as the view last heard it.</summary>
    public double Now { get { lock (_gate) return _now; } }

    /// <summary>How often the ring is drained between publications: often enough that a burst of positions (hundreds of
    /// thousands a second under the load bench) does not lap the ring before the reader comes back.</summary>
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
                    lock (_gate) StartMessage();
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Drains the ring into the picture (and the message being built); with <paramref name="publish"/>, ends the
    /// message (positions sampled to each courier's latest, promise checks, KPI when changed) and hands it to the browsers.</summary>
    public void Pass(bool publish = true)
    {
        lock (_gate)
        {
            if (!_started) StartMessage();
            long head = _ring.Head;
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
                if (_ring.TryRead(_cursor, out var e)) Apply(e);
                else _stats.Lost(1);
                _cursor++;
            }
            TakePositions();
            if (!publish) return;
            if (_movedCouriers.Count > 0)
            {
                // One event for all the interval's positions, flat [id, x, y, at, ...]: a thousand couriers moving
                // is a thousand of these per message, so their size is most of the feed under load.
                Begin("pos");
                _json.WriteStartArray("v");
                foreach (long id in _movedCouriers)
                {
                    if (!_couriers.TryGetValue(id, out var c)) continue;
                    _json.WriteNumberValue(id); _json.WriteNumberValue(Math.Round(c.X, 1)); _json.WriteNumberValue(Math.Round(c.Y, 1)); _json.WriteNumberValue(Math.Round(c.SeenAt, 2));
                }
                _json.WriteEndArray();
                _json.WriteEndObject();
                _movedCouriers.Clear();
            }
            CheckPromises();
            string kpi = KpiJson();
            if (kpi != _lastKpi)
            {
                _lastKpi = kpi;
                _json.WriteStartObject();
                _json.WriteString("k", "kpi");
                _json.WritePropertyName("v");
                _json.WriteRawValue(kpi, skipInputValidation: true);
                _json.WriteEndObject();
                _eventsThisPass++;
            }
            if (_eventsThisPass == 0) return; // nothing happened: keep the (empty) message open
            Begin("now"); Num("t", _now); _json.WriteEndObject();
            _json.WriteEndArray();
            _json.Flush();
            var span = _buffer.WrittenSpan;
            var chunk = new byte[span.Length + 8];
            "data: "u8.CopyTo(chunk);
            span.CopyTo(chunk.AsSpan(6));
            chunk[^2] = (byte)'\n';
            chunk[^1] = (byte)'\n';
            Broadcast.Publish(chunk);
            _stats.Published();
            StartMessage();
        }
    }

    /// <summary>Opens the next feed message (a JSON array of events).</summary>
    private void StartMessage()
    {
        _buffer.Clear();
        _json.Reset(_buffer);
        _json.WriteStartArray();
        _eventsThisPass = 0;
        _started = true;
    }

    private void Apply(in LiveEvent e)
    {
        if (double.IsFinite(e.At) && (double.IsNaN(_now) || e.At > _now)) _now = e.At;
        if (_stopsLeft > 0 && e.Kind != LiveEventKind.Stop) { _stopsLeft = 0; _assigning = null; }
        switch (e.Kind)
        {
            case LiveEventKind.SiteAdded:
                _sites[e.Id] = (e.X, e.Y);
                Begin("site"); _json.WriteNumber("id", e.Id); Num("x", e.X); Num("y", e.Y); _json.WriteEndObject();
                break;
            case LiveEventKind.OrderPlaced:
            {
                var o = new OrderView { Id = e.Id, Site = e.Other, X = e.X, Y = e.Y, Placed = e.T1, Ready = e.T2, Promise = e.Value, FirstPromise = e.Value };
                _orders[e.Id] = o;
                _placedHour.Enqueue(e.T1);
                OrderLine(e.Id, e.At, $"placed at site {e.Other}, ready {Time(e.T2)}, promised {Time(e.Value)}");
                Begin("placed"); WriteOrder(o); _json.WriteEndObject();
                break;
            }
            case LiveEventKind.ReadyTimeChanged:
                if (_orders.TryGetValue(e.Id, out var rc)) rc.Ready = e.T1;
                OrderLine(e.Id, e.At, $"ready time changed to {Time(e.T1)}");
                Begin("ready"); _json.WriteNumber("id", e.Id); Num("ready", e.T1); _json.WriteEndObject();
                break;
            case LiveEventKind.OrderCancelled:
                RemoveOrder(e.Id);
                OrderLine(e.Id, e.At, "cancelled");
                Begin("cancelled"); _json.WriteNumber("id", e.Id); _json.WriteEndObject();
                break;
            case LiveEventKind.CourierOnShift:
            {
                if (!_couriers.TryGetValue(e.Id, out var c)) _couriers[e.Id] = c = new CourierView { Id = e.Id };
                c.X = e.X; c.Y = e.Y; c.ShiftStart = e.T1; c.ShiftEnd = e.T2; c.OnShift = true; c.SeenAt = e.T1;
                CourierLine(e.Id, e.At, $"on shift {Time(e.T1)}-{Time(e.T2)} at ({e.X:0}, {e.Y:0})");
                Begin("courier"); WriteCourier(c); _json.WriteEndObject();
                break;
            }
            case LiveEventKind.CourierOffShift:
                if (_couriers.Remove(e.Id, out var off))
                {
                    foreach (var s in off.Stops) if (_orders.TryGetValue(s.OrderId, out var so) && so.Courier == e.Id && so.Status == "assigned") { so.Courier = -1; so.Status = "open"; }
                }
                CourierLine(e.Id, e.At, "off shift");
                Begin("offShift"); _json.WriteNumber("id", e.Id); _json.WriteEndObject();
                break;
            case LiveEventKind.PickedUp:
                if (_orders.TryGetValue(e.Id, out var po))
                {
                    po.Status = "picked-up";
                    if (_couriers.TryGetValue(po.Courier, out var pcc)) StopDone(pcc, e.Id, 1, e.T1);
                }
                OrderLine(e.Id, e.At, $"picked up at {Time(e.T1)}" + (e.Other >= 0 ? $" by courier {e.Other}" : ""));
                Begin("pickedUp"); _json.WriteNumber("id", e.Id); Num("at", e.T1); _json.WriteEndObject();
                break;
            case LiveEventKind.Delivered:
                Delivered(e);
                break;
            case LiveEventKind.DeliveryFailed:
                OrderLine(e.Id, e.At, $"delivery failed (reason {e.Count})" + (e.Flag ? ", returned" : ", re-made"));
                Exception(e.At, "failed", e.Id, _orders.TryGetValue(e.Id, out var fo) ? fo.Courier : -1, $"order {e.Id}: delivery failed" + (e.Flag ? ", returned" : ", re-made"));
                if (e.Flag) RemoveOrder(e.Id);
                else if (fo is not null) { fo.Status = "open"; fo.Courier = -1; fo.PlannedDrop = double.NaN; }
                Begin("failed"); _json.WriteNumber("id", e.Id); _json.WriteBoolean("returned", e.Flag); _json.WriteEndObject();
                break;
            case LiveEventKind.WrongOrderDelivered:
                OrderLine(e.Id, e.At, "delivered to the wrong customer; re-made");
                Exception(e.At, "failed", e.Id, -1, $"order {e.Id}: wrong customer, re-made");
                break;
            case LiveEventKind.OrderChanged:
                OrderLine(e.Id, e.At, "changed by the kitchen" + (double.IsFinite(e.T1) ? $", ready {Time(e.T1)}" : "") + (e.Count > 0 ? $", size {e.Count}" : ""));
                if (double.IsFinite(e.T1) && _orders.TryGetValue(e.Id, out var oc)) oc.Ready = e.T1;
                break;
            case LiveEventKind.Assignment:
            {
                if (!_couriers.TryGetValue(e.Id, out var c)) _couriers[e.Id] = c = new CourierView { Id = e.Id, OnShift = true };
                c.Stops.Clear();
                _assigning = c;
                _stopsLeft = e.Count;
                CourierLine(e.Id, e.At, (e.Flag ? "plan updated: " : "assigned: ") + $"{e.Count} stops");
                if (e.Count == 0) { Begin("route"); WriteCourier(c); _json.WriteEndObject(); _assigning = null; }
                break;
            }
            case LiveEventKind.Stop:
                if (_assigning is { } ac && _stopsLeft > 0)
                {
                    ac.Stops.Add(new StopView(e.Count, e.Id, e.X, e.Y, e.T1));
                    if (e.Count == (int)StopKind.Dropoff && _orders.TryGetValue(e.Id, out var so))
                    {
                        if (so.Courier != ac.Id) OrderLine(e.Id, e.At, $"planned with courier {ac.Id}, drop-off {Time(e.T1)}");
                        so.Courier = ac.Id;
                        so.PlannedDrop = e.T1;
                        if (so.Status == "open") so.Status = "assigned";
                    }
                    if (--_stopsLeft == 0) { Begin("route"); WriteCourier(ac); _json.WriteEndObject(); _assigning = null; }
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
                Begin("zone"); WriteZone(z); _json.WriteEndObject();
                break;
            }
            case LiveEventKind.CitywideFactor:
                _citywide.Add(new CitywideView(e.Value, e.T1, e.T2));
                Begin("citywide"); Num("factor", e.Value); Num("from", e.T1); Num("to", e.T2); _json.WriteEndObject();
                break;
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
            OrderLine(e.Id, e.At, $"delivered at {Time(e.T1)}" + (hasPromise ? (onTime ? " (on time)" : $" ({e.T1 - o.FirstPromise:0.#} min after the first promise)") : ""));
            _orders.Remove(e.Id);
        }
        else OrderLine(e.Id, e.At, $"delivered at {Time(e.T1)}");
        Begin("delivered"); _json.WriteNumber("id", e.Id); Num("at", e.T1); _json.WriteEndObject();
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
                    if (_couriers.TryGetValue(o.Courier, out var c)) { RemoveStop(c, e.Id, 1); RemoveStop(c, e.Id, 2); }
                    o.Courier = -1; o.Status = "open"; o.PlannedDrop = double.NaN;
                }
                Exception(e.At, "released", e.Id, e.Other, $"order {e.Id} released from courier {e.Other} ({reason})");
                break;
            case PlanChangeKind.Reassigned:
                Exception(e.At, "reassigned", e.Id, e.Other, $"order {e.Id} reassigned to courier {e.Other} ({reason})");
                break;
            case PlanChangeKind.EtaChanged:
                if (o is not null && double.IsFinite(e.T2)) o.PlannedDrop = e.T2;
                break;
            case PlanChangeKind.Requoted:
                // A re-quote is the engine keeping its word honest, not an exception of its own: the timeline has it, and
                // the order shows up as "near" or "past" its promise when that is what it is.
                if (o is not null && double.IsFinite(e.T2)) o.Promise = e.T2;
                break;
        }
        // One "behind" line per courier per BehindQuietMinutes: a courier behind moves every order on its route at once.
        if (reason == PlanChangeReason.CourierBehind && e.Other >= 0 && kind != PlanChangeKind.Released
            && !(_behindAt.TryGetValue(e.Other, out double last) && e.At - last < BehindQuietMinutes))
        {
            _behindAt[e.Other] = e.At;
            Exception(e.At, "behind", e.Id, e.Other, $"courier {e.Other} behind plan (order {e.Id}, {kind})");
        }
        string line = $"{kind} ({reason})" + (double.IsFinite(e.T2) ? $": {Time(e.T1)} -> {Time(e.T2)}" : "");
        OrderLine(e.Id, e.At, line);
        if (e.Other >= 0) CourierLine(e.Other, e.At, $"order {e.Id} {line}");
        // ETA changes and resequencing touch every order of a re-timed route, many per tick under load: the page needs
        // only the new drop-off time (short form), and nothing of a resequencing. The timelines keep them in full.
        if (kind == PlanChangeKind.Resequenced) return;
        if (kind == PlanChangeKind.EtaChanged)
        {
            if (!double.IsFinite(e.T2)) return;
            Begin("eta"); _json.WriteNumber("o", e.Id); _json.WriteNumber("t", Math.Round(e.T2, 2)); _json.WriteEndObject();
            return;
        }
        Begin("plan"); _json.WriteString("kind", kind.ToString()); _json.WriteString("reason", reason.ToString());
        _json.WriteNumber("order", e.Id); _json.WriteNumber("courier", e.Other); Num("prev", e.T1); Num("new", e.T2); _json.WriteEndObject();
    }

    /// <summary>Raises "at risk" / "late" once per order and level (the exception list), and counts the KPI.</summary>
    /// <summary>The couriers that reported since the last pass, at their latest position (after the ring, so a courier
    /// put on shift in this pass is known; one not known yet keeps its report for the next pass).</summary>
    private void TakePositions()
    {
        int n = _positions.Count;
        for (int i = 0; i < n; i++)
        {
            if (!_positions.Pending(i, out long id) || !_couriers.TryGetValue(id, out var c)) continue;
            _positions.Take(i, out double x, out double y, out double at);
            c.X = x; c.Y = y; c.SeenAt = at;
            _movedCouriers.Add(id);
        }
    }

    private void CheckPromises()
    {
        if (double.IsNaN(_now)) return;
        foreach (var o in _orders.Values)
        {
            int risk = RiskOf(o, _now);
            if (risk <= o.Risk) continue;
            o.Risk = risk;
            Exception(_now, risk == 2 ? "late" : "at-risk", o.Id, o.Courier,
                risk == 2 ? $"order {o.Id} past its promise {Time(o.Promise)}" : $"order {o.Id} near its promise {Time(o.Promise)} (expected {Time(Expected(o, _now))})");
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

    private string KpiJson()
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
        var sb = new StringBuilder(256);
        sb.Append('{');
        Kpi(sb, "open-orders", k.Open + k.Assigned + k.PickedUp);
        Kpi(sb, "unassigned", k.Open);
        Kpi(sb, "delivered", k.Delivered);
        Kpi(sb, "cancelled", k.Cancelled);
        Kpi(sb, "orders-last-hour", _placedHour.Count);
        Kpi(sb, "on-time-share-hour", promised == 0 ? double.NaN : Math.Round((double)onTime / promised, 4));
        Kpi(sb, "click-to-door-hour", _deliveredHour.Count == 0 ? double.NaN : Math.Round(c2d / _deliveredHour.Count, 2));
        Kpi(sb, "couriers-busy", busy);
        Kpi(sb, "couriers-idle", onShift - busy);
        Kpi(sb, "couriers-on-shift", onShift);
        Kpi(sb, "promises-at-risk", atRisk);
        Kpi(sb, "viewers-dropped", _stats.ViewersDropped);
        Kpi(sb, "events-lost", _stats.EventsLost);
        sb.Length--; // the last comma
        sb.Append('}');
        return sb.ToString();
    }

    private static void Kpi(StringBuilder sb, string name, double v)
    {
        sb.Append('"').Append(name).Append("\":");
        if (double.IsFinite(v)) sb.Append(v.ToString("R", CultureInfo.InvariantCulture)); else sb.Append("null");
        sb.Append(',');
    }

    // ------------------------------------------------------------------ the whole picture (a new browser, /api/state)

    /// <summary>The whole picture as JSON, and the feed message a browser continues from: both under the one lock the
    /// passes take, so nothing falls between them.</summary>
    public (byte[] Json, long FeedFrom) State()
    {
        lock (_gate)
        {
            var buffer = new ArrayBufferWriter<byte>(16 * 1024);
            using var w = new Utf8JsonWriter(buffer);
            WriteState(w);
            w.Flush();
            return (buffer.WrittenSpan.ToArray(), Broadcast.Next);
        }
    }

    private void WriteState(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        NumTo(w, "now", _now);
        w.WritePropertyName("kpi"); w.WriteRawValue(_lastKpi.Length > 0 ? _lastKpi : KpiJson(), skipInputValidation: true);
        w.WriteStartArray("sites");
        foreach (var (id, (x, y)) in _sites) { w.WriteStartArray(); w.WriteNumberValue(id); w.WriteNumberValue(x); w.WriteNumberValue(y); w.WriteEndArray(); }
        w.WriteEndArray();
        w.WriteStartArray("couriers");
        foreach (var c in _couriers.Values) { w.WriteStartObject(); WriteCourierTo(w, c); w.WriteEndObject(); }
        w.WriteEndArray();
        w.WriteStartArray("orders");
        foreach (var o in _orders.Values) { w.WriteStartObject(); WriteOrderTo(w, o); w.WriteEndObject(); }
        w.WriteEndArray();
        w.WriteStartArray("zones");
        foreach (var z in _zones) { w.WriteStartObject(); WriteZoneTo(w, z); w.WriteEndObject(); }
        w.WriteEndArray();
        w.WriteStartArray("citywide");
        foreach (var f in _citywide) { w.WriteStartObject(); NumTo(w, "factor", f.Factor); NumTo(w, "from", f.From); NumTo(w, "to", f.To); w.WriteEndObject(); }
        w.WriteEndArray();
        w.WriteStartArray("exceptions");
        for (int i = _exceptions.Count - 1; i >= 0; i--) { w.WriteStartObject(); WriteExceptionTo(w, _exceptions[i]); w.WriteEndObject(); }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>An order's or a courier's timeline (JSON), with its current state when the view still holds it.</summary>
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
                foreach (var l in lines) { w.WriteStartObject(); NumTo(w, "at", l.At); w.WriteString("text", l.Text); w.WriteEndObject(); }
            w.WriteEndArray();
            w.WriteEndObject();
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }
    }

    // ------------------------------------------------------------------ helpers

    private void RemoveOrder(long id)
    {
        if (!_orders.Remove(id, out var o)) return;
        if (_couriers.TryGetValue(o.Courier, out var c)) { RemoveStop(c, id, 1); RemoveStop(c, id, 2); }
    }

    /// <summary>A confirmed stop: the courier was at it at <paramref name="at"/> (where the map starts its next leg from).</summary>
    private static void StopDone(CourierView c, long order, int kind, double at)
    {
        foreach (var s in c.Stops)
        {
            if (s.OrderId != order || s.Kind != kind) continue;
            if (at >= c.SeenAt) { c.X = s.X; c.Y = s.Y; c.SeenAt = at; }
            break;
        }
        RemoveStop(c, order, kind);
    }

    private static void RemoveStop(CourierView c, long order, int kind)
    {
        for (int i = 0; i < c.Stops.Count; i++)
            if (c.Stops[i].OrderId == order && c.Stops[i].Kind == kind) { c.Stops.RemoveAt(i); return; }
    }

    private void Exception(double at, string kind, long order, long courier, string text)
    {
        var x = new ExceptionView(++_exceptionSeq, at, kind, order, courier, text);
        if (_exceptions.Count == MaxExceptions) _exceptions.RemoveAt(0);
        _exceptions.Add(x);
        if (order >= 0) OrderLine(order, at, "exception: " + text);
        if (courier >= 0 && kind is "behind" or "late") CourierLine(courier, at, "exception: " + text);
        Begin("exception"); WriteExceptionTo(_json, x); _json.WriteEndObject();
    }

    private void OrderLine(long id, double at, string text) => Line(_orderTimeline, id, at, text);

    private void CourierLine(long id, double at, string text) => Line(_courierTimeline, id, at, text);

    private static void Line(Dictionary<long, List<TimelineEntry>> all, long id, double at, string text)
    {
        if (!all.TryGetValue(id, out var lines)) all[id] = lines = new List<TimelineEntry>();
        if (lines.Count == MaxTimeline) lines.RemoveAt(1); // keep the first line (how it started) and the newest
        lines.Add(new TimelineEntry(at, text));
    }

    /// <summary>Engine minutes as the page shows them: h:mm from the engine's zero.</summary>
    internal static string Time(double minutes)
    {
        if (!double.IsFinite(minutes)) return minutes > 0 ? "never" : "-";
        int m = (int)Math.Floor(minutes);
        return $"{m / 60}:{m % 60:00}";
    }

    private void Begin(string kind)
    {
        _json.WriteStartObject();
        _json.WriteString("k", kind);
        _eventsThisPass++;
    }

    private void Num(string name, double v) => NumTo(_json, name, v);

    /// <summary>JSON has no NaN or infinity: null instead (the page treats it as "none").</summary>
    private static void NumTo(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    private void WriteOrder(OrderView o) => WriteOrderTo(_json, o);
    private void WriteCourier(CourierView c) => WriteCourierTo(_json, c);
    private void WriteZone(ZoneView z) => WriteZoneTo(_json, z);

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

    private static void WriteZoneTo(Utf8JsonWriter w, ZoneView z)
    {
        w.WriteNumber("id", z.Id); w.WriteString("kind", z.Kind); NumTo(w, "factor", z.Factor); NumTo(w, "from", z.From); NumTo(w, "to", z.To);
        w.WriteStartArray("pts");
        foreach (double p in z.Points) w.WriteNumberValue(p);
        w.WriteEndArray();
    }

    private static void WriteExceptionTo(Utf8JsonWriter w, in ExceptionView x)
    {
        w.WriteNumber("seq", x.Seq); NumTo(w, "at", x.At); w.WriteString("kind", x.Kind);
        w.WriteNumber("order", x.OrderId); w.WriteNumber("courier", x.CourierId); w.WriteString("text", x.Text);
    }
}
