namespace Dispatch.Routing.Search;

/// <summary>
/// The problem as the search reads it: struct-of-arrays over stops. Request r owns stops 2r (pickup)
/// and 2r+1 (delivery); vehicle v owns stops 2R+2v (start) and 2R+2v+1 (end), so depots are stops
/// like any other and route timing has no special cases. A missing side (a delivery loaded at the
/// start, a pickup carried to the end) is marked absent. A virtual location with zero travel to and
/// from everything stands for "no start" / "no end".
/// </summary>
internal sealed class CompiledProblem
{
    public readonly int Requests, Vehicles, Stops, Dims, Locations;
    public readonly double[] Duration, Distance;   // Locations x Locations, virtual location last
    public readonly double[][] ArcCost;            // per cost profile
    public readonly int[] VehicleProfile;          // vehicle -> index into ArcCost
    public readonly int[] StopLocation;
    public readonly double[] StopEarliest, StopLatest, StopService;   // StopLatest: the hard latest (+inf for a soft window)
    /// <summary>
    /// Schedule cost of a stop whose service starts at t: LateCost x max(0, t - SoftLatest) +
    /// TimeCost x max(0, t - TimeFrom). Lateness past a soft window and click-to-door; all zero
    /// unless <see cref="HasScheduleCosts"/>, and then the search prices how an insertion pushes
    /// later stops (see <see cref="Insertion"/>).
    /// </summary>
    public readonly double[] StopSoftLatest, StopLateCost, StopTimeCost, StopTimeFrom;
    public readonly bool HasScheduleCosts;
    public readonly int[] RequestPriority;
    public readonly int[] StopDelta;               // load change at the stop, Dims per stop
    public readonly bool[] HasPickup, HasDelivery;
    public readonly int[] RequestAmount;           // Dims per request
    public readonly int[] Capacity;                // Dims per vehicle, int.MaxValue when unlimited
    public readonly double[] FixedCost;
    public readonly int[] VehicleClass;            // vehicles that are interchangeable share a class
    public readonly double UnassignedPenalty;
    public readonly double MaxArcCost;

    public CompiledProblem(RoutingProblem p)
    {
        Requests = p.Requests.Count;
        Vehicles = p.Vehicles.Count;
        Stops = 2 * Requests + 2 * Vehicles;
        Dims = Math.Max(1, p.Dimensions);
        int n = p.Matrix.Count;
        Locations = n + 1;
        int virt = n;
        Duration = Pad(p.Matrix.DurationArray, n);
        Distance = p.Matrix.HasDistances ? Pad(p.Matrix.DistanceArray, n) : Duration;

        var profiles = new List<(double perMin, double perDist)>();
        VehicleProfile = new int[Vehicles];
        var costs = new List<double[]>();
        for (int v = 0; v < Vehicles; v++)
        {
            var k = p.Vehicles[v];
            var key = (k.CostPerMinute, k.CostPerDistance);
            int idx = profiles.IndexOf(key);
            if (idx < 0)
            {
                idx = profiles.Count;
                profiles.Add(key);
                var c = new double[Duration.Length];
                for (int i = 0; i < c.Length; i++) c[i] = key.CostPerMinute * Duration[i] + key.CostPerDistance * Distance[i];
                costs.Add(c);
            }
            VehicleProfile[v] = idx;
        }
        ArcCost = costs.ToArray();
        double maxArc = 0;
        foreach (var c in ArcCost)
            foreach (var x in c) maxArc = Math.Max(maxArc, x);
        MaxArcCost = maxArc;

        StopLocation = new int[Stops];
        StopEarliest = new double[Stops];
        StopLatest = new double[Stops];
        StopService = new double[Stops];
        StopSoftLatest = new double[Stops];
        StopLateCost = new double[Stops];
        StopTimeCost = new double[Stops];
        StopTimeFrom = new double[Stops];
        RequestPriority = new int[Requests];
        var objective = p.Objective;
        StopDelta = new int[Stops * Dims];
        HasPickup = new bool[Requests];
        HasDelivery = new bool[Requests];
        RequestAmount = new int[Requests * Dims];
        for (int r = 0; r < Requests; r++)
        {
            var q = p.Requests[r];
            HasPickup[r] = q.PickupLocation >= 0;
            HasDelivery[r] = q.DeliveryLocation >= 0;
            int ps = 2 * r, ds = 2 * r + 1;
            StopLocation[ps] = HasPickup[r] ? q.PickupLocation : virt;
            StopEarliest[ps] = q.PickupWindow.Earliest;
            StopService[ps] = q.PickupServiceMinutes;
            SetWindow(ps, q.PickupWindow, objective.LatenessWeight);
            StopLocation[ds] = HasDelivery[r] ? q.DeliveryLocation : virt;
            StopEarliest[ds] = q.DeliveryWindow.Earliest;
            StopService[ds] = q.DeliveryServiceMinutes;
            SetWindow(ds, q.DeliveryWindow, objective.LatenessWeight);
            if (HasDelivery[r] && objective.ClickToDoorPerMinute > 0)
            {
                StopTimeCost[ds] = objective.ClickToDoorPerMinute;
                StopTimeFrom[ds] = q.PlacedAt ?? q.PickupWindow.Earliest;
            }
            RequestPriority[r] = q.Priority;
            for (int d = 0; d < q.Amount.Length; d++)
            {
                RequestAmount[r * Dims + d] = q.Amount[d];
                StopDelta[ps * Dims + d] = q.Amount[d];
                StopDelta[ds * Dims + d] = -q.Amount[d];
            }
        }
        Capacity = new int[Vehicles * Dims];
        FixedCost = new double[Vehicles];
        VehicleClass = new int[Vehicles];
        double maxFixed = 0;
        for (int v = 0; v < Vehicles; v++)
        {
            var k = p.Vehicles[v];
            for (int d = 0; d < Dims; d++) Capacity[v * Dims + d] = k.Capacity.Length == 0 ? int.MaxValue : k.Capacity[d];
            FixedCost[v] = k.FixedCost;
            maxFixed = Math.Max(maxFixed, k.FixedCost);
            int s = StartStop(v), e = EndStop(v);
            StopLocation[s] = k.StartLocation >= 0 ? k.StartLocation : virt;
            StopLocation[e] = k.EndLocation >= 0 ? k.EndLocation : virt;
            StopEarliest[s] = StopEarliest[e] = k.Shift.Earliest;
            // The start is at the shift's opening; a soft shift end is overtime at the end stop.
            StopLatest[s] = k.Shift.HardLatest;
            StopSoftLatest[s] = double.PositiveInfinity;
            SetWindow(e, k.Shift, objective.LatenessWeight);
            VehicleClass[v] = v;
            for (int u = 0; u < v; u++)
            {
                if (Interchangeable(p.Vehicles[u], k)) { VehicleClass[v] = VehicleClass[u]; break; }
            }
        }
        for (int st = 0; st < Stops; st++) HasScheduleCosts |= StopLateCost[st] > 0 || StopTimeCost[st] > 0;
        // Leaving a request out must always cost more than serving it anywhere: a detour of its two
        // stops costs at most 4 arcs, plus opening a vehicle; with schedule costs, plus the most every
        // stop's lateness and click-to-door could grow by.
        UnassignedPenalty = 10 * (4 * maxArc + maxFixed + ScheduleCostBound()) + 1;
    }

    /// <summary>
    /// An upper bound on the schedule costs of a whole solution, 0 without them. No service starts
    /// later than the latest opening plus every service and the longest leg from each stop, so no
    /// stop's cost exceeds its per-minute rates times that.
    /// </summary>
    private double ScheduleCostBound()
    {
        double rates = 0, horizon = 0, maxLeg = 0;
        for (int st = 0; st < Stops; st++)
        {
            rates += StopLateCost[st] + StopTimeCost[st];
            horizon = Math.Max(horizon, StopEarliest[st]);
        }
        if (rates == 0) return 0;
        foreach (double d in Duration) maxLeg = Math.Max(maxLeg, d);
        for (int st = 0; st < Stops; st++) horizon += StopService[st] + maxLeg;
        return rates * horizon;
    }

    private void SetWindow(int stop, TimeWindow window, double latenessWeight)
    {
        StopLatest[stop] = window.HardLatest;
        StopSoftLatest[stop] = window.IsSoft ? window.Latest : double.PositiveInfinity;
        StopLateCost[stop] = window.IsSoft ? window.LatePenaltyPerMinute * latenessWeight : 0;
    }

    /// <summary>Schedule cost of <paramref name="stop"/> when its service starts at <paramref name="t"/> (0 without schedule costs).</summary>
    public double ScheduleCost(int stop, double t)
    {
        double c = 0;
        double late = t - StopSoftLatest[stop];
        if (late > 0) c += StopLateCost[stop] * late;
        double since = t - StopTimeFrom[stop];
        if (since > 0) c += StopTimeCost[stop] * since;
        return c;
    }

    public int StartStop(int v) => 2 * Requests + 2 * v;
    public int EndStop(int v) => 2 * Requests + 2 * v + 1;
    public static int PickupStop(int r) => 2 * r;
    public static int DeliveryStop(int r) => 2 * r + 1;
    public static int RequestOf(int stop) => stop >> 1;
    public bool IsTask(int stop) => stop < 2 * Requests;

    public double Travel(int fromStop, int toStop) => Duration[StopLocation[fromStop] * Locations + StopLocation[toStop]];

    private static bool Interchangeable(RoutingVehicle a, RoutingVehicle b) =>
        a.StartLocation == b.StartLocation && a.EndLocation == b.EndLocation && a.Shift == b.Shift
        && a.FixedCost == b.FixedCost && a.CostPerMinute == b.CostPerMinute && a.CostPerDistance == b.CostPerDistance
        && a.Capacity.AsSpan().SequenceEqual(b.Capacity);

    private static double[] Pad(double[] m, int n)
    {
        int w = n + 1;
        var r = new double[w * w];
        for (int i = 0; i < n; i++) Array.Copy(m, i * n, r, i * w, n);
        return r;
    }
}
