namespace Dispatch.Routing.Search;

/// <summary>
/// One adaptive large-neighbourhood search (Ropke &amp; Pisinger 2006) over a problem:
/// regret insertion builds a first solution; then, when vehicles come first, a route-elimination
/// phase empties the smallest route and searches with one vehicle less until every request is back
/// on a route (and tries again) or the phase's share of the budget is spent; then the rest of the
/// budget lowers cost with the fleet it reached. Each iteration ruins (random, worst, related,
/// whole route) and recreates (greedy or regret-2/3/4, with or without noise), operators chosen by
/// adaptive weights, accepted by simulated annealing. Everything is preallocated: an iteration
/// allocates nothing.
/// </summary>
internal sealed class AlnsSearch
{
    // Operator scores (Ropke & Pisinger): new best, better than current, accepted though worse.
    private const double ScoreBest = 33, ScoreBetter = 9, ScoreAccepted = 13;
    private const double Reaction = 0.1;
    private const int Segment = 100;
    /// <summary>A solution this much worse than the start is accepted with probability 1/2 at the start temperature.</summary>
    private const double StartWorse = 0.05;
    /// <summary>Final temperature as a fraction of the start temperature.</summary>
    private const double CoolTo = 0.002;
    /// <summary>Share of the budget the vehicle-elimination phase may use.</summary>
    private const double EliminationShare = 0.5;

    private readonly CompiledProblem _pb;
    private readonly SolutionState _work, _current, _best;
    private readonly Ruin _ruin;
    private readonly Recreate _recreate;
    private readonly bool _vehiclesFirst;
    private readonly double _penalty;
    private SearchRandom _rng;
    private int _servable;

    private readonly double[] _ruinWeight = [1, 1, 1, 1], _ruinScore = new double[4];
    private readonly int[] _ruinUses = new int[4];
    private readonly double[] _insertWeight = [1, 1, 1, 1], _insertScore = new double[4];
    private readonly int[] _insertUses = new int[4];
    private readonly double[] _noiseWeight = [1, 1], _noiseScore = new double[2];
    private readonly int[] _noiseUses = new int[2];

    public AlnsSearch(CompiledProblem pb, bool vehiclesFirst, long seed)
    {
        _pb = pb;
        _work = new SolutionState(pb);
        _current = new SolutionState(pb);
        _best = new SolutionState(pb);
        _ruin = new Ruin(pb);
        _recreate = new Recreate(pb);
        _vehiclesFirst = vehiclesFirst;
        _penalty = pb.UnassignedPenalty;
        _rng = new SearchRandom(seed);
    }

    /// <summary>Held while the best solution is written; take it to read <see cref="Best"/> from another thread.</summary>
    public object BestLock { get; } = new();
    /// <summary>The best solution so far (read under <see cref="BestLock"/> while the search runs).</summary>
    public SolutionState Best => _best;
    public long Iterations { get; private set; }
    /// <summary>Stopwatch timestamp when the search first had every request on a route, or -1.</summary>
    public long FirstCompleteTimestamp { get; private set; } = -1;

    /// <summary>Runs the whole search on the given (servable) requests until the budget is spent or cancelled.</summary>
    public void Run(ReadOnlySpan<int> requests, SearchBudget budget, CancellationToken cancel)
    {
        Construct(requests);
        if (_vehiclesFirst) EliminateVehicles(budget, cancel);
        ImproveCost(budget, cancel);
    }

    /// <summary>The first solution: regret-2 insertion of every request with the whole fleet.</summary>
    internal void Construct(ReadOnlySpan<int> requests)
    {
        _servable = requests.Length;
        foreach (int r in requests) _work.AddPending(r);
        _recreate.Run(_work, 2, false, _pb.Vehicles, ref _rng);
        _work.ClearDirty();
        _current.CopyFrom(_work, default, all: true);
        PublishBest(_work);
    }

    /// <summary>The cost phase: from the best solution, never with more vehicles than it has when vehicles come first.</summary>
    internal void ImproveCost(SearchBudget budget, CancellationToken cancel)
    {
        int maxRoutes = _vehiclesFirst && _best.PendingCount == 0 ? _best.UsedRoutes : _pb.Vehicles;
        _current.CopyFrom(_best, default, all: true);
        _work.CopyFrom(_best, default, all: true);
        Improve(budget, budget.Progress(Iterations), 1.0, maxRoutes, stopWhenComplete: false, cancel);
    }

    private void EliminateVehicles(SearchBudget budget, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested && _best.PendingCount == 0 && _best.UsedRoutes > 1)
        {
            double now = budget.Progress(Iterations);
            if (now >= EliminationShare) return;
            int target = _best.UsedRoutes - 1;
            _work.CopyFrom(_best, default, all: true);
            Ruin.RemoveSmallestRoute(_work, ref _rng);
            _recreate.Run(_work, 2, false, target, ref _rng);
            _work.ClearDirty();
            _current.CopyFrom(_work, default, all: true);
            if (_work.PendingCount == 0)
            {
                PublishBest(_work);
                continue;
            }
            if (!Improve(budget, now, EliminationShare, target, stopWhenComplete: true, cancel)) return;
        }
    }

    /// <summary>
    /// ALNS iterations between two budget fractions with at most <paramref name="maxRoutes"/> routes.
    /// Returns true when it stopped because every request is on a route (with <paramref name="stopWhenComplete"/>).
    /// </summary>
    private bool Improve(SearchBudget budget, double from, double to, int maxRoutes, bool stopWhenComplete, CancellationToken cancel)
    {
        double startCost = _current.RoutesCost > 0 ? _current.RoutesCost : 1;
        double t0 = StartWorse * startCost / Math.Log(2);
        double span = Math.Max(1e-9, to - from);
        double phaseBest = _current.Objective(_penalty);
        int qMax = Math.Max(1, Math.Min(100, (int)(0.4 * _servable)));
        int qMin = Math.Min(4, qMax);
        int inSegment = 0;

        while (true)
        {
            double progress = budget.Progress(Iterations);
            if (progress >= to || cancel.IsCancellationRequested) return false;
            double temperature = t0 * Math.Pow(CoolTo, (progress - from) / span);

            int ruin = Roulette(_ruinWeight);
            int insert = Roulette(_insertWeight);
            int noise = Roulette(_noiseWeight);
            int q = _rng.Next(qMin, qMax);
            _ruin.Apply((RuinKind)ruin, _work, q, ref _rng);
            _recreate.Run(_work, insert + 1, noise == 1, maxRoutes, ref _rng);
            Iterations++;

            double next = _work.Objective(_penalty);
            double cur = _current.Objective(_penalty);
            double score = 0;
            bool accept;
            if (next < cur - 1e-9) { accept = true; score = ScoreBetter; }
            else if (next <= cur + 1e-9) accept = true;
            else
            {
                accept = _rng.NextDouble() < Math.Exp((cur - next) / temperature);
                if (accept) score = ScoreAccepted;
            }
            if (next < phaseBest - 1e-9) { phaseBest = next; score = ScoreBest; }

            if (accept) _current.CopyFrom(_work, _work.DirtyRoutes, all: false);
            else _work.CopyFrom(_current, _work.DirtyRoutes, all: false);
            _work.ClearDirty();
            if (accept && SolutionState.IsBetter(_current, _best, _vehiclesFirst)) PublishBest(_current);

            _ruinScore[ruin] += score; _ruinUses[ruin]++;
            _insertScore[insert] += score; _insertUses[insert]++;
            _noiseScore[noise] += score; _noiseUses[noise]++;
            if (++inSegment == Segment)
            {
                inSegment = 0;
                Adapt(_ruinWeight, _ruinScore, _ruinUses);
                Adapt(_insertWeight, _insertScore, _insertUses);
                Adapt(_noiseWeight, _noiseScore, _noiseUses);
                // Re-add route costs now and then so float drift from many deltas never builds up.
                _current.Resum();
                _work.Resum();
            }
            if (stopWhenComplete && _current.PendingCount == 0) return true;
        }
    }

    private void PublishBest(SolutionState from)
    {
        lock (BestLock) _best.CopyFrom(from, default, all: true);
        if (FirstCompleteTimestamp < 0 && from.PendingCount == 0) FirstCompleteTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    private int Roulette(double[] weights)
    {
        double total = 0;
        foreach (double w in weights) total += w;
        double x = _rng.NextDouble() * total;
        for (int i = 0; i < weights.Length - 1; i++)
        {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.Length - 1;
    }

    private static void Adapt(double[] weight, double[] score, int[] uses)
    {
        for (int i = 0; i < weight.Length; i++)
        {
            if (uses[i] > 0) weight[i] = (1 - Reaction) * weight[i] + Reaction * score[i] / uses[i];
            // A floor keeps every operator in play.
            if (weight[i] < 0.05) weight[i] = 0.05;
            score[i] = 0;
            uses[i] = 0;
        }
    }
}
