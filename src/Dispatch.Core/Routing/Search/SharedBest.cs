namespace Dispatch.Routing.Search;

/// <summary>
/// Where parallel searches meet: each offers its new best solutions here and, now and then, takes
/// a better one offered by another. A search adopts another's solution when it has fewer pending
/// requests or fewer routes (so one search's success at emptying a route is every search's next
/// starting point), or costs clearly less; small cost differences are left alone so the searches
/// keep exploring different places.
/// </summary>
internal sealed class SharedBest
{
    /// <summary>A cost this much lower (relative) is worth abandoning one's own trajectory for.</summary>
    private const double AdoptMargin = 0.005;

    private readonly object _lock = new();
    private readonly SolutionState _state;
    private readonly bool _vehiclesFirst;
    private long _version;

    public SharedBest(CompiledProblem pb, bool vehiclesFirst)
    {
        _state = new SolutionState(pb);
        _vehiclesFirst = vehiclesFirst;
    }

    public void Offer(SolutionState s)
    {
        lock (_lock)
        {
            if (_version != 0 && !SolutionState.IsBetter(s, _state, _vehiclesFirst)) return;
            _state.CopyFrom(s, default, all: true);
            _version++;
        }
    }

    /// <summary>
    /// Copies the shared solution into <paramref name="into"/> when it is worth adopting and has changed
    /// since <paramref name="seen"/>. Without <paramref name="forCost"/> (while emptying routes) only
    /// fewer pending requests or routes count: two searches trying different ways to lose a route
    /// should not be pulled onto one track by a cheaper solution with the same routes.
    /// </summary>
    public bool TakeIfBetter(SolutionState into, ref long seen, bool forCost)
    {
        if (Volatile.Read(ref _version) == seen) return false;
        lock (_lock)
        {
            seen = _version;
            bool samePending = _state.PendingPriority == into.PendingPriority && _state.PendingCount == into.PendingCount;
            bool adopt = _state.PendingPriority < into.PendingPriority
                || (_state.PendingPriority == into.PendingPriority && _state.PendingCount < into.PendingCount)
                || (samePending && _vehiclesFirst && _state.UsedRoutes < into.UsedRoutes)
                || (forCost && samePending && (!_vehiclesFirst || _state.UsedRoutes == into.UsedRoutes)
                    && _state.RoutesCost < into.RoutesCost * (1 - AdoptMargin));
            if (!adopt) return false;
            into.CopyFrom(_state, default, all: true);
            return true;
        }
    }
}
