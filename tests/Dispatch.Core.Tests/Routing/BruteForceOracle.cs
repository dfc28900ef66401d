namespace Dispatch.Core.Tests.Routing;

/// <summary>
/// The exact answer on tiny problems, by enumeration: every split of the requests among identical
/// vehicles and every stop order with each pickup before its delivery, simulated from the matrix.
/// Objective as the optimizer's with vehicles first: fewest unserved, then fewest vehicles, then distance.
/// </summary>
internal static class BruteForceOracle
{
    public static (int Unserved, int Vehicles, double Distance) Solve(RoutingProblem problem)
    {
        int n = problem.Requests.Count;
        int fleet = problem.Vehicles.Count;
        var best = (Unserved: int.MaxValue, Vehicles: int.MaxValue, Distance: double.PositiveInfinity);
        // Each request goes to vehicle 0..fleet-1 or nowhere (fleet).
        var assign = new int[n];
        var routeCost = new Dictionary<int, double>(); // subset mask -> best feasible distance (or +inf)
        int total = (int)Math.Pow(fleet + 1, n);
        for (int code = 0; code < total; code++)
        {
            int c = code;
            for (int r = 0; r < n; r++) { assign[r] = c % (fleet + 1); c /= (fleet + 1); }
            int unserved = 0, used = 0;
            double dist = 0;
            bool ok = true;
            for (int v = 0; v < fleet && ok; v++)
            {
                int mask = 0;
                for (int r = 0; r < n; r++) if (assign[r] == v) mask |= 1 << r;
                if (mask == 0) continue;
                used++;
                if (!routeCost.TryGetValue(mask, out double d)) { d = BestRoute(problem, mask); routeCost[mask] = d; }
                if (double.IsPositiveInfinity(d)) ok = false;
                dist += d;
            }
            if (!ok) continue;
            for (int r = 0; r < n; r++) if (assign[r] == fleet) unserved++;
            var cand = (unserved, used, dist);
            if (cand.unserved < best.Unserved || (cand.unserved == best.Unserved && (cand.used < best.Vehicles || (cand.used == best.Vehicles && cand.dist < best.Distance - 1e-9))))
                best = cand;
        }
        return best;
    }

    /// <summary>Least distance of one vehicle (vehicle 0: the fleet is identical) serving exactly the mask, or +inf.</summary>
    private static double BestRoute(RoutingProblem problem, int mask)
    {
        var stops = new List<(int Request, bool Pickup)>();
        for (int r = 0; r < problem.Requests.Count; r++)
            if ((mask & (1 << r)) != 0) { stops.Add((r, true)); stops.Add((r, false)); }
        double best = double.PositiveInfinity;
        var order = new (int Request, bool Pickup)[stops.Count];
        var used = new bool[stops.Count];
        void Permute(int depth)
        {
            if (depth == order.Length)
            {
                double d = Simulate(problem, order);
                if (d < best) best = d;
                return;
            }
            for (int i = 0; i < stops.Count; i++)
            {
                if (used[i]) continue;
                var s = stops[i];
                if (!s.Pickup && !PickedBefore(order, depth, s.Request)) continue;
                used[i] = true;
                order[depth] = s;
                Permute(depth + 1);
                used[i] = false;
            }
        }
        Permute(0);
        return best;
    }

    private static bool PickedBefore((int Request, bool Pickup)[] order, int depth, int request)
    {
        for (int k = 0; k < depth; k++)
            if (order[k].Request == request && order[k].Pickup) return true;
        return false;
    }

    private static double Simulate(RoutingProblem problem, (int Request, bool Pickup)[] order) =>
        RoutingTestProblems.Simulate(problem, order) is { } sim ? sim.Distance : double.PositiveInfinity;
}
