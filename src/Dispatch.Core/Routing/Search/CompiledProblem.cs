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
    public readonly double[] StopEarliest, StopLatest, StopService;
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
            StopLatest[ps] = q.PickupWindow.Latest;
            StopService[ps] = q.PickupServiceMinutes;
            StopLocation[ds] = HasDelivery[r] ? q.DeliveryLocation : virt;
            StopEarliest[ds] = q.DeliveryWindow.Earliest;
            StopLatest[ds] = q.DeliveryWindow.Latest;
            StopService[ds] = q.DeliveryServiceMinutes;
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
            StopLatest[s] = StopLatest[e] = k.Shift.Latest;
            VehicleClass[v] = v;
            for (int u = 0; u < v; u++)
            {
                if (Interchangeable(p.Vehicles[u], k)) { VehicleClass[v] = VehicleClass[u]; break; }
            }
        }
        // Leaving a request out must always cost more than serving it anywhere: a detour of its two
        // stops costs at most 4 arcs, plus opening a vehicle.
        UnassignedPenalty = 10 * (4 * maxArc + maxFixed) + 1;
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
