namespace Dispatch.Routing.Search;

/// <summary>
/// Descent to a local optimum with the classic inter-route moves, applied to a solution that is about
/// to become the best: pair relocate (a request taken off its route and put back at its cheapest
/// feasible position on any used route, its own included) and 2-opt* (two routes of interchangeable
/// vehicles swap their tails at cuts no request spans, so precedence holds; feasibility in O(1) from
/// the routes' forward start times and backward latest starts). Only improving moves are taken;
/// nothing allocates.
/// </summary>
internal sealed class LocalSearch
{
    private const double Epsilon = 1e-9;
    private readonly CompiledProblem _pb;
    private readonly int[] _tail;        // scratch for a route tail while two routes swap
    private readonly bool[] _cleanA, _cleanB;

    public LocalSearch(CompiledProblem pb)
    {
        _pb = pb;
        int cap = 2 * pb.Requests + 2;
        _tail = new int[cap];
        _cleanA = new bool[cap];
        _cleanB = new bool[cap];
    }

    /// <summary>Applies improving moves until none is left (or a pass limit) and returns whether anything changed.</summary>
    public bool Descend(SolutionState s)
    {
        bool changed = false;
        for (int pass = 0; pass < 8; pass++)
        {
            bool improved = TwoOptStar(s);
            improved |= Relocate(s);
            if (!improved) break;
            changed = true;
        }
        return changed;
    }

    /// <summary>Each request in turn: off its route, back at its cheapest position on any used route, when that saves cost.</summary>
    private bool Relocate(SolutionState s)
    {
        bool improved = false;
        for (int r = 0; r < _pb.Requests; r++)
        {
            int from = s.RequestVehicle[r];
            if (from < 0) continue;
            double before = s.RoutesCost;
            int usedBefore = s.UsedRoutes;
            s.Remove(r);
            int bestV = -1, bestI = -1, bestJ = -1;
            double best = double.PositiveInfinity;
            for (int v = 0; v < s.Routes.Length; v++)
            {
                // Used routes only (its own included even if it just emptied): no new vehicle.
                if (s.Routes[v].IsEmpty && v != from) continue;
                double c = Insertion.Best(_pb, s.Routes[v], r, out int i, out int j);
                if (c < best) { best = c; bestV = v; bestI = i; bestJ = j; }
            }
            // Its old place is still free, so a position exists unless the matrix breaks the triangle
            // inequality (a shortcut that takes longer); then it stays pending for the search to place.
            if (bestV < 0) continue;
            s.Insert(r, bestV, bestI, bestJ);
            // r is the last pending request unless taking it out also took out a stop it had kept on time.
            int at = s.PendingCount - 1;
            while (s.Pending[at] != r) at--;
            s.RemovePendingAt(at);
            if (s.RoutesCost < before - Epsilon || s.UsedRoutes < usedBefore) improved = true;
        }
        return improved;
    }

    /// <summary>Marks in <paramref name="clean"/> the positions of a route after which no request is open (pickup before, delivery after).</summary>
    private bool MarkCleanCuts(RouteState route, bool[] clean)
    {
        int open = 0;
        clean[0] = true;
        for (int k = 1; k <= route.Count; k++)
        {
            int stop = route.Stop[k];
            int r = CompiledProblem.RequestOf(stop);
            // Single-stop requests change the start load of whichever vehicle carries them: keep such routes out.
            if (!_pb.HasPickup[r] || !_pb.HasDelivery[r]) return false;
            open += (stop & 1) == 0 ? 1 : -1;
            clean[k] = open == 0;
        }
        return true;
    }

    private bool TwoOptStar(SolutionState s)
    {
        bool improved = false;
        var routes = s.Routes;
        int w = _pb.Locations;
        var loc = _pb.StopLocation;
        var svc = _pb.StopService;
        var dur = _pb.Duration;
        for (int a = 0; a < routes.Length; a++)
        {
            var ra = routes[a];
            if (ra.IsEmpty || !MarkCleanCuts(ra, _cleanA)) continue;
            for (int b = a + 1; b < routes.Length; b++)
            {
                var rb = routes[b];
                if (rb.IsEmpty || _pb.VehicleClass[a] != _pb.VehicleClass[b]) continue;
                if (!MarkCleanCuts(rb, _cleanB)) continue;
                var cost = _pb.ArcCost[_pb.VehicleProfile[a]];
                double bestGain = Epsilon;
                int bestI = -1, bestJ = -1;
                for (int i = 0; i <= ra.Count; i++)
                {
                    if (!_cleanA[i]) continue;
                    int ai = ra.Stop[i], an = ra.Stop[i + 1];
                    double leaveA = ra.Start[i] + svc[ai];
                    for (int j = 0; j <= rb.Count; j++)
                    {
                        if (!_cleanB[j]) continue;
                        // Both routes must keep a request: emptying or swapping whole routes is the ALNS's business.
                        int keepA = i + (rb.Count - j), keepB = j + (ra.Count - i);
                        if (keepA == 0 || keepB == 0 || (i == 0 && j == 0) || (i == ra.Count && j == rb.Count)) continue;
                        int bj = rb.Stop[j], bn = rb.Stop[j + 1];
                        double gain = cost[loc[ai] * w + loc[an]] + cost[loc[bj] * w + loc[bn]]
                                    - cost[loc[ai] * w + loc[bn]] - cost[loc[bj] * w + loc[an]];
                        if (gain <= bestGain) continue;
                        // The end stops are interchangeable (same vehicle class), so each tail's latest starts still hold.
                        if (leaveA + dur[loc[ai] * w + loc[bn]] > rb.Latest[j + 1]) continue;
                        if (rb.Start[j] + svc[bj] + dur[loc[bj] * w + loc[an]] > ra.Latest[i + 1]) continue;
                        bestGain = gain; bestI = i; bestJ = j;
                    }
                }
                if (bestI < 0) continue;
                SwapTails(s, a, b, bestI, bestJ);
                improved = true;
                if (!MarkCleanCuts(ra, _cleanA)) break;
            }
        }
        return improved;
    }

    /// <summary>Route a keeps its stops up to position i and takes b's after j (and its own end); b the other way round.</summary>
    private void SwapTails(SolutionState s, int a, int b, int i, int j)
    {
        var ra = s.Routes[a];
        var rb = s.Routes[b];
        int tailA = ra.Count - i, tailB = rb.Count - j;
        Array.Copy(ra.Stop, i + 1, _tail, 0, tailA);             // a's tail, without its end stop
        int endA = ra.Stop[ra.Count + 1], endB = rb.Stop[rb.Count + 1];
        ra.Count = i; ra.Reserve(_pb.Dims, tailB);
        Array.Copy(rb.Stop, j + 1, ra.Stop, i + 1, tailB);
        ra.Count = i + tailB;
        ra.Stop[ra.Count + 1] = endA;
        rb.Count = j; rb.Reserve(_pb.Dims, tailA);
        Array.Copy(_tail, 0, rb.Stop, j + 1, tailA);
        rb.Count = j + tailA;
        rb.Stop[rb.Count + 1] = endB;
        double before = ra.Cost + rb.Cost;
        ra.Recompute(_pb, s.StopPosition);
        rb.Recompute(_pb, s.StopPosition);
        s.RoutesCost += ra.Cost + rb.Cost - before;
        s.MarkDirty(a);
        s.MarkDirty(b);
        for (int k = 1; k <= ra.Count; k++) s.RequestVehicle[CompiledProblem.RequestOf(ra.Stop[k])] = a;
        for (int k = 1; k <= rb.Count; k++) s.RequestVehicle[CompiledProblem.RequestOf(rb.Stop[k])] = b;
    }
}
