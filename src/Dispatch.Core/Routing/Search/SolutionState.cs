namespace Dispatch.Routing.Search;

/// <summary>
/// A whole solution in search form: one <see cref="RouteState"/> per vehicle, the vehicle of each
/// request (-1 when pending), the pending requests, and each stop's position in its route.
/// </summary>
internal sealed class SolutionState
{
    public readonly CompiledProblem Pb;
    public readonly RouteState[] Routes;
    public readonly int[] RequestVehicle;
    public readonly int[] StopPosition;
    public readonly int[] Pending;
    public int PendingCount;
    /// <summary>Sum of the pending requests' priorities: what a solution leaves unserved comes first in its order.</summary>
    public long PendingPriority;
    public int UsedRoutes;
    public double RoutesCost;
    private readonly bool[] _dirty;
    private readonly int[] _dirtyList;
    private int _dirtyCount;

    public SolutionState(CompiledProblem pb)
    {
        Pb = pb;
        Routes = new RouteState[pb.Vehicles];
        // Routes sized for every stop when that is affordable, so a search never grows a buffer
        // mid-flight; on very large problems they start smaller and double when needed.
        long all = 2L * pb.Requests;
        int guess = all * pb.Vehicles <= 1 << 22 ? (int)all : (int)Math.Min(all, 2 * (pb.Requests / Math.Max(1, pb.Vehicles) + 8));
        for (int v = 0; v < pb.Vehicles; v++) Routes[v] = new RouteState(pb, v, guess);
        RequestVehicle = new int[pb.Requests];
        Array.Fill(RequestVehicle, -1);
        StopPosition = new int[pb.Stops];
        Pending = new int[pb.Requests];
        _dirty = new bool[pb.Vehicles];
        _dirtyList = new int[pb.Vehicles];
    }

    /// <summary>Routes changed since <see cref="ClearDirty"/>: what an accept or a reject has to copy.</summary>
    public ReadOnlySpan<int> DirtyRoutes => _dirtyList.AsSpan(0, _dirtyCount);

    public void MarkDirty(int v)
    {
        if (_dirty[v]) return;
        _dirty[v] = true;
        _dirtyList[_dirtyCount++] = v;
    }

    public void ClearDirty()
    {
        for (int k = 0; k < _dirtyCount; k++) _dirty[_dirtyList[k]] = false;
        _dirtyCount = 0;
    }

    /// <summary>
    /// The search's order of solutions: less priority left pending, fewer pending requests, then (when
    /// vehicles come first) fewer routes, then lower route cost.
    /// </summary>
    public static bool IsBetter(SolutionState a, SolutionState b, bool vehiclesFirst)
    {
        if (a.PendingPriority != b.PendingPriority) return a.PendingPriority < b.PendingPriority;
        if (a.PendingCount != b.PendingCount) return a.PendingCount < b.PendingCount;
        if (vehiclesFirst && a.UsedRoutes != b.UsedRoutes) return a.UsedRoutes < b.UsedRoutes;
        return a.RoutesCost < b.RoutesCost - 1e-9;
    }

    /// <summary>
    /// Route cost plus the penalty of every pending request; a unit of pending priority weighs as much
    /// as every request pending, so priority stays first as in <see cref="IsBetter"/>.
    /// </summary>
    public double Objective(double penaltyPerPending) =>
        RoutesCost + penaltyPerPending * (PendingCount + (double)(Pb.Requests + 1) * PendingPriority);

    public void AddPending(int r)
    {
        Pending[PendingCount++] = r;
        PendingPriority += Pb.RequestPriority[r];
    }

    public void RemovePendingAt(int index)
    {
        PendingPriority -= Pb.RequestPriority[Pending[index]];
        Pending[index] = Pending[--PendingCount];
    }

    /// <summary>Puts a request on a route at the given positions and refreshes that route.</summary>
    public void Insert(int request, int vehicle, int i, int j)
    {
        var route = Routes[vehicle];
        MarkDirty(vehicle);
        bool wasEmpty = route.IsEmpty;
        double before = route.Cost;
        route.InsertRequest(Pb, request, i, j);
        route.Recompute(Pb, StopPosition);
        RoutesCost += route.Cost - before;
        if (wasEmpty) UsedRoutes++;
        RequestVehicle[request] = vehicle;
    }

    /// <summary>Takes a request off its route (the route is refreshed) and makes it pending.</summary>
    public void Remove(int request)
    {
        int v = RequestVehicle[request];
        // Already pending: a ruin's list can name a request an earlier removal took out with it.
        if (v < 0) return;
        var route = Routes[v];
        MarkDirty(v);
        double before = route.Cost;
        route.RemoveRequest(Pb, request, StopPosition);
        route.Recompute(Pb, StopPosition);
        RoutesCost += route.Cost - before;
        if (route.IsEmpty) UsedRoutes--;
        RequestVehicle[request] = -1;
        AddPending(request);
        // Where the shortcut made a later stop late (a matrix without the triangle inequality), that
        // stop's request goes too, so no route ever breaks a window.
        if (route.FirstLate > 0) Remove(CompiledProblem.RequestOf(route.Stop[route.FirstLate]));
    }

    /// <summary>Takes every request off a route, without refreshing it stop by stop.</summary>
    public void ClearRoute(int vehicle)
    {
        var route = Routes[vehicle];
        if (route.IsEmpty) return;
        MarkDirty(vehicle);
        for (int k = 1; k <= route.Count; k++)
        {
            int r = CompiledProblem.RequestOf(route.Stop[k]);
            if (RequestVehicle[r] == vehicle) { RequestVehicle[r] = -1; AddPending(r); }
        }
        RoutesCost -= route.Cost;
        route.Stop[1] = route.Stop[route.Count + 1];
        route.Count = 0;
        route.Recompute(Pb, StopPosition);
        UsedRoutes--;
    }

    /// <summary>Copies the routes flagged in <paramref name="routes"/> (all when null) and the bookkeeping.</summary>
    public void CopyFrom(SolutionState other, ReadOnlySpan<int> routes, bool all)
    {
        int dims = Pb.Dims;
        if (all)
        {
            for (int v = 0; v < Routes.Length; v++) Routes[v].CopyFrom(other.Routes[v], dims);
        }
        else
        {
            foreach (int v in routes) Routes[v].CopyFrom(other.Routes[v], dims);
        }
        Array.Copy(other.RequestVehicle, RequestVehicle, RequestVehicle.Length);
        Array.Copy(other.StopPosition, StopPosition, StopPosition.Length);
        Array.Copy(other.Pending, Pending, other.PendingCount);
        PendingCount = other.PendingCount;
        PendingPriority = other.PendingPriority;
        UsedRoutes = other.UsedRoutes;
        RoutesCost = other.RoutesCost;
    }

    /// <summary>Re-adds the route costs from scratch, so rounding drift from many deltas never builds up.</summary>
    public void Resum()
    {
        double c = 0;
        int used = 0;
        foreach (var r in Routes)
        {
            c += r.Cost;
            if (!r.IsEmpty) used++;
        }
        RoutesCost = c;
        UsedRoutes = used;
    }
}
