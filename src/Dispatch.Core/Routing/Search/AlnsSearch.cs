namespace Dispatch.Routing.Search;

/// <summary>
/// One adaptive large-neighbourhood search (Ropke &amp; Pisinger 2006) over a problem:
/// regret insertion builds a first solution; then, when vehicles come first, a route-elimination
/// phase empties the smallest route and searches with one vehicle less until every request is back
/// on a route (and tries again) or the phase's share of the budget is spent; then the rest of the
/// budget lowers cost with the fleet it reached. Each iteration ruins (random, worst, related,
/// whole route) and recreates (greedy, regret-2/3/4, or regret-2 with the requests most often left
/// pending first; with or without noise), operators chosen by
/// adaptive weights, accepted by simulated annealing; a solution about to become the best is first
/// taken to its local optimum by <see cref="LocalSearch"/> (pair relocate, 2-opt*). Everything is preallocated: an iteration
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
    /// <summary>
    /// Most requests one ruin removes. Ropke &amp; Pisinger remove up to 40 % of the requests (at most
    /// 100), for a fixed iteration count; under a time limit an iteration's repair cost grows with the
    /// square of what was removed, so large problems would get few iterations. Capped lower, a
    /// 400-task instance gets 2-4 times the iterations for the same or better result.
    /// </summary>
    private const int MaxRuin = 40;

    private readonly CompiledProblem _pb;
    private readonly SolutionState _work, _current, _best;
    private readonly Ruin _ruin;
    private readonly Recreate _recreate;
    private readonly LocalSearch _localSearch;
    private readonly bool _vehiclesFirst;
    private readonly double _penalty;
    private SearchRandom _rng;
    private int _servable;
    private readonly SharedBest? _shared;
    private long _sharedSeen;

    /// <summary>Why a run of iterations stopped.</summary>
    private enum Outcome : byte { BudgetSpent, Complete, Adopted }

    private readonly double[] _ruinWeight = [1, 1, 1, 1], _ruinScore = new double[4];
    private readonly int[] _ruinUses = new int[4];
    // Insertion operators: greedy, regret-2, regret-3, regret-4, and regret-2 hardest first.
    private const int HardestFirst = 4;
    private readonly double[] _insertWeight = [1, 1, 1, 1, 1], _insertScore = new double[5];
    private readonly int[] _insertUses = new int[5];
    /// <summary>How often each request was left pending after an iteration: learned hardness.</summary>
    private readonly int[] _hardness;
    private readonly double[] _noiseWeight = [1, 1], _noiseScore = new double[2];
    private readonly int[] _noiseUses = new int[2];

    public AlnsSearch(CompiledProblem pb, bool vehiclesFirst, long seed, SharedBest? shared = null)
    {
        _shared = shared;
        _pb = pb;
        _work = new SolutionState(pb);
        _current = new SolutionState(pb);
        _best = new SolutionState(pb);
        _ruin = new Ruin(pb);
        _recreate = new Recreate(pb);
        _localSearch = new LocalSearch(pb);
        _vehiclesFirst = vehiclesFirst;
        _penalty = pb.UnassignedPenalty;
        _rng = new SearchRandom(seed);
        _hardness = new int[pb.Requests];
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
        double from = budget.Progress(Iterations);
        Outcome outcome;
        do
        {
            // Restarted from the best whenever another search's better solution was adopted.
            int maxRoutes = _vehiclesFirst && _best.PendingCount == 0 ? _best.UsedRoutes : _pb.Vehicles;
            _current.CopyFrom(_best, default, all: true);
            _work.CopyFrom(_best, default, all: true);
            outcome = Improve(budget, from, 1.0, maxRoutes, stopWhenComplete: false, cancel);
        }
        while (outcome == Outcome.Adopted);
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
            if (Improve(budget, now, EliminationShare, target, stopWhenComplete: true, cancel) == Outcome.BudgetSpent) return;
        }
    }

    /// <summary>
    /// ALNS iterations between two budget fractions with at most <paramref name="maxRoutes"/> routes.
    /// Stops when the budget share is spent, when every request is on a route (with
    /// <paramref name="stopWhenComplete"/>), or when a better solution of a parallel search was adopted
    /// into the best (the caller restarts from it).
    /// </summary>
    private Outcome Improve(SearchBudget budget, double from, double to, int maxRoutes, bool stopWhenComplete, CancellationToken cancel)
    {
        double startCost = _current.RoutesCost > 0 ? _current.RoutesCost : 1;
        double t0 = StartWorse * startCost / Math.Log(2);
        double span = Math.Max(1e-9, to - from);
        double phaseBest = _current.Objective(_penalty);
        int qMax = Math.Max(1, Math.Min(MaxRuin, (int)(0.4 * _servable)));
        int qMin = Math.Min(4, qMax);
        int inSegment = 0;

        while (true)
        {
            double progress = budget.Progress(Iterations);
            if (progress >= to || cancel.IsCancellationRequested) return Outcome.BudgetSpent;
            double temperature = t0 * Math.Pow(CoolTo, (progress - from) / span);

            int ruin = Roulette(_ruinWeight);
            int insert = Roulette(_insertWeight);
            int noise = Roulette(_noiseWeight);
            int q = _rng.Next(qMin, qMax);
            _ruin.Apply((RuinKind)ruin, _work, q, ref _rng);
            if (insert == HardestFirst) _recreate.Run(_work, 2, noise == 1, maxRoutes, ref _rng, _hardness);
            else _recreate.Run(_work, insert + 1, noise == 1, maxRoutes, ref _rng);
            for (int k = 0; k < _work.PendingCount; k++) _hardness[_work.Pending[k]]++;
            // A would-be best is taken to its local optimum under relocate and 2-opt* first.
            if (SolutionState.IsBetter(_work, _best, _vehiclesFirst)) _localSearch.Descend(_work);
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
                if (_shared is not null && Adopt(forCost: !stopWhenComplete)) return Outcome.Adopted;
            }
            if (stopWhenComplete && _current.PendingCount == 0) return Outcome.Complete;
        }
    }

    private bool Adopt(bool forCost)
    {
        lock (BestLock) return _shared!.TakeIfBetter(_best, ref _sharedSeen, forCost);
    }

    private void PublishBest(SolutionState from)
    {
        lock (BestLock) _best.CopyFrom(from, default, all: true);
        _shared?.Offer(from);
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
