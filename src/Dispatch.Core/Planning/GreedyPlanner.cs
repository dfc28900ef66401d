using Dispatch.Engine;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// The baseline the optimizer is measured against: every open order, earliest ready first, goes to
/// the idle courier that reaches its site earliest, one order per assignment, as soon as that courier
/// would have to leave to be there when the food is ready (sending it earlier would only park it at
/// the restaurant). No look-ahead over busy couriers, no matching, no bundling.
/// </summary>
internal sealed class GreedyPlanner<TTravel> : Planner<TTravel> where TTravel : struct, ITravelTime
{
    private int[] _orders = [];
    private readonly int[] _one = new int[1];

    public GreedyPlanner(EngineState state, TTravel travel, RouteCommitter<TTravel> commit) : base(state, travel, commit)
    {
        EnsureCapacity();
    }

    public override void EnsureCapacity()
    {
        if (_orders.Length < _s.Orders.Id.Length) _orders = new int[_s.Orders.Id.Length];
    }

    public void PlanOrders<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        var open = _s.OpenOrders.Items;
        int n = 0;
        for (int i = 0; i < open.Length; i++)
            if (_s.Orders.PlacedAt[open[i]] <= now) _orders[n++] = open[i];
        UrgencyOrder.Sort(_orders.AsSpan(0, n), _s.Orders.ReadyAt, _s.Orders.Seq, _s.Orders.Remakes);
        double tick = _s.Options.TickIntervalMinutes;
        var cs = _s.Couriers;
        var os = _s.Orders;
        double halfP = _s.Options.PickupServiceMinutes * 0.5;
        for (int i = 0; i < n; i++)
        {
            int o = _orders[i];
            int site = os.Site[o];
            double sx = _s.Sites.X[site], sy = _s.Sites.Y[site];
            int best = -1;
            double bestArrive = double.PositiveInfinity;
            for (int c = 0; c < cs.Count; c++)
            {
                if (!IdleNow(c, now) || _commit.Room(c) < 2) continue;
                double arrive = now + _travel.Minutes(cs.X[c], cs.Y[c], sx, sy);
                if (Math.Max(os.ReadyAt[o], arrive + halfP) > cs.ShiftEnd[c]) continue;
                if (arrive < bestArrive) { bestArrive = arrive; best = c; }
            }
            if (best < 0) continue;
            if (bestArrive + halfP + tick <= os.ReadyAt[o]) continue;
            _one[0] = o;
            _commit.CommitBundle(ref sink, best, _one, now);
        }
    }
}
