using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// Re-sequences a courier's remaining stops (general profile): each order on the movable part of the
/// route (everything after the stop it is heading to) is taken out and put back where it costs least,
/// as long as that lowers the route's total click-to-door penalty; a few passes at most. Pickups stay
/// before their drop-offs, capacity, shift end and time windows hold, picked-up orders only move their
/// drop-off. Used when a plan was re-timed (<see cref="Improve"/>) and by the per-tick improvement moves
/// on drop-offs only (<see cref="Search"/>). Scratch buffers are owned here.
/// </summary>
internal sealed class RouteResequencer<TTravel> where TTravel : struct, ITravelTime
{
    private const int MaxPasses = 3;
    private readonly EngineState _s;
    private TTravel _travel;
    private readonly RouteInsertion<TTravel> _insert;
    private readonly RouteStop[] _cur, _without, _best;
    private int _len;

    public RouteResequencer(EngineState state, TTravel travel, RouteInsertion<TTravel> insert)
    {
        _s = state;
        _travel = travel;
        _insert = insert;
        int n = state.Options.MaxRouteStops + 2;
        _cur = new RouteStop[n]; _without = new RouteStop[n]; _best = new RouteStop[n];
    }

    /// <summary>The whole route, timed, found by the last successful <see cref="Search"/>.</summary>
    public ReadOnlySpan<RouteStop> Result => _cur.AsSpan(0, _len);

    /// <summary>Improves courier c's stop order; returns true (and writes the new route) when it changed.</summary>
    public bool Improve(int c)
    {
        if (!Search(c, dropoffsOnly: false, out _)) return false;
        var cs = _s.Couriers;
        int len = _len;
        cs.CompactRoute(c);
        // The whole route: a pickup moved next to the head's pickups joins their service and changes its times too.
        _cur.AsSpan(0, len).CopyTo(cs.Stops.AsSpan(c * cs.MaxStops, len));
        ref RouteStop end = ref _cur[len - 1];
        cs.X[c] = end.X; cs.Y[c] = end.Y; cs.FreeAt[c] = end.Leave;
        return true;
    }

    /// <summary>
    /// Looks for a better stop order for courier c without changing anything: true when one was found,
    /// left in <see cref="Result"/>; <paramref name="keep"/> is the fixed head's length. With
    /// <paramref name="dropoffsOnly"/>, only the drop-offs of orders whose pickup is not movable
    /// (picked up, or in the fixed head) move. <paramref name="courierWeight"/> prices the route's end
    /// on top of its click-to-door penalties (see <see cref="RouteInsertion{TTravel}.Best"/>).
    /// </summary>
    public bool Search(int c, bool dropoffsOnly, out int keep, double courierWeight = 0)
    {
        var cs = _s.Couriers;
        var route = cs.Route(c);
        int len = route.Length;
        keep = RouteInsertion<TTravel>.FixedHead(route);
        if (keep == 0 || len - keep < 2) return false;
        route.CopyTo(_cur);
        _len = len;
        double cost = _insert.Cost(_cur.AsSpan(0, len), keep) + courierWeight * _cur[len - 1].Leave;
        var times = _s.Times;
        bool changed = false;
        for (int pass = 0; pass < MaxPasses; pass++)
        {
            bool improved = false;
            for (int k = keep; k < len; k++)
            {
                int o = _cur[k].Order;
                if (!FirstMovableStopOf(o, k, keep)) continue;
                // The first movable stop of o is a pickup exactly when its pickup moves with it.
                bool withPickup = _cur[k].Kind == StopKind.Pickup;
                if (dropoffsOnly && withPickup) continue;
                int w = 0;
                for (int a = 0; a < len; a++)
                {
                    if (a >= keep && _cur[a].Order == o) continue;
                    _without[w++] = _cur[a];
                }
                ref RouteStop last = ref _cur[keep - 1];
                RouteTiming.Retime(ref _travel, _without.AsSpan(0, w), keep, last.X, last.Y, last.Leave, times);
                // Windows are judged against the committed route: taking o out may have delayed others (a pickup
                // that now follows the head's joins its service), which must not count as "already broken".
                double candidate = _insert.Best(c, _without.AsSpan(0, w), keep, o, withPickup, 0, 0, 0, _best, out int bestLen, reference: route, courierWeight);
                if (candidate < cost - 0.01 && bestLen == len)
                {
                    _best.AsSpan(0, len).CopyTo(_cur);
                    cost = candidate;
                    improved = changed = true;
                }
            }
            if (!improved) break;
        }
        return changed && !SameOrder(route, keep);
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
