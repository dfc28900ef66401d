using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// What the engine holds of its profile's policy: one planner, chosen at construction
/// (<see cref="For"/>), that decides at every tick what to commit. The state, the travel rule and the
/// committer are shared by every planner; each sizes its own buffers (<see cref="EnsureCapacity"/>).
/// </summary>
/// <remarks>
/// <see cref="Plan{TSink}"/> is not virtual: a generic virtual method is resolved through the runtime's
/// process-wide cache, whose entries other generic virtual calls can evict, and re-resolving allocates, so
/// the tick would not stay at 0 B. It tests the planner's (sealed) type once per tick instead and calls that
/// planner's own <c>PlanOrders</c>, specialised for the struct sink (no boxing, no interface call per
/// decision). A new planner adds its case there and in <see cref="For"/>.
/// </remarks>
internal abstract class Planner<TTravel> where TTravel : struct, ITravelTime
{
    protected readonly EngineState _s;
    protected TTravel _travel;
    protected readonly RouteCommitter<TTravel> _commit;

    protected Planner(EngineState state, TTravel travel, RouteCommitter<TTravel> commit)
    {
        _s = state;
        _travel = travel;
        _commit = commit;
    }

    /// <summary>The planner of <paramref name="state"/>'s profile.</summary>
    public static Planner<TTravel> For(EngineState state, TTravel travel, RouteCommitter<TTravel> commit) => state.Options.Profile switch
    {
        DispatchProfile.Mdrp => new RollingHorizonPlanner<TTravel>(state, travel, commit),
        DispatchProfile.Greedy => new GreedyPlanner<TTravel>(state, travel, commit),
        DispatchProfile.General => new InsertionPlanner<TTravel>(state, travel, commit),
        DispatchProfile.Reyes => new ReyesPlanner<TTravel>(state, travel, commit),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state.Options.Profile, "unknown dispatch profile"),
    };

    /// <summary>Sizes buffers to the stores' capacities. Called when a store grows, never during the tick.</summary>
    public abstract void EnsureCapacity();

    /// <summary>Decides for everything placed and not yet committed at <paramref name="now"/>; commits into <paramref name="sink"/>.
    /// <paramref name="previousTick"/> (-infinity at the first) lets a policy that decides at a cadence of its own find its
    /// turns from the engine's persisted clock, so a restored engine decides at the same ticks as the original.</summary>
    public void Plan<TSink>(double now, double previousTick, ref TSink sink) where TSink : IAssignmentSink
    {
        switch (this)
        {
            case RollingHorizonPlanner<TTravel> rolling: rolling.PlanOrders(now, ref sink); break;
            case InsertionPlanner<TTravel> insertion: insertion.PlanOrders(now, ref sink); break;
            case GreedyPlanner<TTravel> greedy: greedy.PlanOrders(now, ref sink); break;
            case ReyesPlanner<TTravel> reyes: reyes.PlanOrders(now, previousTick, ref sink); break;
            default: throw new InvalidOperationException($"no tick dispatch for {GetType().Name}");
        }
    }

    /// <summary>True when courier <paramref name="c"/> can be sent now: on shift, its shift started, its committed work done.</summary>
    protected bool IdleNow(int c, double now)
    {
        var cs = _s.Couriers;
        return cs.State[c] == CourierState.OnShift && cs.FreeAt[c] <= now && cs.ShiftStart[c] <= now;
    }

    /// <summary>
    /// Commits the one-site bundle <paramref name="seq"/> to courier <paramref name="c"/> if the pair is due: the courier
    /// is idle now (a busy one keeps the pair provisional) and leaving at the policy's next decision,
    /// <paramref name="nextDecision"/> minutes from now, would miss the food's ready time (postponement: until then the
    /// pair stays open and is decided again). True when it committed.
    /// </summary>
    protected bool CommitIfDue<TSink>(ref TSink sink, int c, ReadOnlySpan<int> seq, double now, double nextDecision) where TSink : IAssignmentSink
    {
        if (!IdleNow(c, now)) return false;
        var cs = _s.Couriers;
        var os = _s.Orders;
        int site = os.Site[seq[0]];
        double ready = LatestReady(seq);
        if (!CommitTiming.MustLeaveNow(ref _travel, cs.X[c], cs.Y[c], _s.Sites.X[site], _s.Sites.Y[site], _s.Options.PickupServiceMinutes * 0.5, ready, now, nextDecision))
            return false;
        _commit.CommitBundle(ref sink, c, seq, now);
        return true;
    }

    /// <summary>When the last of a bundle's orders (<paramref name="seq"/>) is ready: the earliest its courier can pick
    /// it up.</summary>
    protected double LatestReady(ReadOnlySpan<int> seq)
    {
        var ready = _s.Orders.ReadyAt;
        double latest = 0;
        for (int i = 0; i < seq.Length; i++) latest = Math.Max(latest, ready[seq[i]]);
        return latest;
    }

    /// <summary>After a re-plan re-timed courier <paramref name="c"/>'s route: re-sequences its remaining
    /// stops where the profile allows it; true when the route changed. None by default.</summary>
    public virtual bool Resequence(int c) => false;

    /// <summary>The per-tick improvement moves (general profile), or null.</summary>
    public virtual RouteImprover<TTravel>? Improver => null;
}
