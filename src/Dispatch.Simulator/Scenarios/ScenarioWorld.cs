using System.Diagnostics;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Simulator.Mdrp;
using Dispatch.Simulator.World;
using ScenarioTravel = Dispatch.Traffic.TrafficAdjusted<Dispatch.Travel.EuclideanCeilMinutes>;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// A trace run through a compiled scenario: orders placed (with a promised drop-off quoted at
/// placement), kitchen delays announced, cancellations and courier outages applied at their times,
/// couriers that drive the plan (<see cref="DrivingCouriers"/>). Each tick first updates the world's
/// traffic and, when the engine re-plans, tells it the new travel times and where the couriers are.
/// </summary>
internal sealed class ScenarioWorld : IWorld<ScenarioTravel>
{
    private readonly CompiledScenario _scenario;
    private readonly bool _replan;
    private DecisionLog _log;

    public ScenarioWorld(MdrpInstance inst, CompiledScenario scenario, bool replan, DispatchEngine<ScenarioTravel> engine, DrivingCouriers couriers)
    {
        _scenario = scenario;
        _replan = replan;
        Engine = engine;
        Couriers = couriers;
        _log = new DecisionLog
        {
            Assignments = new List<MdrpAssignmentRecord>(),
            CourierIds = inst.Couriers.Select(c => c.Id).ToArray(),
            OrderIds = scenario.Orders.Select(o => o.Id).ToArray(),
            DeliverBy = scenario.Orders.Select(o => o.DeliverBy).ToArray(),
        };
    }

    public DispatchEngine<ScenarioTravel> Engine { get; }

    public DrivingCouriers Couriers { get; }

    /// <summary>What the engine decided and changed.</summary>
    public DecisionLog Log => _log;

    /// <summary>Wall time of each engine tick, in milliseconds.</summary>
    public List<double> TickMilliseconds { get; } = new();

    /// <summary>Queues the scenario's timed events and every placement.</summary>
    public void ScheduleEvents(WorldDriver<ScenarioTravel> driver)
    {
        foreach (var (at, kind, order) in _scenario.Events) driver.Schedule(at, kind, order);
        for (int i = 0; i < _scenario.Outages.Count; i++) driver.Schedule(_scenario.Outages[i].At, WorldEventKind.CourierOffline, i);
        for (int i = 0; i < _scenario.Orders.Count; i++) driver.Schedule(_scenario.Orders[i].Placed, WorldEventKind.Place, i);
    }

    public void Handle(WorldDriver<ScenarioTravel> driver, in WorldEvent e)
    {
        double now = driver.Now;
        int i = (int)e.Id;
        switch (e.Kind)
        {
            case WorldEventKind.Place:
            {
                var o = _scenario.Orders[i];
                o.Promise = Engine.QuoteDropoff(o.Site, o.X, o.Y, o.Ready, now);
                Engine.PlaceOrder(new OrderRequest(i, o.Site, o.X, o.Y, o.Placed, o.Ready, DeliverBy: o.DeliverBy), now);
                break;
            }
            case WorldEventKind.KitchenDelay:
            {
                var o = _scenario.Orders[i];
                o.DelayAnnounced = true;
                var st = Engine.GetOrderStatus(i);
                if (_replan && st is OrderStatus.Open or OrderStatus.Assigned) Engine.ChangeReadyTime(i, o.ActualReady, now);
                break;
            }
            case WorldEventKind.Cancel:
            {
                var st = Engine.GetOrderStatus(i);
                if (st is OrderStatus.Open or OrderStatus.Assigned)
                {
                    Engine.CancelOrder(i, now);
                    _scenario.Orders[i].Cancelled = true;
                }
                break;
            }
            case WorldEventKind.CourierOffline:
                foreach (int ci in PickCouriers(_scenario.Outages[i].Event))
                {
                    Couriers.SetOffline(ci);
                    Engine.CourierOffShift(ci, now);
                }
                Couriers.SyncAll(driver);
                break;
            default:
                Couriers.Handle(driver, e);
                break;
        }
    }

    public void Tick(WorldDriver<ScenarioTravel> driver)
    {
        double now = driver.Now;
        if (_scenario.Traffic.Update(now) && _replan) Engine.TravelTimesChanged(now);
        if (_replan) Couriers.ReportPositions(now);
        long t0 = Stopwatch.GetTimestamp();
        Engine.Tick(now, ref _log);
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
