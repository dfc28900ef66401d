using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// Re-sequences a courier's remaining stops (general profile) when its plan was re-timed: each order
/// on the movable part of the route (everything after the stop it is heading to) is taken out and put
/// back where it costs least, as long as that lowers the route's total click-to-door penalty; a few
/// passes at most. Pickups stay before their drop-offs, capacity and shift end hold, picked-up orders
/// only move their drop-off. Scratch buffers are owned here.
/// </summary>
internal sealed class RouteResequencer<TTravel> where TTravel : struct, ITravelTime
{
    private const int MaxPasses = 3;
    private readonly EngineState _s;
    private TTravel _travel;
    private readonly RouteInsertion<TTravel> _insert;
    private readonly RouteStop[] _cur, _without, _best;

    public RouteResequencer(EngineState state, TTravel travel, RouteInsertion<TTravel> insert)
    {
        _s = state;
        _travel = travel;
        _insert = insert;
        int n = state.Options.MaxRouteStops + 2;
        _cur = new RouteStop[n]; _without = new RouteStop[n]; _best = new RouteStop[n];
    }

    /// <summary>Improves courier c's stop order; returns true (and writes the new route) when it changed.</summary>
    public bool Improve(int c)
    {
        var cs = _s.Couriers;
        var route = cs.Route(c);
        int len = route.Length;
        int keep = RouteInsertion<TTravel>.FixedHead(route);
        if (keep == 0 || len - keep < 2) return false;
        route.CopyTo(_cur);
        double cost = _insert.Cost(_cur.AsSpan(0, len), keep);
        bool changed = false;
        for (int pass = 0; pass < MaxPasses; pass++)
        {
            bool improved = false;
            for (int k = keep; k < len; k++)
            {
                int o = _cur[k].Order;
                if (!FirstMovableStopOf(o, k, keep)) continue;
                bool withPickup = false;
                int w = 0;
                for (int a = 0; a < len; a++)
                {
                    if (a >= keep && _cur[a].Order == o) { if (_cur[a].Kind == StopKind.Pickup) withPickup = true; continue; }
                    _without[w++] = _cur[a];
                }
                ref RouteStop last = ref _cur[keep - 1];
                RouteTiming.Retime(ref _travel, _without.AsSpan(0, w), keep, last.X, last.Y, last.Leave, _s.Orders.ReadyAt,
                    _s.Options.PickupServiceMinutes, _s.Options.DropoffServiceMinutes);
                double candidate = _insert.Best(c, _without.AsSpan(0, w), keep, o, withPickup, 0, 0, 0, _best, out int bestLen);
                if (candidate < cost - 0.01 && bestLen == len)
                {
                    _best.AsSpan(0, len).CopyTo(_cur);
                    cost = candidate;
                    improved = changed = true;
                }
            }
            if (!improved) break;
        }
        if (!changed || SameOrder(route, keep)) return false;
        cs.CompactRoute(c);
        // The whole route: a pickup moved next to the head's pickups joins their service and changes its times too.
        _cur.AsSpan(0, len).CopyTo(cs.Stops.AsSpan(c * cs.MaxStops, len));
        ref RouteStop end = ref _cur[len - 1];
        cs.X[c] = end.X; cs.Y[c] = end.Y; cs.FreeAt[c] = end.Leave;
        return true;
    }

    private bool FirstMovableStopOf(int o, int k, int keep)
    {
        for (int a = keep; a < k; a++) if (_cur[a].Order == o) return false;
        return true;
    }

    private bool SameOrder(ReadOnlySpan<RouteStop> route, int keep)
    {
        for (int i = keep; i < route.Length; i++)
            if (route[i].Order != _cur[i].Order || route[i].Kind != _cur[i].Kind) return false;
        return true;
    }
}
