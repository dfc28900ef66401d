namespace Dispatch.Routing.Search;

/// <summary>
/// Descent to a local optimum with the classic inter-route moves, applied to a solution that is about
/// to become the best: pair relocate (a request taken off its route and put back at its cheapest
/// feasible position on any used route, its own included), pair exchange (two requests on different
/// routes, each near the other, trade routes, each at its cheapest position) and 2-opt* (two routes of interchangeable
/// vehicles swap their tails at cuts no request spans, so precedence holds; feasibility in O(1) from
/// the routes' forward start times and backward latest starts; with schedule costs a swap is
/// kept only when the two routes' exact costs fall). Only improving moves are taken;
/// nothing allocates.
/// </summary>
internal sealed class LocalSearch
{
    private const double Epsilon = 1e-9;
    private readonly CompiledProblem _pb;
    private readonly int[] _tail;        // scratch for a route tail while two routes swap
    private readonly bool[] _cleanA, _cleanB;
    /// <summary>Exchange partners: each request's nearest requests (pickup to pickup plus delivery to delivery), <see cref="Partners"/> each.</summary>
    private readonly int[] _partners;
    private const int Partners = 8;
    private readonly RouteState _withoutA, _withoutB;   // scratch: a route with one request taken off
    private long _deadline = long.MaxValue;
    private CancellationToken _cancel;

    /// <summary>The descent's deadline has passed or it was cancelled (checked once per request or route, a few
    /// hundred times per pass: the clock read costs nothing beside the moves it times).</summary>
    private bool Stopped => _cancel.IsCancellationRequested || (_deadline != long.MaxValue && System.Diagnostics.Stopwatch.GetTimestamp() >= _deadline);

    public LocalSearch(CompiledProblem pb)
    {
        _pb = pb;
        int cap = 2 * pb.Requests + 2;
        _tail = new int[cap];
        _cleanA = new bool[cap];
        _cleanB = new bool[cap];
        _withoutA = new RouteState(pb, 0, 2 * pb.Requests);
        _withoutB = new RouteState(pb, 0, 2 * pb.Requests);
        _partners = NearestPartners(pb);
    }

    private static int[] NearestPartners(CompiledProblem pb)
    {
        int n = pb.Requests;
        var partners = new int[n * Partners];
        Array.Fill(partners, -1);
        var keys = new double[n];
        var items = new int[n];
        int w = pb.Locations;
        for (int r = 0; r < n; r++)
        {
            int m = 0;
            for (int o = 0; o < n; o++)
            {
                if (o == r) continue;
                int pr = CompiledProblem.PickupStop(r), po = CompiledProblem.PickupStop(o);
                keys[m] = pb.Distance[pb.StopLocation[pr] * w + pb.StopLocation[po]]
                        + pb.Distance[pb.StopLocation[pr + 1] * w + pb.StopLocation[po + 1]];
                items[m++] = o;
            }
            Array.Sort(keys, items, 0, m);
            for (int k = 0; k < Math.Min(Partners, m); k++) partners[r * Partners + k] = items[k];
        }
        return partners;
    }

    /// <summary>Applies improving moves until none is left (or a pass limit) and returns whether anything changed.
    /// <paramref name="deadline"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp) and <paramref name="cancel"/>
    /// stop it between two moves: on a 1,200-task problem one descent takes up to a third of a second, so a search whose
    /// budget ran out inside one overran its time limit by that much. Every move keeps the solution feasible, so a
    /// descent stopped early leaves a valid solution, only less polished.</summary>
    public bool Descend(SolutionState s, long deadline = long.MaxValue, CancellationToken cancel = default)
    {
        _deadline = deadline;
        _cancel = cancel;
        bool changed = false;
        for (int pass = 0; pass < 8 && !Stopped; pass++)
        {
            bool improved = TwoOptStar(s);
            improved |= Relocate(s);
            improved |= Exchange(s);
            if (!improved) break;
            changed = true;
        }
        return changed;
    }

    /// <summary>Each request in turn: off its route, back at its cheapest position on any used route, when that saves cost.</summary>
    private bool Relocate(SolutionState s)
    {
        bool improved = false;
        for (int r = 0; r < _pb.Requests && !Stopped; r++)
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

    /// <summary>
    /// Each request and each of its nearest partners on another route: both taken off, each put at its
    /// cheapest feasible position on the other's route, kept when the two routes cost less. Priced on
    /// scratch copies, so a rejected exchange changes nothing.
    /// </summary>
    private bool Exchange(SolutionState s)
    {
        bool improved = false;
        int dims = _pb.Dims;
        for (int r1 = 0; r1 < _pb.Requests && !Stopped; r1++)
        {
            int a = s.RequestVehicle[r1];
            if (a < 0) continue;
            bool haveA = false;
            for (int k = 0; k < Partners; k++)
            {
                int r2 = _partners[r1 * Partners + k];
                if (r2 < 0) break;
                int b = s.RequestVehicle[r2];
                if (b < 0 || b == a) continue;
                var ra = s.Routes[a];
                var rb = s.Routes[b];
                if (!haveA) { TakeOff(s, ra, r1, _withoutA); haveA = true; }
                TakeOff(s, rb, r2, _withoutB);
                // Where a shortcut made a later stop late (no triangle inequality), leave it to the ALNS.
                if (_withoutA.FirstLate != 0 || _withoutB.FirstLate != 0) continue;
                double inA = Insertion.Best(_pb, _withoutA, r2, out int ia, out int ja);
                if (double.IsPositiveInfinity(inA)) continue;
                double before = ra.Cost + rb.Cost;
                double baseCost = _withoutA.Cost + _withoutB.Cost + inA;
                if (baseCost >= before - Epsilon) continue;
                double inB = Insertion.Best(_pb, _withoutB, r1, out int ib, out int jb);
                if (baseCost + inB >= before - Epsilon) continue;
                Put(_withoutA, r2, ia, ja);
                Put(_withoutB, r1, ib, jb);
                ra.CopyFrom(_withoutA, dims);
                rb.CopyFrom(_withoutB, dims);
                s.RoutesCost += ra.Cost + rb.Cost - before;
                s.RequestVehicle[r1] = b;
                s.RequestVehicle[r2] = a;
                for (int p = 1; p <= ra.Count; p++) s.StopPosition[ra.Stop[p]] = p;
                for (int p = 1; p <= rb.Count; p++) s.StopPosition[rb.Stop[p]] = p;
                s.MarkDirty(a);
                s.MarkDirty(b);
                improved = true;
                break;   // r1 moved: its partners' prices from route a no longer hold
            }
        }
        return improved;
    }

    /// <summary>Copies <paramref name="route"/> into <paramref name="into"/> without request <paramref name="r"/>, refreshed.</summary>
    private void TakeOff(SolutionState s, RouteState route, int r, RouteState into)
    {
        into.CopyFrom(route, _pb.Dims);
        into.RemoveRequest(_pb, r, s.StopPosition);
        into.Recompute(_pb, null);
    }

    private void Put(RouteState route, int r, int i, int j)
    {
        route.InsertRequest(_pb, r, i, j);
        route.Recompute(_pb, null);
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
        for (int a = 0; a < routes.Length && !Stopped; a++)
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
                double before = ra.Cost + rb.Cost;
                SwapTails(s, a, b, bestI, bestJ);
                // The arcs say it pays; with schedule costs the shifted tails have their say too, and
                // swapping the same cut again puts both routes back.
                if (_pb.HasScheduleCosts && ra.Cost + rb.Cost >= before - Epsilon)
                {
                    SwapTails(s, a, b, bestI, bestJ);
                    continue;
                }
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
