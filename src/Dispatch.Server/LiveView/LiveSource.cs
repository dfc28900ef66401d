using Dispatch.Hosting;
using Dispatch.Model;
using Dispatch.Protocol;

namespace Dispatch.Server.LiveView;

/// <summary>
/// The engine thread's side of the live view: turns what the engine thread already has in hand (an applied command,
/// a decision the push fan-out encodes, the counts after a batch) into <see cref="LiveEvent"/>s in the
/// <see cref="LiveRing"/>. A struct copy per event, whatever the number of browsers: no formatting, no allocation,
/// no lock, no waiting. Exists only when the HTTP port is on, so a server without the view pays nothing.
/// </summary>
internal sealed class LiveSource
{
    private EngineCounts _lastCounts = new(-1, -1, -1, -1, -1, -1, -1);

    public LiveSource(int ringCapacity)
    {
        Ring = new LiveRing(ringCapacity);
        Etas = new LiveEtaLog(ringCapacity * 2);
    }

    public LiveRing Ring { get; }

    /// <summary>Couriers' latest positions, one slot each: reports do not go through the ring.</summary>
    public LivePositions Positions { get; } = new();

    /// <summary>ETA changes, apart from the ring (a tick hands over tens of thousands).</summary>
    public LiveEtaLog Etas { get; }

    /// <summary>An engine event the engine accepted (after it was applied and journaled), at engine time <paramref name="now"/>.</summary>
    public void Applied(in Command c, double now, IEngineDriver driver)
    {
        // Most commands under load are position reports: they go to their courier's slot before anything else is built.
        if (c.Type == MessageType.UpdateCourierPosition) { Positions.Report(c.Id, c.X, c.Y, now); return; }
        var e = new LiveEvent { At = now, Id = c.Id };
        switch (c.Type)
        {
            case MessageType.AddSite: e.Kind = LiveEventKind.SiteAdded; e.X = c.X; e.Y = c.Y; break;
            case MessageType.PlaceOrder:
                e.Kind = LiveEventKind.OrderPlaced; e.Other = c.Other; e.X = c.X; e.Y = c.Y; e.T1 = c.T1; e.T2 = c.T2;
                // The promise the engine recorded at placement: what the order's slack is measured against.
                e.Value = driver.TryGetPromise(c.Id, out double promise) ? promise : double.NaN;
                break;
            case MessageType.ChangeReadyTime: e.Kind = LiveEventKind.ReadyTimeChanged; e.T1 = c.T1; break;
            case MessageType.CancelOrder: e.Kind = LiveEventKind.OrderCancelled; break;
            case MessageType.CourierOnShift: e.Kind = LiveEventKind.CourierOnShift; e.X = c.X; e.Y = c.Y; e.T1 = c.T1; e.T2 = c.T2; e.Count = c.Count; break;
            case MessageType.CourierOffShift: e.Kind = LiveEventKind.CourierOffShift; break;
            case MessageType.ConfirmPickup: e.Kind = LiveEventKind.PickedUp; e.T1 = c.T1; e.Other = driver.CourierOfOrder(c.Id); break;
            case MessageType.ConfirmDropoff: e.Kind = LiveEventKind.Delivered; e.T1 = c.T1; break;
            case MessageType.DeliveryFailed:
                e.Kind = LiveEventKind.DeliveryFailed; e.T1 = c.T1; e.Count = c.Count; e.Flag = c.Flag;
                break;
            case MessageType.WrongOrderDelivered: e.Kind = LiveEventKind.WrongOrderDelivered; e.T1 = c.T1; break;
            case MessageType.OrderChanged: e.Kind = LiveEventKind.OrderChanged; e.T1 = c.T1; e.Count = c.Count; break;
            case MessageType.AddCongestionZone: e.Kind = LiveEventKind.CongestionZone; e.Value = c.X; e.T1 = c.T1; e.T2 = c.T2; e.Points = c.Points; break;
            case MessageType.AddClosure: e.Kind = LiveEventKind.Closure; e.Value = c.Count; e.T1 = c.T1; e.T2 = c.T2; e.Points = c.Points; break;
            case MessageType.SetCitywideFactor: e.Kind = LiveEventKind.CitywideFactor; e.Value = c.X; e.T1 = c.T1; e.T2 = c.T2; break;
            case MessageType.Tick: e.Kind = LiveEventKind.Tick; break;
            default: return;
        }
        Ring.Write(e);
    }

    /// <summary>
    /// The engine's picture when the server started (sites, couriers with their routes, orders still in work), as the
    /// events that would have drawn it; null until <see cref="Seed"/>. The projection applies it before anything of the
    /// ring, so a restarted server's view shows at once what the engine recovered.
    /// </summary>
    public IReadOnlyList<LiveEvent>? Seeded => Volatile.Read(ref _seeded);

    private IReadOnlyList<LiveEvent>? _seeded;

    /// <summary>
    /// Before the engine thread starts (after recovery): the recovered engine's picture as events (<see cref="Seeded"/>),
    /// in the order the projection needs them: sites, couriers, orders, each courier's route, then the pickups done.
    /// </summary>
    public void Seed(IEngineDriver driver, double now)
    {
        var events = new List<LiveEvent>();
        foreach (var site in driver.Sites())
            events.Add(new LiveEvent { Kind = LiveEventKind.SiteAdded, At = now, Id = site.SiteId, X = site.X, Y = site.Y });
        var couriers = driver.ActiveCouriers();
        foreach (var c in couriers)
            events.Add(new LiveEvent { Kind = LiveEventKind.CourierOnShift, At = now, Id = c.CourierId, X = c.X, Y = c.Y, T1 = c.ShiftStart, T2 = c.ShiftEnd, Count = c.Capacity });
        var orders = driver.OpenOrders();
        foreach (var o in orders)
        {
            events.Add(new LiveEvent
            {
                Kind = LiveEventKind.OrderPlaced, At = Math.Min(o.PlacedAt, now), Id = o.OrderId, Other = o.SiteId, X = o.DropX, Y = o.DropY, T1 = o.PlacedAt, T2 = o.ReadyAt,
                Value = driver.TryGetPromise(o.OrderId, out double promise) ? promise : double.NaN,
            });
        }
        var stops = new PlannedStop[64];
        foreach (var c in couriers)
        {
            if (c.PlannedStops == 0) continue;
            if (stops.Length < c.PlannedStops) stops = new PlannedStop[c.PlannedStops];
            int k = driver.CopyRoute(c.CourierId, stops);
            events.Add(new LiveEvent { Kind = LiveEventKind.Assignment, At = now, Id = c.CourierId, Count = k, Flag = true, T1 = now });
            for (int j = 0; j < k; j++)
            {
                ref readonly var s = ref stops[j];
                events.Add(new LiveEvent { Kind = LiveEventKind.Stop, At = now, Id = s.OrderId, Other = s.SiteId, Count = (int)s.Kind, X = s.X, Y = s.Y, T1 = s.Arrival, T2 = s.Leave });
            }
        }
        foreach (var o in orders)
            if (o.Status == OrderStatus.PickedUp) events.Add(new LiveEvent { Kind = LiveEventKind.PickedUp, At = now, Id = o.OrderId, T1 = o.PickedUpAt, Other = o.CourierId });
        Volatile.Write(ref _seeded, events);
    }

    /// <summary>A tick ran at <paramref name="now"/> (wall clock or manual): the view's clock moves even when nothing else happens.</summary>
    public void Ticked(double now) => Ring.Write(new LiveEvent { Kind = LiveEventKind.Tick, At = now });

    /// <summary>A courier's new plan and its stops (from the push fan-out: the same decision the protocol pushes).</summary>
    public void Assignment(in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops)
    {
        Ring.Write(new LiveEvent { Kind = LiveEventKind.Assignment, At = a.AssignedAt, Id = a.CourierId, Count = stops.Length, Flag = a.IsUpdate, T1 = a.AssignedAt });
        foreach (ref readonly var s in stops)
            Ring.Write(new LiveEvent { Kind = LiveEventKind.Stop, At = a.AssignedAt, Id = s.OrderId, Other = s.SiteId, Count = (int)s.Kind, X = s.X, Y = s.Y, T1 = s.Arrival, T2 = s.Leave });
    }

    /// <summary>A plan change with its reason (from the push fan-out). An ETA change goes to <see cref="Etas"/> instead:
    /// the engine re-times orders at every position report it plans from.</summary>
    public void PlanChange(in PlanChange c)
    {
        if (c.Kind == PlanChangeKind.EtaChanged) { Etas.Write(c, Ring.Head); return; }
        Ring.Write(new LiveEvent { Kind = LiveEventKind.PlanChange, At = c.At, Id = c.OrderId, Other = c.CourierId, Count = (int)c.Kind, Reason = (byte)c.Reason, T1 = c.PreviousTime, T2 = c.NewTime });
    }

    /// <summary>After a batch: the engine's counts, written only when they changed (the KPI tiles' order figures).</summary>
    public void Counts(in EngineCounts k, double now)
    {
        if (k == _lastCounts) return;
        _lastCounts = k;
        Ring.Write(new LiveEvent
        {
            Kind = LiveEventKind.Counts, At = now, Id = k.Known, Other = k.Open, Count = k.Assigned,
            X = k.PickedUp, Y = k.Delivered, T1 = k.Cancelled, T2 = k.Couriers, Value = k.Returned,
        });
    }
}
