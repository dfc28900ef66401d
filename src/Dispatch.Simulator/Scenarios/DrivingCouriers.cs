using Dispatch.Hosting;
using Dispatch.Protocol;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// The scenario world's couriers: they drive the engine's current plan (read back after every decision)
/// at the world's traffic speed, a leg's time fixed when it starts; they wait at a restaurant for food
/// that is really late, confirm pickups and drop-offs at their actual times, and turn where they are
/// when the plan changes under way. An arrival, end of service or departure is an event of the world's
/// queue, stamped with the courier's version so that a turn makes the old leg's events stale. They read
/// their plan from the engine and tell it their positions, pickups and drop-offs through the command router.
/// </summary>
internal sealed class DrivingCouriers
{
    private enum Mode { Idle, Moving, Servicing }

    private sealed class Courier
    {
        public Mode Mode;
        public double X, Y, FromX, FromY, ToX, ToY, LegStart, LegEnd, Driving;
        public long TargetOrder = -1;
        public StopKind TargetKind;
        public int Version;
        public bool Offline;
    }

    private readonly Courier[] _couriers;
    private readonly EngineDriver<EuclideanCeilMinutes> _router;
    private readonly DispatchEngine<EngineTravel> _engine;
    private readonly WorldTravel _travel;
    private readonly MdrpInstance _inst;
    private readonly List<WorldOrder> _orders;
    private readonly double _halfPickup, _halfDropoff;
    private readonly PlannedStop[] _route = new PlannedStop[64];
    private readonly string[] _lastPlace;

    /// <param name="router">The command router in front of the engine whose plan the couriers follow.</param>
    /// <param name="travel">The world's travel times (which the engine may not know).</param>
    /// <param name="inst">The trace: courier start positions, restaurant and courier ids.</param>
    /// <param name="orders">The world's orders.</param>
    public DrivingCouriers(EngineDriver<EuclideanCeilMinutes> router, WorldTravel travel, MdrpInstance inst, List<WorldOrder> orders)
    {
        _router = router;
        _engine = router.Engine;
        _travel = travel;
        _inst = inst;
        _orders = orders;
        _couriers = inst.Couriers.Select(c => new Courier { X = c.X, Y = c.Y }).ToArray();
        _lastPlace = new string[_couriers.Length];
        Array.Fill(_lastPlace, MdrpSolution.StartLocation);
        _halfPickup = inst.Parameters.PickupServiceMinutes / 2;
        _halfDropoff = inst.Parameters.DropoffServiceMinutes / 2;
        DeliveredBy = new int[orders.Count];
    }

    /// <summary>Minutes after a wrong delivery that its customer reports it.</summary>
    public const double WrongDeliveryReportMinutes = 5;

    public int Count => _couriers.Length;

    /// <summary>Every leg started, in the MDRP solution format.</summary>
    public List<MdrpCourierMove> Moves { get; } = new();

    /// <summary>The courier that dropped off each world order.</summary>
    public int[] DeliveredBy { get; }

    /// <summary>Minutes driven (legs cut short by a new plan count what was driven).</summary>
    public double DrivingMinutes => _couriers.Sum(c => c.Driving);

    public bool IsOffline(int ci) => _couriers[ci].Offline;

    public void SetOffline(int ci) => _couriers[ci].Offline = true;

    /// <summary>Where courier <paramref name="ci"/> stands or last stood (not where it is on a leg).</summary>
    public (double X, double Y) Place(int ci) => (_couriers[ci].X, _couriers[ci].Y);

    /// <summary>Tells the engine where every moving courier is.</summary>
    public void ReportPositions(double now)
    {
        for (int ci = 0; ci < _couriers.Length; ci++)
        {
            if (_couriers[ci].Mode != Mode.Moving) continue;
            Position(ci, now, out double x, out double y);
            _router.Apply(Command.UpdateCourierPosition(0, ci, x, y), now);
        }
    }

    /// <summary>Every courier takes up the engine's current plan.</summary>
    public void SyncAll(WorldDriver<EngineTravel> driver)
    {
        for (int ci = 0; ci < _couriers.Length; ci++) Sync(driver, ci);
    }

    /// <summary>The courier follows the engine's current plan: an idle one sets off, a redirected one turns.</summary>
    public void Sync(WorldDriver<EngineTravel> driver, int ci)
    {
        var w = _couriers[ci];
        if (w.Mode == Mode.Servicing) return;
        // A courier off shift with nothing planned is forgotten after the engine's retention window: no plan to follow.
        int n = _engine.TryGetCourier(ci, out _) ? _engine.CopyRoute(ci, _route) : 0;
        if (w.Mode == Mode.Idle)
        {
            if (n > 0) Depart(driver, ci, _route[0]);
            return;
        }
        if (n > 0 && _route[0].OrderId == w.TargetOrder && _route[0].Kind == w.TargetKind) return;
        double now = driver.Now;
        Position(ci, now, out double x, out double y);
        w.Driving += Math.Min(now, w.LegEnd) - w.LegStart;
        w.X = x; w.Y = y;
        w.Version++;
        w.Mode = Mode.Idle;
        if (n > 0) Depart(driver, ci, _route[0]);
    }

    /// <summary>The courier's events: <see cref="WorldEventKind.Arrive"/>, <see cref="WorldEventKind.ServiceDone"/>, <see cref="WorldEventKind.Leave"/>.</summary>
    public void Handle(WorldDriver<EngineTravel> driver, in WorldEvent e)
    {
        int ci = (int)e.Id;
        if (e.Version != _couriers[ci].Version) return; // a turn made this leg's event stale
        switch (e.Kind)
        {
            case WorldEventKind.Arrive: Arrive(driver, ci); break;
            case WorldEventKind.ServiceDone: ServiceDone(driver, ci); break;
            case WorldEventKind.Leave:
                _couriers[ci].Mode = Mode.Idle;
                Sync(driver, ci);
                break;
            default: throw new InvalidOperationException($"{e.Kind} is not a courier's event");
        }
    }

    private void Depart(WorldDriver<EngineTravel> driver, int ci, in PlannedStop s)
    {
        var w = _couriers[ci];
        double now = driver.Now;
        w.FromX = w.X; w.FromY = w.Y;
        w.ToX = s.X; w.ToY = s.Y;
        w.Mode = Mode.Moving;
        w.LegStart = now;
        w.LegEnd = now + _travel.Minutes(w.X, w.Y, s.X, s.Y);
        w.TargetOrder = s.OrderId; w.TargetKind = s.Kind;
        w.Version++;
        string dest = s.Kind == StopKind.Pickup ? _inst.Restaurants[(int)s.SiteId].Id : _orders[(int)s.OrderId].Id;
        Moves.Add(new MdrpCourierMove(_inst.Couriers[ci].Id, now, _lastPlace[ci], dest));
        _lastPlace[ci] = dest;
        driver.Schedule(w.LegEnd, WorldEventKind.Arrive, ci, w.Version);
    }

    /// <summary>Where the courier is now: on a leg, that far along the straight line to the stop it set off for. The stop is
    /// the one it departed to, not looked up in the engine's current plan: when the plan has just dropped that stop (a
    /// cancellation, a release) the courier is still where it drove to, not back at the leg's start.</summary>
    private void Position(int ci, double now, out double x, out double y)
    {
        var w = _couriers[ci];
        if (w.Mode != Mode.Moving) { x = w.X; y = w.Y; return; }
        double f = w.LegEnd <= w.LegStart ? 1 : Math.Clamp((now - w.LegStart) / (w.LegEnd - w.LegStart), 0, 1);
        x = w.FromX + (w.ToX - w.FromX) * f; y = w.FromY + (w.ToY - w.FromY) * f;
    }

    private void Arrive(WorldDriver<EngineTravel> driver, int ci)
    {
        var w = _couriers[ci];
        double now = driver.Now;
        w.Driving += w.LegEnd - w.LegStart;
        int n = _engine.CopyRoute(ci, _route);
        if (n == 0 || _route[0].OrderId != w.TargetOrder || _route[0].Kind != w.TargetKind)
        {
            // The plan changed under way; stand here and take the new head.
            Position(ci, now, out double x, out double y);
            w.X = x; w.Y = y; w.Mode = Mode.Idle; w.Version++;
            Sync(driver, ci);
            return;
        }
        w.X = _route[0].X; w.Y = _route[0].Y;
        w.Mode = Mode.Servicing;
        double service;
        if (_route[0].Kind == StopKind.Pickup)
        {
            double ready = 0;
            for (int i = 0; i < n && _route[i].Kind == StopKind.Pickup && _route[i].X == _route[0].X && _route[i].Y == _route[0].Y; i++)
                ready = Math.Max(ready, _orders[(int)_route[i].OrderId].ActualReady);
            service = Math.Max(now + _halfPickup, ready);
        }
        else service = now + _halfDropoff;
        driver.Schedule(service, WorldEventKind.ServiceDone, ci, w.Version);
    }

    private void ServiceDone(WorldDriver<EngineTravel> driver, int ci)
    {
        var w = _couriers[ci];
        double now = driver.Now;
        int n = _engine.CopyRoute(ci, _route);
        double leave = now;
        if (n > 0 && _route[0].Kind == StopKind.Pickup && _route[0].X == w.X && _route[0].Y == w.Y)
        {
            // The plan may have added an order to this pickup while the courier was here (general
            // profile): when it says to wait for that order, the courier waits.
            double wait = 0;
            for (int i = 0; i < n && _route[i].Kind == StopKind.Pickup && _route[i].X == w.X && _route[i].Y == w.Y; i++)
                wait = Math.Max(wait, _orders[(int)_route[i].OrderId].ActualReady);
            if (wait > now && _route[0].ServiceAt >= wait - 1e-9)
            {
                driver.Schedule(wait, WorldEventKind.ServiceDone, ci, w.Version);
                return;
            }
            for (int i = 0; i < n && _route[i].Kind == StopKind.Pickup && _route[i].X == w.X && _route[i].Y == w.Y; i++)
            {
                int oi = (int)_route[i].OrderId;
                if (_orders[oi].ActualReady > now) continue; // not ready yet: it stays for a later visit
                _router.Apply(Command.ConfirmPickup(0, oi, now), now);
                _orders[oi].Pickup = now;
            }
            leave = now + _halfPickup;
        }
        else if (n > 0 && _route[0].Kind == StopKind.Dropoff && _route[0].X == w.X && _route[0].Y == w.Y)
        {
            int oi = (int)_route[0].OrderId;
            var o = _orders[oi];
            leave = now + _halfDropoff;
            // A scenario's failed delivery: the first trip of a drawn order whose drop-off falls in the window.
            if (o.Remakes == 0 && now >= o.FailFrom && now < o.FailTo)
            {
                if (!o.FailWrong)
                {
                    // Nobody at the door: the courier reports it and moves on; the kitchen re-makes the order.
                    var reason = oi % 2 == 0 ? WireDeliveryFailureReason.CustomerNotFound : WireDeliveryFailureReason.WrongAddress;
                    o.Failures++;
                    double remade = o.Remake(now, _engine.Options.RemakeMinutes);
                    _router.Apply(Command.DeliveryFailed(0, oi, now, (int)reason, returned: false, remadeReadyAt: remade), now);
                    driver.Schedule(leave, WorldEventKind.Leave, ci, w.Version);
                    return;
                }
                // Handed to the wrong customer: delivered as far as the courier knows; the customer reports it later.
                driver.Schedule(now + WrongDeliveryReportMinutes, WorldEventKind.WrongDelivery, oi);
            }
            _router.Apply(Command.ConfirmDropoff(0, oi, now), now);
            o.Drop = now;
            DeliveredBy[oi] = ci;
        }
        driver.Schedule(leave, WorldEventKind.Leave, ci, w.Version);
    }
}
