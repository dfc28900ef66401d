using System.Globalization;

namespace Dispatch.Simulator.LiLim;

/// <summary>What <see cref="LiLimChecker.Check"/> found.</summary>
/// <param name="Violations">
/// Every broken rule, in rule order, each starting "rule N:" (N from ../shared/lilim/README.md) and
/// naming the route, node and values at fault. Empty when the solution is feasible.
/// </param>
/// <param name="Vehicles">Number of non-empty routes.</param>
/// <param name="Distance">Sum of the Euclidean lengths of every leg, depot legs included, unrounded.</param>
public sealed record LiLimCheck(IReadOnlyList<string> Violations, int Vehicles, double Distance)
{
    public bool Feasible => Violations.Count == 0;
}

/// <summary>
/// The project's independent check of a Li &amp; Lim PDPTW solution against the five rules of
/// ../shared/lilim/README.md. It re-simulates every route from the depot with nothing but the
/// instance's node data and shares no code with any optimizer (not even the instance's distance
/// helper), so an optimizer's bug cannot hide in code the check relies on. Each rule is checked on
/// its own and every violation is reported, not only the first.
/// Routes are numbered from 1 in the order given (route r is <c>routes[r - 1]</c>), positions
/// within a route from 1.
/// </summary>
public static class LiLimChecker
{
    /// <summary>
    /// Slack allowed when a service start or the return to the depot is compared with a due time.
    /// Times are sums of square roots in floating point, so a schedule that is exactly on time in
    /// exact arithmetic can come out a few ulps late depending on the order of additions; 1e-6 is
    /// far above that rounding noise and far below anything a time window of the benchmark resolves.
    /// </summary>
    public const double TimeTolerance = 1e-6;

    /// <summary>Checks <paramref name="routes"/> (node ids in visiting order, depot left out) against <paramref name="instance"/>.</summary>
    public static LiLimCheck Check(LiLimInstance instance, IReadOnlyList<int[]> routes)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(routes);
        for (int r = 0; r < routes.Count; r++)
            if (routes[r] is null) throw new ArgumentException($"route {r + 1} is null", nameof(routes));

        var violations = new List<string>();
        var visits = CheckEveryTaskVisitedOnce(instance, routes, violations);
        CheckPickupBeforeDeliveryOnOneRoute(instance, visits, violations);
        for (int r = 0; r < routes.Count; r++) CheckLoad(instance, r + 1, routes[r], violations);
        for (int r = 0; r < routes.Count; r++) CheckTimeWindows(instance, r + 1, routes[r], violations);
        int vehicles = routes.Count(route => route.Length > 0);
        if (vehicles > instance.Vehicles)
            violations.Add($"rule 5: {vehicles} routes, more than the {instance.Vehicles} vehicles of {instance.Name}");
        return new LiLimCheck(violations, vehicles, TotalDistance(instance, routes));
    }

    /// <summary>Where a node is visited: route number and position in the route, both from 1.</summary>
    private readonly record struct Visit(int Route, int Position)
    {
        public override string ToString() => $"route {Route} position {Position}";
    }

    /// <summary>
    /// Rule 1: every pickup and delivery exactly once; ids that are not nodes and the depot inside a
    /// route are reported here too. Returns the visits of each node for rule 2.
    /// </summary>
    private static List<Visit>[] CheckEveryTaskVisitedOnce(LiLimInstance instance, IReadOnlyList<int[]> routes, List<string> violations)
    {
        var visits = new List<Visit>[instance.Nodes.Length];
        for (int n = 0; n < visits.Length; n++) visits[n] = new List<Visit>(1);
        for (int r = 0; r < routes.Count; r++)
        {
            var route = routes[r];
            for (int i = 0; i < route.Length; i++)
            {
                var visit = new Visit(r + 1, i + 1);
                int node = route[i];
                if (!IsNode(instance, node))
                    violations.Add($"rule 1: {visit} node {node} is not a node of {instance.Name} (its tasks are 1 to {instance.Nodes.Length - 1})");
                else if (node == 0)
                    violations.Add($"rule 1: {visit} node 0 is the depot, which routes leave out");
                else
                    visits[node].Add(visit);
            }
        }
        for (int n = 1; n < visits.Length; n++)
        {
            if (visits[n].Count == 0)
                violations.Add($"rule 1: node {n} ({Role(instance.Nodes[n])}) is never visited");
            else if (visits[n].Count > 1)
                violations.Add($"rule 1: node {n} ({Role(instance.Nodes[n])}) is visited {visits[n].Count} times: {string.Join(", ", visits[n])}");
        }
        return visits;
    }

    /// <summary>Rule 2: each request's pickup and delivery on the same route, the pickup first.</summary>
    private static void CheckPickupBeforeDeliveryOnOneRoute(LiLimInstance instance, List<Visit>[] visits, List<string> violations)
    {
        for (int p = 1; p < instance.Nodes.Length; p++)
        {
            int d = instance.Nodes[p].Delivery;
            if (d == 0) continue;  // a delivery: its request is checked from the pickup
            // With a missing or repeated node there is no single visit to compare; rule 1 reports it.
            if (visits[p].Count != 1 || visits[d].Count != 1) continue;
            Visit pickup = visits[p][0], delivery = visits[d][0];
            if (pickup.Route != delivery.Route)
                violations.Add($"rule 2: route {pickup.Route} node {p} is a pickup whose delivery {d} is on route {delivery.Route}");
            else if (delivery.Position < pickup.Position)
                violations.Add($"rule 2: route {delivery.Route} node {d} is a delivery at position {delivery.Position}, before its pickup {p} at position {pickup.Position}");
        }
    }

    /// <summary>Rule 3: the load after each node within [0, capacity].</summary>
    private static void CheckLoad(LiLimInstance instance, int routeNumber, int[] route, List<string> violations)
    {
        int load = 0;
        foreach (int n in KnownNodes(instance, route))
        {
            load += instance.Nodes[n].Demand;
            if (load > instance.Capacity)
                violations.Add($"rule 3: route {routeNumber} node {n} load {load} above capacity {instance.Capacity}");
            else if (load < 0)
                violations.Add($"rule 3: route {routeNumber} node {n} load {load} below 0");
        }
    }

    /// <summary>
    /// Rule 4: leaving the depot at its opening, waiting wherever the vehicle arrives before ready,
    /// every service starts by its due time and the vehicle is back at the depot by the depot's due
    /// time, the service at the last node included.
    /// </summary>
    private static void CheckTimeWindows(LiLimInstance instance, int routeNumber, int[] route, List<string> violations)
    {
        if (route.Length == 0) return;
        var depot = instance.Nodes[0];
        double time = depot.Ready;
        int at = 0;
        foreach (int n in KnownNodes(instance, route))
        {
            var node = instance.Nodes[n];
            double start = Math.Max(time + Leg(instance, at, n), node.Ready);
            if (start > node.Due + TimeTolerance)
                violations.Add($"rule 4: route {routeNumber} node {n} service starts at {Format(start)}, after due {Format(node.Due)}");
            time = start + node.Service;
            at = n;
        }
        double back = time + Leg(instance, at, 0);
        if (back > depot.Due + TimeTolerance)
            violations.Add($"rule 4: route {routeNumber} is back at the depot (node 0) at {Format(back)}, after its due {Format(depot.Due)}");
    }

    /// <summary>Depot to the first node, node to node, last node back to the depot, over every non-empty route.</summary>
    private static double TotalDistance(LiLimInstance instance, IReadOnlyList<int[]> routes)
    {
        double total = 0;
        foreach (var route in routes)
        {
            if (route.Length == 0) continue;
            int at = 0;
            foreach (int n in KnownNodes(instance, route))
            {
                total += Leg(instance, at, n);
                at = n;
            }
            total += Leg(instance, at, 0);
        }
        return total;
    }

    /// <summary>
    /// The ids of a route that are nodes of the instance. An unknown id has no place, window or
    /// demand; rule 1 reports it and rules 3 and 4 and the distance go on with the rest of the route.
    /// </summary>
    private static IEnumerable<int> KnownNodes(LiLimInstance instance, int[] route) => route.Where(n => IsNode(instance, n));

    private static bool IsNode(LiLimInstance instance, int id) => id >= 0 && id < instance.Nodes.Length;

    /// <summary>Euclidean distance = travel time (speed 1), computed here rather than shared, see the class remarks.</summary>
    private static double Leg(LiLimInstance instance, int from, int to)
    {
        double dx = instance.Nodes[to].X - instance.Nodes[from].X;
        double dy = instance.Nodes[to].Y - instance.Nodes[from].Y;
        return Math.Sqrt(dx * dx + dy * dy);
    }

    private static string Role(LiLimNode node) =>
        node.Delivery != 0 ? $"pickup for delivery {node.Delivery}" : $"delivery of pickup {node.Pickup}";

    // Six decimals: enough to show why a time just past the tolerance is late.
    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
