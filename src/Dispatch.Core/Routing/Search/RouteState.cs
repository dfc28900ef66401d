namespace Dispatch.Routing.Search;

/// <summary>
/// One vehicle's route with the cached data that makes a move's feasibility an O(1) question per
/// position: for each position, the service start (forward), the latest service start that keeps
/// every later window (backward, Savelsbergh's slack), the load after it and the highest load before
/// and after it. Position 0 is the vehicle's start stop, <c>Count + 1</c> its end stop.
/// Buffers grow by doubling (rarely, never once the search has warmed up).
/// </summary>
internal sealed class RouteState
{
    public int Vehicle { get; private set; }   // changes only when a scratch route copies another vehicle's
    public int Count;                 // task stops on the route
    public int[] Stop;                // stop id by position, Count + 2 used
    public double[] Start;            // service start by position
    public double[] Latest;           // latest service start keeping the rest feasible
    public int[] Load;                // load after service, Dims per position
    public int[] MaxBefore;           // highest load over positions 0..k, Dims per position
    public int[] MaxAfter;            // highest load over positions k..Count+1, Dims per position
    public double Cost, Distance, Travel;   // Cost: fixed + arcs + schedule costs (lateness, click-to-door)
    /// <summary>
    /// First position whose service starts after its window (0: none). Insertions never cause one, but
    /// taking a stop out can where the matrix breaks the triangle inequality (the direct leg is slower
    /// than the detour), as road matrices sometimes do.
    /// </summary>
    public int FirstLate;

    public RouteState(CompiledProblem pb, int vehicle, int initialStops)
    {
        Vehicle = vehicle;
        int cap = Math.Max(8, initialStops + 2);
        Stop = new int[cap];
        Start = new double[cap];
        Latest = new double[cap];
        Load = new int[cap * pb.Dims];
        MaxBefore = new int[cap * pb.Dims];
        MaxAfter = new int[cap * pb.Dims];
        Stop[0] = pb.StartStop(vehicle);
        Stop[1] = pb.EndStop(vehicle);
        Count = 0;
        Recompute(pb, null);
    }

    public bool IsEmpty => Count == 0;

    /// <summary>Makes room for <paramref name="extra"/> more stops.</summary>
    public void Reserve(int dims, int extra)
    {
        int need = Count + 2 + extra;
        if (need <= Stop.Length) return;
        int cap = Math.Max(need, Stop.Length * 2);
        Array.Resize(ref Stop, cap);
        Array.Resize(ref Start, cap);
        Array.Resize(ref Latest, cap);
        Array.Resize(ref Load, cap * dims);
        Array.Resize(ref MaxBefore, cap * dims);
        Array.Resize(ref MaxAfter, cap * dims);
    }

    /// <summary>
    /// Re-derives every cached value from the stop sequence: O(length x dims). Also records each stop's
    /// position in <paramref name="stopPosition"/> when given.
    /// </summary>
    public void Recompute(CompiledProblem pb, int[]? stopPosition)
    {
        int last = Count + 1, dims = pb.Dims;
        var loc = pb.StopLocation;
        int w = pb.Locations;
        var cost = pb.ArcCost[pb.VehicleProfile[Vehicle]];

        // Deliveries without a pickup are on board from the start.
        for (int d = 0; d < dims; d++) Load[d] = 0;
        for (int k = 1; k < last; k++)
        {
            int s = Stop[k];
            int r = CompiledProblem.RequestOf(s);
            if (!pb.HasPickup[r])
                for (int d = 0; d < dims; d++) Load[d] += pb.RequestAmount[r * dims + d];
        }

        Start[0] = pb.StopEarliest[Stop[0]];
        FirstLate = 0;
        double c = 0, dist = 0, travel = 0, schedule = 0;
        bool scheduleCosts = pb.HasScheduleCosts;
        if (stopPosition is not null) stopPosition[Stop[0]] = 0;
        for (int k = 1; k <= last; k++)
        {
            int a = Stop[k - 1], b = Stop[k];
            int arc = loc[a] * w + loc[b];
            double t = pb.Duration[arc];
            double arrival = Start[k - 1] + pb.StopService[a] + t;
            double early = pb.StopEarliest[b];
            Start[k] = arrival > early ? arrival : early;
            // A hair of tolerance: unrounded sums of square roots differ in the last bits.
            if (FirstLate == 0 && Start[k] > pb.StopLatest[b] + 1e-9) FirstLate = k;
            if (scheduleCosts) schedule += pb.ScheduleCost(b, Start[k]);
            c += cost[arc];
            dist += pb.Distance[arc];
            travel += t;
            for (int d = 0; d < dims; d++) Load[k * dims + d] = Load[(k - 1) * dims + d] + pb.StopDelta[b * dims + d];
            if (stopPosition is not null) stopPosition[b] = k;
        }
        Latest[last] = pb.StopLatest[Stop[last]];
        for (int k = last - 1; k >= 0; k--)
        {
            int a = Stop[k], b = Stop[k + 1];
            double byNext = Latest[k + 1] - pb.StopService[a] - pb.Duration[loc[a] * w + loc[b]];
            double own = pb.StopLatest[a];
            Latest[k] = own < byNext ? own : byNext;
        }
        for (int d = 0; d < dims; d++)
        {
            int m = int.MinValue;
            for (int k = 0; k <= last; k++)
            {
                int x = Load[k * dims + d];
                if (x > m) m = x;
                MaxBefore[k * dims + d] = m;
            }
            m = int.MinValue;
            for (int k = last; k >= 0; k--)
            {
                int x = Load[k * dims + d];
                if (x > m) m = x;
                MaxAfter[k * dims + d] = m;
            }
        }
        if (Count == 0)
        {
            // An unused vehicle costs nothing: it does not drive from its start to its end.
            Cost = Distance = Travel = 0;
        }
        else
        {
            Cost = c + pb.FixedCost[Vehicle] + schedule;
            Distance = dist;
            Travel = travel;
        }
    }

    /// <summary>Inserts a pickup after position <paramref name="i"/> and its delivery after position <paramref name="j"/> (both in the current numbering, j &gt;= i).</summary>
    public void InsertPair(int dims, int pickupStop, int deliveryStop, int i, int j)
    {
        Reserve(dims, 2);
        int last = Count + 1;
        // [j+1..last] moves two right, [i+1..j] one right.
        for (int k = last; k > j; k--) Stop[k + 2] = Stop[k];
        for (int k = j; k > i; k--) Stop[k + 1] = Stop[k];
        Stop[i + 1] = pickupStop;
        Stop[j + 2] = deliveryStop;
        Count += 2;
    }

    /// <summary>Inserts one stop after position <paramref name="i"/>.</summary>
    public void InsertStop(int dims, int stop, int i)
    {
        Reserve(dims, 1);
        for (int k = Count + 1; k > i; k--) Stop[k + 1] = Stop[k];
        Stop[i + 1] = stop;
        Count += 1;
    }

    /// <summary>Puts a request's stops in (a pair: pickup after position i, delivery after j; a single stop after i), without refreshing.</summary>
    public void InsertRequest(CompiledProblem pb, int request, int i, int j)
    {
        if (pb.HasPickup[request] && pb.HasDelivery[request])
            InsertPair(pb.Dims, CompiledProblem.PickupStop(request), CompiledProblem.DeliveryStop(request), i, j);
        else
            InsertStop(pb.Dims, pb.HasPickup[request] ? CompiledProblem.PickupStop(request) : CompiledProblem.DeliveryStop(request), i);
    }

    /// <summary>Takes a request's stops out, given each stop's position on this route, without refreshing.</summary>
    public void RemoveRequest(CompiledProblem pb, int request, int[] stopPosition)
    {
        // The later stop first, so the earlier position stays valid.
        if (pb.HasDelivery[request]) RemoveAt(stopPosition[CompiledProblem.DeliveryStop(request)]);
        if (pb.HasPickup[request]) RemoveAt(stopPosition[CompiledProblem.PickupStop(request)]);
    }

    /// <summary>Removes the stop at position <paramref name="pos"/> (1..Count).</summary>
    public void RemoveAt(int pos)
    {
        int last = Count + 1;
        for (int k = pos; k < last; k++) Stop[k] = Stop[k + 1];
        Count -= 1;
    }

    /// <summary>Copies another route, caches and vehicle included.</summary>
    public void CopyFrom(RouteState other, int dims)
    {
        Vehicle = other.Vehicle;
        int n = other.Count + 2;
        if (Stop.Length < n) { Count = 0; Reserve(dims, n); }
        Array.Copy(other.Stop, Stop, n);
        Array.Copy(other.Start, Start, n);
        Array.Copy(other.Latest, Latest, n);
        Array.Copy(other.Load, Load, n * dims);
        Array.Copy(other.MaxBefore, MaxBefore, n * dims);
        Array.Copy(other.MaxAfter, MaxAfter, n * dims);
        Count = other.Count;
        FirstLate = other.FirstLate;
        Cost = other.Cost;
        Distance = other.Distance;
        Travel = other.Travel;
    }
}
