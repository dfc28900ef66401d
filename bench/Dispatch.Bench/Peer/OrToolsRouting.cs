using System.Diagnostics;
using Google.OrTools.ConstraintSolver;
using Google.Protobuf.WellKnownTypes;

namespace Dispatch.Bench.Peer;

/// <summary>
/// The same snapshot as a pickup-and-delivery problem with time windows for Google OR-Tools routing.
/// </summary>
/// <remarks>
/// Model (times in half minutes so that half service times stay whole; costs in tenths of a minute):
/// <list type="bullet">
/// <item>nodes: one shared dummy end (open routes: a courier does not return anywhere), one start per
/// courier at its free point, a pickup (restaurant) and a drop-off node per order;</item>
/// <item>transit a to b = half the service at a + ceil(euclid / metres per minute) + half the service at
/// b, which puts each node's time cumul on the MDRP service instant; two pickups at one restaurant
/// in a row cost nothing (one bundle pickup);</item>
/// <item>time windows: each courier's start cumul is fixed at the time it is free; a pickup is not
/// before its order is ready (waiting is slack); pickups and drop-offs are limited to the couriers
/// that could reach the restaurant before their shift ends (their vehicle variables lose the others);</item>
/// <item>capacity: at most 4 orders on board (the engine's largest bundle);</item>
/// <item>objective = the peer objective of PlanScore: three time dimensions with the same transits and
/// windows (so each schedules a drop-off at the same, earliest, instant) carry a soft upper bound on
/// each drop-off cumul at placement (coefficient 1: the click-to-door minutes), at placement + 40
/// (+1 per minute over target) and at placement + 90 (+20 per minute over the maximum); arc cost
/// 0.1 per minute driven to a restaurant (the engine's travel weight); no fixed cost per courier;
/// a disjunction per order with a large penalty lets an order stay unserved.</item>
/// </list>
/// Not modelled: "no pickup after shift end" exactly (the allowed-vehicle filter is necessary, not
/// sufficient; a violation is caught when the routes are scored), and the MDRP rule that a courier
/// finishes one restaurant's bundle before the next pickup (OR-Tools may mix restaurants on board:
/// a relaxation in its favour, counted as mixed-site trips).
/// </remarks>
internal static class OrToolsRouting
{
    private const int TimeScale = 2;       // cumul units per minute
    private const long CostScale = 10;     // cost units per minute of objective
    private const long UnservedPenalty = 10_000 * CostScale;

    /// <param name="warmStart">When given, the search starts from these routes (per snapshot courier, the
    /// snapshot order indexes it picks up and drops off, in execution order, pickups as +(i + 1), drop-offs
    /// as -(i + 1)) instead of a first-solution heuristic.</param>
    public static PlanScore Solve(Snapshot snap, double limitSeconds, out string status, List<int>[]? warmStart = null)
    {
        var wall = Stopwatch.StartNew();
        var p = snap.Parameters;
        var travel = snap.Travel;
        int nv = snap.Couriers.Length, no = snap.Orders.Length;
        int halfP = (int)Math.Round(p.PickupServiceMinutes * TimeScale / 2), halfD = (int)Math.Round(p.DropoffServiceMinutes * TimeScale / 2);

        // Nodes: 0 end, 1..nv starts, then pickup/drop pairs.
        int n = 1 + nv + 2 * no;
        var nx = new double[n];
        var ny = new double[n];
        var kind = new byte[n];   // 0 end, 1 start, 2 pickup, 3 drop
        var site = new int[n];
        for (int v = 0; v < nv; v++) { nx[1 + v] = snap.Couriers[v].X; ny[1 + v] = snap.Couriers[v].Y; kind[1 + v] = 1; site[1 + v] = -1; }
        for (int i = 0; i < no; i++)
        {
            var o = snap.Orders[i];
            int pn = 1 + nv + 2 * i, dn = pn + 1;
            nx[pn] = snap.SiteX[o.Site]; ny[pn] = snap.SiteY[o.Site]; kind[pn] = 2; site[pn] = o.Site;
            nx[dn] = o.DropX; ny[dn] = o.DropY; kind[dn] = 3; site[dn] = -1;
        }
        site[0] = -1;

        // Dense matrices by node: transit (half minutes) and arc cost (tenths of a minute).
        var transit = new long[n * n];
        var arcCost = new long[n * n];
        for (int a = 0; a < n; a++)
        {
            if (kind[a] == 0) continue;
            int outA = kind[a] == 2 ? halfP : kind[a] == 3 ? halfD : 0;
            for (int b = 0; b < n; b++)
            {
                if (kind[b] == 0 || kind[b] == 1 || a == b) continue;
                long minutes = (long)travel.Minutes(nx[a], ny[a], nx[b], ny[b]);
                bool bundle = kind[a] == 2 && kind[b] == 2 && site[a] == site[b];
                int inB = kind[b] == 2 ? halfP : halfD;
                transit[a * n + b] = bundle ? 0 : outA + minutes * TimeScale + inB;
                arcCost[a * n + b] = kind[b] == 2 && !bundle ? minutes * CostScale / 10 : 0;
            }
        }

        var starts = new int[nv];
        var ends = new int[nv];
        for (int v = 0; v < nv; v++) starts[v] = 1 + v;
        var manager = new RoutingIndexManager(n, nv, starts, ends);
        var routing = new RoutingModel(manager);
        int indices = (int)routing.Size() + nv;
        var nodeOf = new int[indices];
        for (int i = 0; i < indices; i++) nodeOf[i] = manager.IndexToNode(i);

        LongLongToLong transitFn = (from, to) => transit[nodeOf[from] * n + nodeOf[to]];
        LongLongToLong costFn = (from, to) => arcCost[nodeOf[from] * n + nodeOf[to]];
        LongToLong demandFn = from => kind[nodeOf[from]] switch { 2 => 1, 3 => -1, _ => 0 };
        int transitIdx = routing.RegisterTransitCallback(transitFn);
        int costIdx = routing.RegisterTransitCallback(costFn);
        int demandIdx = routing.RegisterUnaryTransitCallback(demandFn);
        routing.SetArcCostEvaluatorOfAllVehicles(costIdx);
        routing.SetFixedCostOfAllVehicles(0);

        long horizon = (long)((snap.Now + 24 * 60) * TimeScale);
        string[] dims = ["Time", "OverTarget", "OverMax"];
        foreach (var name in dims) routing.AddDimension(transitIdx, horizon, horizon, false, name);
        var time = routing.GetMutableDimension("Time");
        var overTarget = routing.GetMutableDimension("OverTarget");
        var overMax = routing.GetMutableDimension("OverMax");
        routing.AddDimensionWithVehicleCapacity(demandIdx, 0, Enumerable.Repeat(4L, nv).ToArray(), true, "Load");

        for (int v = 0; v < nv; v++)
        {
            long avail = (long)Math.Ceiling(snap.Couriers[v].AvailableAt * TimeScale);
            foreach (var d in new[] { time, overTarget, overMax }) d.CumulVar(routing.Start(v)).SetRange(avail, avail);
        }

        int unreachable = 0;
        var allowed = new List<int>(nv);
        for (int i = 0; i < no; i++)
        {
            var o = snap.Orders[i];
            long pi = manager.NodeToIndex(1 + nv + 2 * i), di = manager.NodeToIndex(2 + nv + 2 * i);
            allowed.Clear();
            double latestEnd = 0;
            for (int v = 0; v < nv; v++)
            {
                var c = snap.Couriers[v];
                double earliestPickup = Math.Max(o.ReadyAt, c.AvailableAt + travel.Minutes(c.X, c.Y, snap.SiteX[o.Site], snap.SiteY[o.Site]) + p.PickupServiceMinutes / 2);
                if (earliestPickup <= c.ShiftEnd) { allowed.Add(v); latestEnd = Math.Max(latestEnd, c.ShiftEnd); }
            }
            routing.AddDisjunction([pi], UnservedPenalty);
            routing.AddDisjunction([di], UnservedPenalty);
            if (allowed.Count == 0)
            {
                // No courier can ever pick it up: keep it out of every route.
                unreachable++;
                routing.ActiveVar(pi).SetValue(0);
                routing.ActiveVar(di).SetValue(0);
                continue;
            }
            routing.AddPickupAndDelivery(pi, di);
            // AddPickupAndDelivery already keeps a pair on one vehicle, pickup first; the docs' extra CP
            // constraints (same VehicleVar, pickup cumul <= drop cumul) changed nothing here but speed.
            if (allowed.Count < nv)
            {
                // The allowed-vehicles restriction (SetAllowedVehiclesForIndex takes an absl::Span the
                // .NET wrapper cannot pass): remove the other couriers from the vehicle variables.
                var banned = Enumerable.Range(0, nv).Except(allowed).Select(v => (long)v).ToArray();
                routing.VehicleVar(pi).RemoveValues(banned);
                routing.VehicleVar(di).RemoveValues(banned);
            }
            long ready = (long)Math.Ceiling(o.ReadyAt * TimeScale), last = (long)Math.Floor(latestEnd * TimeScale);
            foreach (var d in new[] { time, overTarget, overMax }) d.CumulVar(pi).SetRange(ready, Math.Max(ready, last));
            long placed = (long)Math.Round(o.PlacedAt * TimeScale);
            time.SetCumulVarSoftUpperBound(di, placed, CostScale / TimeScale);
            overTarget.SetCumulVarSoftUpperBound(di, placed + (long)(p.TargetClickToDoor * TimeScale), CostScale / TimeScale);
            overMax.SetCumulVarSoftUpperBound(di, placed + (long)(p.MaxClickToDoor * TimeScale), 20 * CostScale / TimeScale);
        }

        var search = operations_research_constraint_solver.DefaultRoutingSearchParameters();
        // The objective lives in the soft upper bounds of the time dimensions (arc cost is only a 0.1
        // tie-break), so the first solution must be built on the full cost: LOCAL_CHEAPEST_COST_INSERTION
        // evaluates each insertion on the model's cost. The *_CHEAPEST_INSERTION strategies without COST
        // (PARALLEL_CHEAPEST_INSERTION was used before) insert by arc cost only, ignore click-to-door and
        // left the local search a far worse start.
        search.FirstSolutionStrategy = FirstSolutionStrategy.Types.Value.LocalCheapestCostInsertion;
        search.LogSearch = Environment.GetEnvironmentVariable("PEER_LOG") == "1";
        search.LocalSearchMetaheuristic = LocalSearchMetaheuristic.Types.Value.GuidedLocalSearch;
        search.TimeLimit = Duration.FromTimeSpan(TimeSpan.FromSeconds(limitSeconds));
        double buildSeconds = wall.Elapsed.TotalSeconds;
        Google.OrTools.ConstraintSolver.Assignment? solution;
        if (warmStart is null)
        {
            solution = routing.SolveWithParameters(search);
        }
        else
        {
            routing.CloseModelWithParameters(search);
            var routes = new long[nv][];
            for (int v = 0; v < nv; v++)
                routes[v] = warmStart[v].Select(e => manager.NodeToIndex(e > 0 ? 1 + nv + 2 * (e - 1) : 2 + nv + 2 * (-e - 1))).ToArray();
            var initial = routing.ReadAssignmentFromRoutes(routes, true);
            if (initial is null) { status = "warm start rejected by the model"; return new PlanScore { Solver = "warm", WallSeconds = 0, WallNote = "" }; }
            solution = routing.SolveFromAssignmentWithParameters(initial, search);
        }
        wall.Stop();
        status = $"{routing.GetStatus()}, model {buildSeconds:F2} s, {unreachable} unreachable";

        var dropAt = new double[no];
        Array.Fill(dropAt, double.NaN);
        var score = new PlanScore { Solver = warmStart is null ? $"OR-Tools {limitSeconds:0.#} s" : $"OR-Tools {limitSeconds:0.#} s from our plan", WallSeconds = wall.Elapsed.TotalSeconds, WallNote = "model + search" };
        if (solution is null)
        {
            status += ", no solution";
            score.Score(snap, dropAt);
            return score;
        }

        // Re-time each route under the MDRP rules (independent of OR-Tools' cumuls) and score it.
        var route = new List<int>();
        double travelMinutes = 0;
        int violations = 0, mixed = 0;
        for (int v = 0; v < nv; v++)
        {
            route.Clear();
            long idx = solution.Value(routing.NextVar(routing.Start(v)));
            while (!routing.IsEnd(idx)) { route.Add(nodeOf[idx]); idx = solution.Value(routing.NextVar(idx)); }
            if (route.Count == 0) continue;
            var c = snap.Couriers[v];
            double x = c.X, y = c.Y, t = c.AvailableAt;
            int onBoard = 0;
            int k = 0;
            while (k < route.Count)
            {
                int node = route[k];
                if (kind[node] == 2)
                {
                    int s = site[node];
                    int j = k;
                    double ready = 0;
                    while (j < route.Count && kind[route[j]] == 2 && site[route[j]] == s) { ready = Math.Max(ready, snap.Orders[(route[j] - 1 - nv) / 2].ReadyAt); j++; }
                    if (onBoard > 0) mixed++;
                    double move = travel.Minutes(x, y, nx[node], ny[node]);
                    travelMinutes += move;
                    double pickup = Math.Max(ready, t + move + p.PickupServiceMinutes / 2);
                    if (pickup > c.ShiftEnd)
                        for (int q = k; q < j; q++) { violations++; dropAt[(route[q] - 1 - nv) / 2] = double.PositiveInfinity; }
                    onBoard += j - k;
                    x = nx[node]; y = ny[node]; t = pickup + p.PickupServiceMinutes / 2;
                    k = j;
                }
                else
                {
                    int order = (node - 1 - nv) / 2;
                    double move = travel.Minutes(x, y, nx[node], ny[node]);
                    travelMinutes += move;
                    double drop = t + move + p.DropoffServiceMinutes / 2;
                    if (!double.IsPositiveInfinity(dropAt[order])) dropAt[order] = drop;
                    onBoard--;
                    x = nx[node]; y = ny[node]; t = drop + p.DropoffServiceMinutes / 2;
                    k++;
                }
            }
        }
        for (int i = 0; i < no; i++) if (double.IsPositiveInfinity(dropAt[i])) dropAt[i] = double.NaN;
        score.Score(snap, dropAt);
        score.TravelMinutes = travelMinutes;
        score.ShiftViolations = violations;
        score.MixedSiteTrips = mixed;
        status += $", objective {solution.ObjectiveValue()}";
        GC.KeepAlive(transitFn); GC.KeepAlive(costFn); GC.KeepAlive(demandFn);
        return score;
    }
}
