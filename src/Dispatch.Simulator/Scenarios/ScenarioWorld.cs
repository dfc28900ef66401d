using System.Diagnostics;
using Dispatch.Hosting;
using Dispatch.Protocol;
using Dispatch.Simulator.World;
using Dispatch.Traffic;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// A trace run through a compiled scenario: orders placed (with a promised drop-off quoted at
/// placement), kitchen delays announced, cancellations and courier outages applied at their times,
/// couriers that drive the plan (<see cref="DrivingCouriers"/>). Each tick first updates the world's
/// traffic and the engine's picture (which re-times committed routes when it changed) and, when the engine
/// re-plans, tells it where the couriers are. The engine hears everything as commands through the router.
/// </summary>
internal sealed class ScenarioWorld : IWorld<EngineTravel>
{
    private readonly CompiledScenario _scenario;
    private readonly bool _replan;
    private readonly TrafficModel _worldTraffic;
    private DecisionLog _log;

    /// <param name="inst">The trace.</param>
    /// <param name="scenario">The compiled scenario.</param>
    /// <param name="replan">Whether the engine hears what it could miss (positions, kitchen delays).</param>
    /// <param name="router">The command router in front of the engine.</param>
    /// <param name="worldTraffic">The traffic the world's couriers really drive in.</param>
    /// <param name="couriers">The world's couriers.</param>
    public ScenarioWorld(MdrpInstance inst, CompiledScenario scenario, bool replan, EngineDriver<EuclideanCeilMinutes> router, TrafficModel worldTraffic, DrivingCouriers couriers)
    {
        _scenario = scenario;
        _replan = replan;
        _worldTraffic = worldTraffic;
        Router = router;
        Couriers = couriers;
        Promises = new PromiseLedger(scenario.Orders.Count);
        _log = new DecisionLog
        {
            Assignments = new List<MdrpAssignmentRecord>(),
            CourierIds = inst.Couriers.Select(c => c.Id).ToArray(),
            OrderIds = scenario.Orders.Select(o => o.Id).ToArray(),
            DeliverBy = scenario.Orders.Select(o => o.DeliverBy).ToArray(),
        };
    }

    /// <summary>The command router: every change to the engine goes through it.</summary>
    public EngineDriver<EuclideanCeilMinutes> Router { get; }

    /// <summary>The engine, for reads (order status, courier state, quotes).</summary>
    public DispatchEngine<EngineTravel> Engine => Router.Engine;

    public DrivingCouriers Couriers { get; }

    /// <summary>The promise of each order at placement, scored against its drop-off.</summary>
    public PromiseLedger Promises { get; }

    /// <summary>What the engine decided and changed.</summary>
    public DecisionLog Log => _log;

    /// <summary>Wall time of each engine tick, in milliseconds.</summary>
    public List<double> TickMilliseconds { get; } = new();

    /// <summary>Queues the scenario's timed events and every placement.</summary>
    public void ScheduleEvents(WorldDriver<EngineTravel> driver)
    {
        foreach (var (at, kind, order) in _scenario.Events) driver.Schedule(at, kind, order);
        for (int i = 0; i < _scenario.Outages.Count; i++) driver.Schedule(_scenario.Outages[i].At, WorldEventKind.CourierOffline, i);
        for (int i = 0; i < _scenario.Orders.Count; i++) driver.Schedule(_scenario.Orders[i].Placed, WorldEventKind.Place, i);
    }

    public void Handle(WorldDriver<EngineTravel> driver, in WorldEvent e)
    {
        double now = driver.Now;
        int i = (int)e.Id;
        switch (e.Kind)
        {
            case WorldEventKind.Place:
            {
                var o = _scenario.Orders[i];
                Router.Apply(Command.PlaceOrder(0, i, o.Site, o.X, o.Y, o.Placed, o.Ready, terms: new OrderTerms(DeliverBy: o.DeliverBy)), now);
                // The promise is the engine's, recorded as it placed the order: what the customer was shown.
                Promises.Placed(i, Engine, i, now);
                o.Promise = Promises.PromiseOf(i);
                break;
            }
            case WorldEventKind.KitchenDelay:
            {
                var o = _scenario.Orders[i];
                o.DelayAnnounced = true;
                var st = Engine.GetOrderStatus(i);
                if (_replan && st is OrderStatus.Open or OrderStatus.Assigned) Router.Apply(Command.ChangeReadyTime(0, i, o.ActualReady), now);
                break;
            }
            case WorldEventKind.Cancel:
            {
                var st = Engine.GetOrderStatus(i);
                if (st is OrderStatus.Open or OrderStatus.Assigned)
                {
                    Router.Apply(Command.CancelOrder(0, i), now);
                    _scenario.Orders[i].Cancelled = true;
                }
                break;
            }
            case WorldEventKind.OutOfStock:
            {
                // The kitchen really is later; a re-planning engine is told (as a kitchen delay is), a frozen one is not.
                var o = _scenario.Orders[i];
                var st = Engine.GetOrderStatus(i);
                if (st is not (OrderStatus.Open or OrderStatus.Assigned)) break;
                o.OutOfStock = true;
                o.ActualReady = Math.Max(o.ActualReady, o.Ready + o.StockDelay);
                if (_replan)
                {
                    o.Ready += o.StockDelay;
                    Router.Apply(Command.OrderChanged(0, i, newReadyAt: o.Ready), now);
                }
                if (o.StockCancels) driver.Schedule(now + 3, WorldEventKind.Cancel, i);
                break;
            }
            case WorldEventKind.WrongDelivery:
            {
                var o = _scenario.Orders[i];
                if (Engine.GetOrderStatus(i) != OrderStatus.Delivered) break;
                o.WrongDeliveries++;
                double remade = o.Remake(now, Engine.Options.RemakeMinutes);
                Router.Apply(Command.WrongOrderDelivered(0, i, now, remade), now);
                break;
            }
            case WorldEventKind.CourierOffline:
                foreach (int ci in PickCouriers(_scenario.Outages[i].Event))
                {
                    Couriers.SetOffline(ci);
                    Router.Apply(Command.CourierOffShift(0, ci), now);
                }
                Couriers.SyncAll(driver);
                break;
            default:
                Couriers.Handle(driver, e);
                break;
        }
    }

    public void Tick(WorldDriver<EngineTravel> driver)
    {
        double now = driver.Now;
        _worldTraffic.Update(now);
        // The engine's picture first (the tick would do it), so the positions below are judged under the
        // traffic they were driven in; the tick then finds the picture already current.
        Router.UpdateTraffic(now);
        if (_replan) Couriers.ReportPositions(now);
        long t0 = Stopwatch.GetTimestamp();
        Router.Route(Command.Tick(0, now), now, ref _log, null);
        TickMilliseconds.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        Couriers.SyncAll(driver);
    }

    /// <summary>The on-shift couriers an outage takes: the busiest, the nearest the centre, or at random.</summary>
    private List<int> PickCouriers(ScenarioEvent e)
    {
        var onShift = new List<int>();
        for (int i = 0; i < Couriers.Count; i++)
            if (!Couriers.IsOffline(i) && Engine.TryGetCourier(i, out var v) && v.OnShift) onShift.Add(i);
        int count = e.Count ?? (int)Math.Max(1, Math.Round(e.Share!.Value * onShift.Count));
        double cx = _scenario.CenterX, cy = _scenario.CenterY;
        IEnumerable<int> ordered = e.Couriers switch
        {
            "busiest" => onShift.OrderByDescending(i => Engine.TryGetCourier(i, out var v) ? v.PlannedStops : 0).ThenBy(i => i),
            "nearest-center" => onShift.OrderBy(i => Math.Pow(Couriers.Place(i).X - cx, 2) + Math.Pow(Couriers.Place(i).Y - cy, 2)).ThenBy(i => i),
            _ => onShift.OrderBy(_ => _scenario.Rng.Next()),
        };
        return ordered.Take(count).ToList();
    }
}
