using System.Diagnostics;
using Dispatch.Routing.Search;

namespace Dispatch.Routing;

/// <summary>
/// Solves a whole <see cref="RoutingProblem"/> (pickup and delivery with time windows, capacities,
/// depots, shifts, vehicle costs) under a time or iteration limit: regret insertion, then adaptive
/// large-neighbourhood search with a vehicle-elimination phase when vehicles come first. Anytime:
/// <see cref="BestSoFar"/> may be read from another thread while <see cref="Solve"/> runs.
/// Requests no vehicle could serve even alone come back unassigned with the constraint at fault.
/// </summary>
public sealed class RouteOptimizer
{
    private readonly RoutingProblem _problem;
    private readonly OptimizerOptions _options;
    private readonly CompiledProblem _pb;
    private readonly List<UnassignedRequest> _unservable = [];
    private readonly int[] _servable;
    private readonly AlnsSearch[] _searches;
    private long _startTimestamp;

    /// <summary>Prepares the search (matrices, per-stop arrays, every buffer the search will use).</summary>
    public RouteOptimizer(RoutingProblem problem, OptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        _problem = problem;
        _options = options ?? new OptimizerOptions();
        if (_options.TimeLimit is null && _options.MaxIterations is null)
            throw new ArgumentException("OptimizerOptions: give a TimeLimit, a MaxIterations or both; the search is anytime and needs a budget");
        if (_options.TimeLimit is { } t && t <= TimeSpan.Zero) throw new ArgumentException($"OptimizerOptions.TimeLimit must be positive, got {t}");
        if (_options.MaxIterations is { } m && m < 0) throw new ArgumentException($"OptimizerOptions.MaxIterations must be 0 or more, got {m}");
        if (_options.Threads < 1) throw new ArgumentException($"OptimizerOptions.Threads must be at least 1, got {_options.Threads}");
        _pb = new CompiledProblem(problem);
        var servable = new List<int>(_pb.Requests);
        // Every vehicle's empty route, built once: each request is tried alone on each of them.
        var empty = new SolutionState(_pb);
        for (int r = 0; r < _pb.Requests; r++)
        {
            var why = Diagnose(r, empty);
            if (why is null) servable.Add(r);
            else _unservable.Add(new UnassignedRequest(r, problem.Requests[r].Id, why.Value.Reason, why.Value.Detail));
        }
        _servable = servable.ToArray();
        _searches = new AlnsSearch[_options.Threads];
        var shared = _searches.Length > 1 ? new SharedBest(_pb, _options.MinimizeVehiclesFirst) : null;
        for (int k = 0; k < _searches.Length; k++)
            _searches[k] = new AlnsSearch(_pb, _options.MinimizeVehiclesFirst, _options.Seed + 7919L * k, shared);
    }

    /// <summary>Searches until the budget is spent (or <paramref name="cancel"/> fires) and returns the best solution.</summary>
    public RoutingSolution Solve(CancellationToken cancel = default)
    {
        _startTimestamp = Stopwatch.GetTimestamp();
        var budget = new SearchBudget(_options.TimeLimit, _options.MaxIterations, _startTimestamp);
        if (_searches.Length == 1) _searches[0].Run(_servable, budget, cancel);
        else
        {
            var threads = new Thread[_searches.Length];
            for (int k = 0; k < threads.Length; k++)
            {
                var search = _searches[k];
                threads[k] = new Thread(() => search.Run(_servable, budget, cancel)) { IsBackground = true, Name = $"route-optimizer-{k}" };
                threads[k].Start();
            }
            foreach (var th in threads) th.Join();
        }
        return BestSoFar();
    }

    /// <summary>The best solution found so far (safe to call while <see cref="Solve"/> runs on another thread).</summary>
    public RoutingSolution BestSoFar()
    {
        AlnsSearch? pick = null;
        SolutionState? pickState = null;
        long iterations = 0;
        long firstComplete = -1;
        foreach (var s in _searches)
        {
            iterations += s.Iterations;
            if (s.FirstCompleteTimestamp >= 0 && (firstComplete < 0 || s.FirstCompleteTimestamp < firstComplete)) firstComplete = s.FirstCompleteTimestamp;
            lock (s.BestLock)
            {
                var b = s.Best;
                if (pickState is null || SolutionState.IsBetter(b, pickState, _options.MinimizeVehiclesFirst)) { pick = s; pickState = b; }
            }
        }
        lock (pick!.BestLock) return Build(pick.Best, iterations, firstComplete);
    }

    private RoutingSolution Build(SolutionState s, long iterations, long firstCompleteTimestamp)
    {
        int dims = _pb.Dims;
        int outDims = _problem.Dimensions;
        var routes = new List<PlannedRoute>();
        for (int v = 0; v < _pb.Vehicles; v++)
        {
            var route = s.Routes[v];
            if (route.IsEmpty) continue;
            var visits = new RouteVisit[route.Count];
            for (int k = 1; k <= route.Count; k++)
            {
                int stop = route.Stop[k], prev = route.Stop[k - 1];
                int r = CompiledProblem.RequestOf(stop);
                double arrival = route.Start[k - 1] + _pb.StopService[prev] + _pb.Travel(prev, stop);
                var load = new int[outDims];
                for (int d = 0; d < outDims; d++) load[d] = route.Load[k * dims + d];
                visits[k - 1] = new RouteVisit(r, _problem.Requests[r].Id, (stop & 1) == 0, _pb.StopLocation[stop] == _pb.Locations - 1 ? -1 : _pb.StopLocation[stop],
                    arrival, route.Start[k], route.Start[k] + _pb.StopService[stop], load) { LateMinutes = LateAt(stop, route.Start[k]) };
            }
            var startLoad = new int[outDims];
            for (int d = 0; d < outDims; d++) startLoad[d] = route.Load[d];
            int last = route.Count + 1;
            double end = route.Start[last - 1] + _pb.StopService[route.Stop[last - 1]] + _pb.Travel(route.Stop[last - 1], route.Stop[last]);
            routes.Add(new PlannedRoute(v, _problem.Vehicles[v].Id, route.Start[0], end, startLoad, visits, route.Distance, route.Travel, route.Cost)
            {
                OvertimeMinutes = LateAt(route.Stop[last], route.Start[last]),
            });
        }
        var unassigned = new List<UnassignedRequest>(_unservable);
        for (int k = 0; k < s.PendingCount; k++)
        {
            int r = s.Pending[k];
            unassigned.Add(new UnassignedRequest(r, _problem.Requests[r].Id, UnassignedReason.FleetExhausted,
                "fits a vehicle on its own, but not beside the other requests with the vehicles given"));
        }
        unassigned.Sort((a, b) => a.RequestIndex.CompareTo(b.RequestIndex));
        long now = Stopwatch.GetTimestamp();
        TimeSpan? first = firstCompleteTimestamp >= 0 ? Stopwatch.GetElapsedTime(_startTimestamp, firstCompleteTimestamp) : null;
        return new RoutingSolution(routes, unassigned, iterations, Stopwatch.GetElapsedTime(_startTimestamp, now), first);
    }

    private double LateAt(int stop, double start) => Math.Max(0, start - _pb.StopSoftLatest[stop]);

    /// <summary>Null when some vehicle can serve the request alone; otherwise the first constraint that stops every vehicle.</summary>
    private (UnassignedReason Reason, string Detail)? Diagnose(int r, SolutionState empty)
    {
        bool capacityOk = false, pickupOk = false, deliveryOk = false;
        int dims = _pb.Dims;
        var q = _problem.Requests[r];
        for (int v = 0; v < _pb.Vehicles; v++)
        {
            if (!double.IsPositiveInfinity(Insertion.Best(_pb, empty.Routes[v], r, out _, out _))) return null;
            bool fits = true;
            for (int d = 0; d < dims; d++) fits &= _pb.RequestAmount[r * dims + d] <= _pb.Capacity[v * dims + d];
            if (!fits) continue;
            capacityOk = true;
            int start = _pb.StartStop(v);
            int first = _pb.HasPickup[r] ? CompiledProblem.PickupStop(r) : CompiledProblem.DeliveryStop(r);
            double t = Math.Max(_pb.StopEarliest[start] + _pb.Travel(start, first), _pb.StopEarliest[first]);
            if (t > _pb.StopLatest[first]) continue;
            pickupOk = true;
            if (_pb.HasPickup[r] && _pb.HasDelivery[r])
            {
                int dl = CompiledProblem.DeliveryStop(r);
                double td = Math.Max(t + _pb.StopService[first] + _pb.Travel(first, dl), _pb.StopEarliest[dl]);
                if (td > _pb.StopLatest[dl]) continue;
            }
            deliveryOk = true;
        }
        if (!capacityOk) return (UnassignedReason.CapacityExceeded, $"amount [{string.Join(", ", q.Amount)}] exceeds every vehicle's capacity");
        if (!pickupOk)
        {
            return _pb.HasPickup[r]
                ? (UnassignedReason.PickupWindowUnreachable, $"no vehicle reaches the pickup by {q.PickupWindow.Latest}")
                : (UnassignedReason.DeliveryWindowUnreachable, $"no vehicle reaches the delivery by {q.DeliveryWindow.Latest}");
        }
        if (!deliveryOk) return (UnassignedReason.DeliveryWindowUnreachable, $"no vehicle reaches the delivery by {q.DeliveryWindow.Latest} after the pickup");
        return (UnassignedReason.ShiftTooShort, "no vehicle can serve it and be back at its end within its shift");
    }
}
