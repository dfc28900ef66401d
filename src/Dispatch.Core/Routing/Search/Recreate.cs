namespace Dispatch.Routing.Search;

/// <summary>
/// Regret-k insertion ("recreate"): repeatedly inserts the pending request whose best insertion
/// would cost most to postpone (the sum of the differences between its best route and its 2nd..kth
/// best), at its cheapest feasible position; k = 1 is plain greedy insertion. The cheapest insertion
/// of every pending request into every candidate route is cached and only the changed route's
/// column is re-evaluated after each insertion. Candidate routes are the used ones plus one empty
/// route per class of interchangeable vehicles, while fewer than the allowed number are in use.
/// Optional noise (Ropke &amp; Pisinger) perturbs each cached cost to diversify.
/// </summary>
internal sealed class Recreate
{
    private readonly CompiledProblem _pb;
    private readonly double[] _cost;   // request x vehicle
    private readonly int[] _posI, _posJ;
    private readonly int[] _candidates;
    private readonly bool[] _isCandidate;
    private readonly bool[] _classOpen;
    private int _candidateCount;
    private readonly double _noiseAmplitude;

    public Recreate(CompiledProblem pb)
    {
        _pb = pb;
        _cost = new double[pb.Requests * pb.Vehicles];
        _posI = new int[pb.Requests * pb.Vehicles];
        _posJ = new int[pb.Requests * pb.Vehicles];
        _candidates = new int[pb.Vehicles];
        _isCandidate = new bool[pb.Vehicles];
        _classOpen = new bool[pb.Vehicles];
        _noiseAmplitude = 0.025 * pb.MaxArcCost;
    }

    /// <summary>
    /// Inserts pending requests until none fits; those left stay pending. With
    /// <paramref name="hardness"/>, requests that were left pending more often go first (regret breaks
    /// ties): what the search has learned is hard gets the room before the easy ones take it.
    /// </summary>
    public void Run(SolutionState s, int regret, bool noise, int maxRoutes, ref SearchRandom rng, int[]? hardness = null)
    {
        if (s.PendingCount == 0) return;
        int vehicles = _pb.Vehicles;
        BuildCandidates(s, maxRoutes);
        for (int k = 0; k < _candidateCount; k++) EvaluateColumn(s, _candidates[k], noise, ref rng);

        while (s.PendingCount > 0)
        {
            int bestIdx = -1, bestVehicle = -1;
            double bestScore = double.NegativeInfinity, bestFirst = double.PositiveInfinity;
            long bestHard = long.MinValue;
            for (int idx = 0; idx < s.PendingCount; idx++)
            {
                int r = s.Pending[idx];
                int row = r * vehicles;
                // The k cheapest route costs, in order (k <= 4).
                double c1 = double.PositiveInfinity, c2 = double.PositiveInfinity, c3 = double.PositiveInfinity, c4 = double.PositiveInfinity;
                int v1 = -1;
                for (int k = 0; k < _candidateCount; k++)
                {
                    int v = _candidates[k];
                    double c = _cost[row + v];
                    if (c < c1) { c4 = c3; c3 = c2; c2 = c1; c1 = c; v1 = v; }
                    else if (c < c2) { c4 = c3; c3 = c2; c2 = c; }
                    else if (c < c3) { c4 = c3; c3 = c; }
                    else if (c < c4) c4 = c;
                }
                if (v1 < 0) continue;
                double score;
                if (regret <= 1) score = -c1;
                else
                {
                    // A request that fits few routes is urgent: a missing alternative counts as a large regret.
                    double big = _pb.UnassignedPenalty;
                    score = Math.Min(c2 - c1, big);
                    if (regret >= 3) score += Math.Min(c3 - c1, big);
                    if (regret >= 4) score += Math.Min(c4 - c1, big);
                }
                // Higher priority first (what is left out should be what matters least), then learned hardness.
                long hard = ((long)_pb.RequestPriority[r] << 32) + (hardness is null ? 0 : hardness[r]);
                if (hard > bestHard || (hard == bestHard && (score > bestScore || (score == bestScore && c1 < bestFirst))))
                {
                    bestHard = hard; bestScore = score; bestFirst = c1; bestIdx = idx; bestVehicle = v1;
                }
            }
            if (bestIdx < 0) break;
            int req = s.Pending[bestIdx];
            int cell = req * vehicles + bestVehicle;
            bool opened = s.Routes[bestVehicle].IsEmpty;
            s.Insert(req, bestVehicle, _posI[cell], _posJ[cell]);
            s.RemovePendingAt(bestIdx);
            EvaluateColumn(s, bestVehicle, noise, ref rng);
            if (opened) OnRouteOpened(s, bestVehicle, maxRoutes, noise, ref rng);
        }
    }

    private void BuildCandidates(SolutionState s, int maxRoutes)
    {
        _candidateCount = 0;
        Array.Clear(_isCandidate);
        Array.Clear(_classOpen);
        for (int v = 0; v < _pb.Vehicles; v++)
        {
            if (!s.Routes[v].IsEmpty) AddCandidate(v);
        }
        if (s.UsedRoutes >= maxRoutes) return;
        for (int v = 0; v < _pb.Vehicles; v++)
        {
            int cls = _pb.VehicleClass[v];
            if (s.Routes[v].IsEmpty && !_classOpen[cls])
            {
                _classOpen[cls] = true;
                AddCandidate(v);
            }
        }
    }

    private void AddCandidate(int v)
    {
        _isCandidate[v] = true;
        _candidates[_candidateCount++] = v;
    }

    /// <summary>A route just got its first request: offer the next empty vehicle of its class, or close every empty one when the fleet limit is reached.</summary>
    private void OnRouteOpened(SolutionState s, int vehicle, int maxRoutes, bool noise, ref SearchRandom rng)
    {
        if (s.UsedRoutes >= maxRoutes)
        {
            int kept = 0;
            for (int k = 0; k < _candidateCount; k++)
            {
                int v = _candidates[k];
                if (s.Routes[v].IsEmpty) { _isCandidate[v] = false; continue; }
                _candidates[kept++] = v;
            }
            _candidateCount = kept;
            return;
        }
        int cls = _pb.VehicleClass[vehicle];
        for (int v = 0; v < _pb.Vehicles; v++)
        {
            if (_pb.VehicleClass[v] != cls || !s.Routes[v].IsEmpty || _isCandidate[v]) continue;
            AddCandidate(v);
            EvaluateColumn(s, v, noise, ref rng);
            return;
        }
    }

    private void EvaluateColumn(SolutionState s, int v, bool noise, ref SearchRandom rng)
    {
        var route = s.Routes[v];
        int vehicles = _pb.Vehicles;
        for (int idx = 0; idx < s.PendingCount; idx++)
        {
            int r = s.Pending[idx];
            int cell = r * vehicles + v;
            double c = Insertion.Best(_pb, route, r, out _posI[cell], out _posJ[cell]);
            if (noise && c < double.PositiveInfinity) c = Math.Max(0, c + _noiseAmplitude * (2 * rng.NextDouble() - 1));
            _cost[cell] = c;
        }
    }
}
