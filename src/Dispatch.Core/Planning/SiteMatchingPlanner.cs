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
    }

    /// <summary>Sizes the shared machinery to the stores; each policy then sizes its own buffers.</summary>
    public override void EnsureCapacity()
    {
        int nc = _s.Couriers.Id.Length, no = _s.Orders.Id.Length;
        _cands.EnsureCapacity(nc);
        // Pre-size the matching for up to 16k open orders; a larger tick grows it once.
        _solver.EnsureCapacity(Math.Min(no, 16_384), Math.Min(nc, 16_384), Math.Min(no, 16_384) * _k);
        _grid.EnsureCapacity(nc);
    }
}
