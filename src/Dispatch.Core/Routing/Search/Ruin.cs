namespace Dispatch.Routing.Search;

/// <summary>The removal ("ruin") operators of the large-neighbourhood search.</summary>
internal enum RuinKind : byte { Random, Worst, Related, Route }

/// <summary>
/// Removes requests from a solution, the way Ropke &amp; Pisinger's ALNS does: at random, the ones
/// whose removal saves most (worst), ones related in place, time and size to a seed request
/// (Shaw), or a whole route. The chosen requests become pending. Buffers are owned and reused.
/// </summary>
internal sealed class Ruin
{
    private readonly CompiledProblem _pb;
    private readonly int[] _assigned;
    private readonly double[] _keys;
    private readonly int[] _items;
    private readonly int[] _chosen;
    private readonly bool[] _taken;
    private readonly double _distanceScale, _timeScale, _amountScale;

    public Ruin(CompiledProblem pb)
    {
        _pb = pb;
        _assigned = new int[pb.Requests];
        _keys = new double[pb.Requests];
        _items = new int[pb.Requests];
        _chosen = new int[pb.Requests];
        _taken = new bool[pb.Requests];
        double maxD = 0;
        foreach (double d in pb.Distance) maxD = Math.Max(maxD, d);
        _distanceScale = maxD > 0 ? 1 / maxD : 1;
        double maxT = 0;
        for (int s = 0; s < pb.Stops; s++)
        {
            if (double.IsFinite(pb.StopLatest[s])) maxT = Math.Max(maxT, pb.StopLatest[s]);
            maxT = Math.Max(maxT, pb.StopEarliest[s]);
        }
        _timeScale = maxT > 0 ? 1 / maxT : 1;
        int maxQ = 0;
        foreach (int q in pb.RequestAmount) maxQ = Math.Max(maxQ, q);
        _amountScale = maxQ > 0 ? 1.0 / maxQ : 1;
    }

    public void Apply(RuinKind kind, SolutionState s, int q, ref SearchRandom rng)
    {
        switch (kind)
        {
            case RuinKind.Random: RemoveRandom(s, q, ref rng); break;
            case RuinKind.Worst: RemoveWorst(s, q, ref rng); break;
            case RuinKind.Related: RemoveRelated(s, q, ref rng); break;
            default: RemoveRoute(s, ref rng); break;
        }
    }

    private int CollectAssigned(SolutionState s)
    {
        int n = 0;
        for (int r = 0; r < _pb.Requests; r++)
            if (s.RequestVehicle[r] >= 0) _assigned[n++] = r;
        return n;
    }

    private void RemoveRandom(SolutionState s, int q, ref SearchRandom rng)
    {
        int n = CollectAssigned(s);
        q = Math.Min(q, n);
        for (int k = 0; k < q; k++)
        {
            int pick = k + rng.Next(n - k);
            (_assigned[k], _assigned[pick]) = (_assigned[pick], _assigned[k]);
            s.Remove(_assigned[k]);
        }
    }

    /// <summary>Saving in route cost from taking the request off its route.</summary>
    private double Saving(SolutionState s, int r)
    {
        var route = s.Routes[s.RequestVehicle[r]];
        int own = (_pb.HasPickup[r] ? 1 : 0) + (_pb.HasDelivery[r] ? 1 : 0);
        if (route.Count == own) return route.Cost;
        var cost = _pb.ArcCost[_pb.VehicleProfile[route.Vehicle]];
        var st = route.Stop;
        var loc = _pb.StopLocation;
        int w = _pb.Locations;
        double Arc(int a, int b) => cost[loc[a] * w + loc[b]];
        int p = _pb.HasPickup[r] ? s.StopPosition[CompiledProblem.PickupStop(r)] : -1;
        int d = _pb.HasDelivery[r] ? s.StopPosition[CompiledProblem.DeliveryStop(r)] : -1;
        // Its own lateness and click-to-door go with it (what it pushed on later stops is not counted).
        double ownSchedule = 0;
        if (_pb.HasScheduleCosts)
        {
            if (p >= 0) ownSchedule += _pb.ScheduleCost(st[p], route.Start[p]);
            if (d >= 0) ownSchedule += _pb.ScheduleCost(st[d], route.Start[d]);
        }
        if (p >= 0 && d == p + 1)
            return ownSchedule + Arc(st[p - 1], st[p]) + Arc(st[p], st[d]) + Arc(st[d], st[d + 1]) - Arc(st[p - 1], st[d + 1]);
        double saving = ownSchedule;
        if (p >= 0) saving += Arc(st[p - 1], st[p]) + Arc(st[p], st[p + 1]) - Arc(st[p - 1], st[p + 1]);
        if (d >= 0) saving += Arc(st[d - 1], st[d]) + Arc(st[d], st[d + 1]) - Arc(st[d - 1], st[d + 1]);
        return saving;
    }

    private void RemoveWorst(SolutionState s, int q, ref SearchRandom rng)
    {
        int n = CollectAssigned(s);
        q = Math.Min(q, n);
        for (int k = 0; k < n; k++)
        {
            _items[k] = _assigned[k];
            _keys[k] = -Saving(s, _assigned[k]);   // ascending keys: biggest saving first
        }
        Array.Sort(_keys, _items, 0, n);
        PickSkewed(n, q, 3, ref rng);
        for (int k = 0; k < q; k++) s.Remove(_chosen[k]);
    }

    /// <summary>Chooses q of the n sorted items, favouring the front: index floor(y^power * remaining).</summary>
    private void PickSkewed(int n, int q, int power, ref SearchRandom rng)
    {
        for (int k = 0; k < q; k++)
        {
            double y = rng.NextDouble();
            double f = y;
            for (int e = 1; e < power; e++) f *= y;
            int idx = (int)(f * (n - k));
            _chosen[k] = _items[idx];
            // Keep the rest in order.
            Array.Copy(_items, idx + 1, _items, idx, n - k - idx - 1);
            Array.Copy(_keys, idx + 1, _keys, idx, n - k - idx - 1);
        }
    }

    private double TimeOf(SolutionState s, int stop)
    {
        int r = CompiledProblem.RequestOf(stop);
        return s.Routes[s.RequestVehicle[r]].Start[s.StopPosition[stop]];
    }

    /// <summary>Shaw relatedness: near in place, near in time, similar in size (lower = more related).</summary>
    private double Relatedness(SolutionState s, int a, int b)
    {
        int w = _pb.Locations;
        var loc = _pb.StopLocation;
        int pa = FirstStop(a), da = LastStop(a), pb = FirstStop(b), db = LastStop(b);
        double place = _pb.Distance[loc[pa] * w + loc[pb]] + _pb.Distance[loc[da] * w + loc[db]];
        double time = Math.Abs(TimeOf(s, pa) - TimeOf(s, pb)) + Math.Abs(TimeOf(s, da) - TimeOf(s, db));
        double size = Math.Abs(_pb.RequestAmount[a * _pb.Dims] - _pb.RequestAmount[b * _pb.Dims]);
        return 9 * place * _distanceScale + 3 * time * _timeScale + 2 * size * _amountScale;
    }

    private int FirstStop(int r) => _pb.HasPickup[r] ? CompiledProblem.PickupStop(r) : CompiledProblem.DeliveryStop(r);
    private int LastStop(int r) => _pb.HasDelivery[r] ? CompiledProblem.DeliveryStop(r) : CompiledProblem.PickupStop(r);

    private void RemoveRelated(SolutionState s, int q, ref SearchRandom rng)
    {
        int n = CollectAssigned(s);
        if (n == 0) return;
        q = Math.Min(q, n);
        int seed = _assigned[rng.Next(n)];
        int chosen = 0;
        _chosen[chosen++] = seed;
        _taken[seed] = true;
        while (chosen < q)
        {
            int from = _chosen[rng.Next(chosen)];
            int m = 0;
            for (int k = 0; k < n; k++)
            {
                int r = _assigned[k];
                if (_taken[r]) continue;
                _items[m] = r;
                _keys[m] = Relatedness(s, from, r);
                m++;
            }
            if (m == 0) break;
            Array.Sort(_keys, _items, 0, m);
            double y = rng.NextDouble();
            double f = y * y; f *= f; f *= y * y;   // y^6, as in Ropke & Pisinger
            int pick = _items[(int)(f * m)];
            _taken[pick] = true;
            _chosen[chosen++] = pick;
        }
        for (int k = 0; k < chosen; k++)
        {
            _taken[_chosen[k]] = false;
            s.Remove(_chosen[k]);
        }
    }

    private void RemoveRoute(SolutionState s, ref SearchRandom rng)
    {
        if (s.UsedRoutes == 0) return;
        int skip = rng.Next(s.UsedRoutes);
        for (int v = 0; v < s.Routes.Length; v++)
        {
            if (s.Routes[v].IsEmpty) continue;
            if (skip-- == 0) { s.ClearRoute(v); return; }
        }
    }

    /// <summary>Empties the route with the fewest stops: the first step of an attempt to use one vehicle less.</summary>
    public static void RemoveSmallestRoute(SolutionState s, ref SearchRandom rng)
    {
        int best = -1, bestCount = int.MaxValue, ties = 0;
        for (int v = 0; v < s.Routes.Length; v++)
        {
            int c = s.Routes[v].Count;
            if (c == 0) continue;
            if (c < bestCount) { best = v; bestCount = c; ties = 1; }
            else if (c == bestCount && rng.Next(++ties) == 0) best = v;
        }
        if (best >= 0) s.ClearRoute(best);
    }
}
