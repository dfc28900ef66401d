namespace Dispatch.Routing.Search;

/// <summary>
/// One adaptive large-neighbourhood search (Ropke &amp; Pisinger 2006) over a problem:
/// regret insertion builds a first solution; then, when vehicles come first, a route-elimination
/// phase empties routes (by this search with one vehicle less, then by an ejection pool:
/// <see cref="RouteMinimizer"/>) until the phase's share of the budget is spent; then the rest of the
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
    /// <summary>Share of the budget (from the start) route elimination by neighbourhood search may use before the
    /// ejection pool takes over (<see cref="EliminateVehicles"/>).</summary>
    private const double NeighbourhoodEliminationShare = 0.15;
    /// <summary>Steps per request after which a route deletion by the ejection pool that has not emptied the pool
    /// starts again (<see cref="EliminateByEjection"/>). Generous: on Li &amp; Lim's 400-task instances a deletion that
    /// succeeds can take 30,000 steps, and restarting after 20 per request instead of 100 did no better there
    /// (bench/results/lilim-400.md, top).</summary>
    private const int RestartStepsPerRequest = 100;
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
    private readonly RouteMinimizer _minimizer;
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
        _minimizer = new RouteMinimizer(pb);
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

    /// <summary>
    /// Empties routes while the elimination share lasts: first by search with a route fewer
    /// (<see cref="EliminateByNeighbourhood"/>, up to <see cref="NeighbourhoodEliminationShare"/>), then by the
    /// ejection pool (<see cref="EliminateByEjection"/>). The search keeps the solutions' cost in view, so the routes it
    /// empties leave a solution the cost phase improves well; the pool insists on placing every request and empties
    /// routes the search cannot (on Li &amp; Lim's 400-task instances it left 12 fewer routes on 22 instances), but the
    /// solutions it leaves are rougher, and starting from them the cost phase stayed above the best-known distance on
    /// 100-task instances where the search alone meets it (bench/results/lilim-400.md, top).
    /// </summary>
    private void EliminateVehicles(SearchBudget budget, CancellationToken cancel)
    {
        EliminateByNeighbourhood(budget, cancel, NeighbourhoodEliminationShare);
        EliminateByEjection(budget, cancel, EliminationShare);
    }

    /// <summary>Route deletions by the ejection pool (<see cref="RouteMinimizer"/>) until the budget reaches
    /// <paramref name="share"/>: each empties a random route and takes steps until the pool is empty (a route fewer:
    /// taken to its local optimum and published), <see cref="RestartStepsPerRequest"/> steps per request have gone by
    /// (the next deletion starts from the best again) or the share is spent (the best is what it was). Every
    /// <see cref="Segment"/> steps a parallel search's solution with fewer routes is adopted, and the next deletion
    /// starts from it.</summary>
    internal void EliminateByEjection(SearchBudget budget, CancellationToken cancel, double share)
    {
        long steps = 0;
        while (!cancel.IsCancellationRequested && _best.PendingCount == 0 && _best.UsedRoutes > 1)
        {
            if (budget.Progress(Iterations) >= share) return;
            _work.CopyFrom(_best, default, all: true);
            _minimizer.Begin(_work, ref _rng);
            bool restart = false;
            long began = steps;
            while (_work.PendingCount > 0)
            {
                // A deletion that has not emptied the pool in this many steps starts again from the best, with another
                // random route: some routes cannot be deleted (a request that fits only alone), whatever the steps.
                if (steps - began > RestartStepsPerRequest * (long)_servable) { restart = true; break; }
                if (cancel.IsCancellationRequested || budget.Progress(Iterations) >= share) { _work.ClearDirty(); return; }
                _minimizer.Step(_work, ref _rng);
                Iterations++;
                if (++steps % Segment == 0 && _shared is not null && Adopt(forCost: false)) { restart = true; break; }
            }
            _work.ClearDirty();
            if (restart) continue;
            _localSearch.Descend(_work, budget.Deadline, cancel);
            _work.ClearDirty();
            if (SolutionState.IsBetter(_work, _best, _vehiclesFirst)) PublishBest(_work);
        }
    }

    /// <summary>Route deletions by large-neighbourhood search until the budget reaches <paramref name="share"/>: the
    /// smallest route is emptied, regret insertion puts back what fits, and the search runs with a route fewer until
    /// nothing is pending (and tries again) or the share is spent.</summary>
    private void EliminateByNeighbourhood(SearchBudget budget, CancellationToken cancel, double share)
    {
        while (!cancel.IsCancellationRequested && _best.PendingCount == 0 && _best.UsedRoutes > 1)
        {
            double now = budget.Progress(Iterations);
            if (now >= share) return;
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
            if (Improve(budget, now, share, target, stopWhenComplete: true, cancel) == Outcome.BudgetSpent) return;
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
            if (SolutionState.IsBetter(_work, _best, _vehiclesFirst)) _localSearch.Descend(_work, budget.Deadline, cancel);
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
