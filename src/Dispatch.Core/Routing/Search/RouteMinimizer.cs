namespace Dispatch.Routing.Search;

/// <summary>
/// Route minimization by an ejection pool (Nagata &amp; Bräysy 2009, for pickup and delivery Nagata &amp; Kobayashi
/// 2010): one route is emptied and its requests become pending (the pool); then, one step at a time, the request
/// pushed last is taken out of the pool and put on a used route, at its cheapest feasible position when it has one,
/// otherwise by ejecting up to <see cref="MaxEject"/> requests from one route to make room, the ones that have needed
/// room least often (each request counts the steps at which it found no feasible position: the ones that are hard to
/// place are the last to be pushed out again), and a few random relocations then move the solution on so the same
/// ejections do not repeat. The pool empties when the routes left have absorbed every request.
/// <para>
/// Why not only large-neighbourhood search with a route fewer: that search scores a solution by what is left pending,
/// so a request that fits nowhere stays pending and the search explores around it; the pool insists on placing every
/// request and moves the difficulty onto requests that are easier to place, which empties a route in far fewer steps
/// on instances whose windows are tight. The steps allocate nothing.
/// </para>
/// </summary>
internal sealed class RouteMinimizer
{
    /// <summary>Most requests one ejection takes off a route.</summary>
    public const int MaxEject = 2;

    /// <summary>Random relocations after each ejection: enough to move the solution off the position that needed it.</summary>
    private const int PerturbMoves = 5;

    /// <summary>Pair ejections are searched among the requests of a route served nearest in time to the request to place,
    /// this many of them (all of a shorter route): the search grows with the square of the candidates times a route's
    /// insertion scan, and on a route of a hundred requests a pair served hours away from the newcomer's window rarely
    /// makes room for it.</summary>
    private const int PairK = 12;
    private readonly CompiledProblem _pb;
    /// <summary>Per request: how often it found no feasible position since the route deletion began (1 at the start).</summary>
    private readonly int[] _failures;
    private readonly int[] _onRoute;
    private readonly double[] _timeKey;
    private readonly RouteState _scratch;
    private readonly int[] _positions = new int[2 * MaxEject];

    public RouteMinimizer(CompiledProblem pb)
    {
        _pb = pb;
        _failures = new int[pb.Requests];
        _onRoute = new int[pb.Requests];
        _timeKey = new double[pb.Requests];
        _scratch = new RouteState(pb, 0, 2 * pb.Requests);
    }

    /// <summary>Starts a route deletion: a random used route is emptied into the pool (the solution's pending
    /// requests), and every request's failure count starts at 1.</summary>
    public void Begin(SolutionState s, ref SearchRandom rng)
    {
        Array.Fill(_failures, 1);
        int pick = RandomUsedRoute(s, ref rng);
        if (pick >= 0) s.ClearRoute(pick);
    }

    /// <summary>One step: the request pushed last leaves the pool for a used route, by ejection if it must. A request
    /// that fits no route even with an ejection goes to the bottom of the pool.</summary>
    public void Step(SolutionState s, ref SearchRandom rng)
    {
        if (s.PendingCount == 0) return;
        int r = s.Pending[s.PendingCount - 1];
        s.RemovePendingAt(s.PendingCount - 1);
        if (TryInsertCheapest(s, r, except: -1)) return;
        _failures[r]++;
        if (!EjectAndInsert(s, r))
        {
            // To the bottom of the pool: the others go first, and the relocations below change what it meets next time.
            s.AddPending(r);
            int last = s.PendingCount - 1;
            (s.Pending[0], s.Pending[last]) = (s.Pending[last], s.Pending[0]);
        }
        Perturb(s, ref rng);
    }

    /// <summary>Puts <paramref name="r"/> at its cheapest feasible position on a used route other than
    /// <paramref name="except"/>; false when it has none.</summary>
    private bool TryInsertCheapest(SolutionState s, int r, int except)
    {
        double best = double.PositiveInfinity;
        int bv = -1, bi = -1, bj = -1;
        for (int v = 0; v < s.Routes.Length; v++)
        {
            var route = s.Routes[v];
            if (route.IsEmpty || v == except) continue;
            double c = Insertion.Best(_pb, route, r, out int i, out int j);
            if (c < best) { best = c; bv = v; bi = i; bj = j; }
        }
        if (bv < 0) return false;
        s.Insert(r, bv, bi, bj);
        return true;
    }

    /// <summary>
    /// The ejection that makes room for <paramref name="r"/>: over every used route, one request or two taken off it
    /// so that <paramref name="r"/> fits, the ejected ones' failure counts summing least, then the cheapest. Applies it
    /// (the ejected requests go on top of the pool); false when no ejection of up to <see cref="MaxEject"/> makes room.
    /// </summary>
    private bool EjectAndInsert(SolutionState s, int r)
    {
        int bestSum = int.MaxValue, bestV = -1, bestA = -1, bestB = -1;
        double bestCost = double.PositiveInfinity;
        for (int v = 0; v < s.Routes.Length; v++)
        {
            var route = s.Routes[v];
            if (route.IsEmpty) continue;
            int n = RequestsOn(route);
            for (int a = 0; a < n; a++)
            {
                int ea = _onRoute[a];
                int sum = _failures[ea];
                if (sum > bestSum) continue;
                double c = CostWithout(s, route, ea, -1, r);
                if (c < double.PositiveInfinity && (sum < bestSum || c < bestCost))
                {
                    bestSum = sum; bestCost = c; bestV = v; bestA = ea; bestB = -1;
                }
            }
            if (n > PairK) n = NearestInTime(s, route, n, r);
            for (int a = 0; a < n; a++)
            {
                int ea = _onRoute[a];
                if (_failures[ea] + 1 > bestSum) continue;
                for (int b = a + 1; b < n; b++)
                {
                    int eb = _onRoute[b];
                    int sum = _failures[ea] + _failures[eb];
                    if (sum > bestSum) continue;
                    double c = CostWithout(s, route, ea, eb, r);
                    if (c < double.PositiveInfinity && (sum < bestSum || c < bestCost))
                    {
                        bestSum = sum; bestCost = c; bestV = v; bestA = ea; bestB = eb;
                    }
                }
            }
        }
        if (bestV < 0) return false;
        s.Remove(bestA);
        if (bestB >= 0) s.Remove(bestB);
        var target = s.Routes[bestV];
        double cost = Insertion.Best(_pb, target, r, out int i, out int j);
        if (!(cost < double.PositiveInfinity))
        {
            // Cannot happen with the same route as the scratch one; kept so a request is never lost.
            return TryInsertCheapest(s, r, except: -1);
        }
        s.Insert(r, bestV, i, j);
        return true;
    }

    /// <summary>The requests on <paramref name="route"/>, each once, into <see cref="_onRoute"/>.</summary>
    private int RequestsOn(RouteState route)
    {
        int n = 0;
        for (int k = 1; k <= route.Count; k++)
        {
            int stop = route.Stop[k];
            int q = CompiledProblem.RequestOf(stop);
            if (stop != FirstStop(q)) continue; // each request once, at its first stop
            _onRoute[n++] = q;
        }
        return n;
    }

    /// <summary>The route's cost change when <paramref name="a"/> (and <paramref name="b"/> unless -1) leave it and
    /// <paramref name="r"/> joins at its cheapest feasible position; +infinity when it does not fit then.</summary>
    private double CostWithout(SolutionState s, RouteState route, int a, int b, int r)
    {
        var scratch = _scratch;
        scratch.CopyFrom(route, _pb.Dims);
        int m = 0;
        AddPositions(s, a, ref m);
        if (b >= 0) AddPositions(s, b, ref m);
        var pos = _positions.AsSpan(0, m);
        pos.Sort();
        for (int k = m - 1; k >= 0; k--) scratch.RemoveAt(pos[k]);
        scratch.Recompute(_pb, null);
        if (scratch.FirstLate > 0) return double.PositiveInfinity;
        double c = Insertion.Best(_pb, scratch, r, out _, out _);
        return c < double.PositiveInfinity ? scratch.Cost + c - route.Cost : c;
    }

    private void AddPositions(SolutionState s, int q, ref int m)
    {
        if (_pb.HasPickup[q]) _positions[m++] = s.StopPosition[CompiledProblem.PickupStop(q)];
        if (_pb.HasDelivery[q]) _positions[m++] = s.StopPosition[CompiledProblem.DeliveryStop(q)];
    }

    /// <summary>Keeps in <see cref="_onRoute"/> the <see cref="PairK"/> of its first <paramref name="n"/> requests whose first
    /// stop is served nearest in time to <paramref name="r"/>'s first stop's window; returns how many.</summary>
    private int NearestInTime(SolutionState s, RouteState route, int n, int r)
    {
        int rs = FirstStop(r);
        double lo = _pb.StopEarliest[rs], hi = _pb.StopLatest[rs];
        for (int a = 0; a < n; a++)
        {
            int q = _onRoute[a];
            double t = route.Start[s.StopPosition[FirstStop(q)]];
            _timeKey[a] = t < lo ? lo - t : t > hi ? t - hi : 0;
        }
        // Partial selection sort: PairK is small.
        int k = Math.Min(PairK, n);
        for (int i = 0; i < k; i++)
        {
            int m = i;
            for (int j = i + 1; j < n; j++) if (_timeKey[j] < _timeKey[m]) m = j;
            (_timeKey[i], _timeKey[m]) = (_timeKey[m], _timeKey[i]);
            (_onRoute[i], _onRoute[m]) = (_onRoute[m], _onRoute[i]);
        }
        return k;
    }

    /// <summary>A used route drawn uniformly (reservoir sampling over the routes), or -1 when none is used.</summary>
    private static int RandomUsedRoute(SolutionState s, ref SearchRandom rng)
    {
        int pick = -1, seen = 0;
        for (int v = 0; v < s.Routes.Length; v++)
        {
            if (s.Routes[v].IsEmpty) continue;
            if (rng.Next(++seen) == 0) pick = v;
        }
        return pick;
    }

    /// <summary>A request's first stop: its pickup, or its only stop.</summary>
    private int FirstStop(int q) => _pb.HasPickup[q] ? CompiledProblem.PickupStop(q) : CompiledProblem.DeliveryStop(q);

    /// <summary>A few random relocations: a random request off a random used route, to its cheapest feasible position
    /// on another used route (back on its own when none has one), whatever the cost.</summary>
    private void Perturb(SolutionState s, ref SearchRandom rng)
    {
        for (int move = 0; move < PerturbMoves; move++)
        {
            if (s.UsedRoutes < 2) return;
            int v = RandomUsedRoute(s, ref rng);
            int n = RequestsOn(s.Routes[v]);
            int q = _onRoute[rng.Next(n)];
            int pendingBefore = s.PendingCount;
            // Remove puts q first in the pool, then any later stop's request it takes too (a matrix without the
            // triangle inequality): those stay in the pool.
            s.Remove(q);
            s.RemovePendingAt(pendingBefore);
            if (TryInsertCheapest(s, q, except: v)) continue;
            double c = Insertion.Best(_pb, s.Routes[v], q, out int i, out int j);
            if (c < double.PositiveInfinity) s.Insert(q, v, i, j);
            else s.AddPending(q);
        }
    }
}
