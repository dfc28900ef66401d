using Dispatch.Assignment;
using Dispatch.Spatial;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// What the two matching policies (<see cref="RollingHorizonPlanner{TTravel}"/>, the engine's own, and
/// <see cref="ReyesPlanner{TTravel}"/>, the published peer) share: candidate courier columns, a grid to find the
/// couriers nearest each site, a sparse assignment solver, the half service times a stop's timing uses, and a drop
/// sequence buffer of <c>MaxBundleSize</c> + 1. Each policy decides how it groups orders and weighs pairs; the
/// machinery and its sizing live here once.
/// </summary>
internal abstract class SiteMatchingPlanner<TTravel> : Planner<TTravel> where TTravel : struct, ITravelTime
{
    /// <summary>The matching; sized for up to 16k rows and columns up front, grown by a larger tick once.</summary>
    protected readonly SparseAssignmentSolver _solver = new();

    /// <summary>The candidate couriers' free points, for the k nearest to a site.</summary>
    protected readonly CourierGrid _grid = new();

    /// <summary>The couriers taking part in a decision (columns).</summary>
    protected readonly CandidateCouriers _cands = new();

    /// <summary>Candidate couriers per site (<c>CandidateCouriersPerSite</c>) and the largest bundle (<c>MaxBundleSize</c>).</summary>
    protected readonly int _k, _maxBundle;

    /// <summary>Half the pickup and drop-off service minutes: a stop's service is split around its arrival.</summary>
    protected readonly double _halfP, _halfD;

    /// <summary>A bundle's orders in drop sequence while one is built or committed.</summary>
    protected readonly int[] _seq;

    protected SiteMatchingPlanner(EngineState state, TTravel travel, RouteCommitter<TTravel> commit) : base(state, travel, commit)
    {
        _k = state.Options.CandidateCouriersPerSite;
        _maxBundle = state.Options.MaxBundleSize;
        _halfP = state.Options.PickupServiceMinutes * 0.5;
        _halfD = state.Options.DropoffServiceMinutes * 0.5;
        _seq = new int[_maxBundle + 1];
        _useSecondCore = state.Options.UseSecondCore;
    }

    /// <summary><see cref="Dispatch.Engine.DispatchOptions.UseSecondCore"/>: large ticks may run part of their work on the <see cref="FillLane"/>.</summary>
    private readonly bool _useSecondCore;

    /// <summary>Matchings of at least this many rows cost their rows on the <see cref="FillLane"/> (the second core)
    /// while this thread solves them; smaller ones, where the hand-off would cost more than it saves, fill first.</summary>
    internal const int ConcurrentFillMinRows = 2_000;

    /// <summary>Work split by sites (the MDRP planner's bundling and rescue values) over at least this many sites runs its
    /// second half on the fill lane. High, because a split waits for the lane thread to be scheduled: at 2,500 sites (10k
    /// orders) the halves save ~0.6 ms on a quiet machine, and on a busy one the wait for the lane cost 3-5 ms a split.
    /// (The candidate search, split this way before, now runs inside the first matching's fill.)</summary>
    internal const int ConcurrentSplitMinSites = 5_000;

    /// <summary>Runs <paramref name="lower"/> here and <paramref name="upper"/> (delegates created once, writing
    /// disjoint data) on the fill lane when <paramref name="size"/> is large enough and the lane is free; else both here.</summary>
    protected void RunSplit(Action lower, Action upper, int size)
    {
        if (_useSecondCore && size >= ConcurrentSplitMinSites && FillLane.TryStart(upper, null))
        {
            try { lower(); }
            finally { FillLane.Finish(); }
            return;
        }
        lower();
        upper();
    }

    /// <summary>Adds the rows of the problem begun on <see cref="_solver"/> (by <paramref name="fill"/>, a delegate
    /// created once) and solves it. Large problems are filled on the fill lane while this thread solves the rows
    /// already added; the decisions are the same either way (see <see cref="SparseAssignmentSolver.SolveWhileFilling"/>).</summary>
    protected void FillAndSolve(Action fill, int rowBound)
    {
        if (_useSecondCore && rowBound >= ConcurrentFillMinRows && FillLane.TryStart(fill, _solver))
        {
            try { _solver.SolveWhileFilling(); }
            finally { FillLane.Finish(); }
            return;
        }
        fill();
        _solver.Solve();
    }

    /// <summary>Matching edges a tick of <paramref name="rows"/> rows can add: <see cref="_k"/> candidates a row, unless
    /// the policy uses fewer for large ticks.</summary>
    protected virtual int EdgesFor(int rows) => rows * _k;

    /// <summary>Sizes the shared machinery to the stores; each policy then sizes its own buffers.</summary>
    public override void EnsureCapacity()
    {
        int nc = _s.Couriers.Id.Length, no = _s.Orders.Id.Length;
        _cands.EnsureCapacity(nc);
        // Pre-size the matching for up to 16k open orders; a larger tick grows it once.
        _solver.EnsureCapacity(Math.Min(no, 16_384), Math.Min(nc, 16_384), EdgesFor(Math.Min(no, 16_384)));
        _grid.EnsureCapacity(nc);
    }
}
