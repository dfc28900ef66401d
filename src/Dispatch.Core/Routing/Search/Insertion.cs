namespace Dispatch.Routing.Search;

/// <summary>
/// Cheapest feasible insertion of one request into one route, every position pair tried, each in
/// O(1) from the route's cached forward start times, backward latest starts and load maxima (no
/// re-simulation). For a pickup after position i, the times of the stops between it and its delivery
/// are pushed forward one step at a time as the delivery position j advances, so a route of n stops
/// costs O(n^2) at worst and much less where windows or loads cut the scan short.
/// With schedule costs (soft windows, click-to-door) a position's price also counts how much later
/// every pushed stop starts: the stops between pickup and delivery as the scan advances, the stops
/// after the delivery by a walk that ends where waiting absorbs the push, taken only for positions
/// whose price without that walk (a lower bound: pushes only add cost) beats the best so far.
/// </summary>
internal static class Insertion
{
    /// <summary>Cost increase of the cheapest feasible insertion, or +infinity; positions in the route's current numbering.</summary>
    public static double Best(CompiledProblem pb, RouteState route, int request, out int bestI, out int bestJ)
    {
        bestI = bestJ = -1;
        int v = route.Vehicle;
        int dims = pb.Dims;
        int capBase = v * dims;
        for (int d = 0; d < dims; d++)
        {
            if (pb.RequestAmount[request * dims + d] > pb.Capacity[capBase + d]) return double.PositiveInfinity;
        }
        if (pb.HasPickup[request] && pb.HasDelivery[request]) return BestPair(pb, route, request, ref bestI, ref bestJ);
        return BestSingle(pb, route, request, ref bestI, ref bestJ);
    }

    private static double BestPair(CompiledProblem pb, RouteState route, int request, ref int bestI, ref int bestJ)
    {
        int n = route.Count, w = pb.Locations;
        var stops = route.Stop;
        var start = route.Start;
        var latest = route.Latest;
        var cost = pb.ArcCost[pb.VehicleProfile[route.Vehicle]];
        var dur = pb.Duration;
        var loc = pb.StopLocation;
        var svc = pb.StopService;
        var early = pb.StopEarliest;
        var late = pb.StopLatest;
        int p = CompiledProblem.PickupStop(request), dl = CompiledProblem.DeliveryStop(request);
        int lp = loc[p], ld = loc[dl];
        double ep = early[p], lateP = late[p], ed = early[dl], lateD = late[dl], sp = svc[p], sd = svc[dl];
        double pToD = dur[lp * w + ld];
        double costPD = cost[lp * w + ld];
        // An unused vehicle costs nothing, so opening it costs its fixed cost and every arc.
        double emptyExtra = EmptyExtra(pb, route, cost);
        bool schedule = pb.HasScheduleCosts;
        double best = double.PositiveInfinity;

        // The cheapest detour of the delivery between any two neighbours: a bound that lets a pickup
        // position skip the whole delivery scan when even that detour cannot beat the best so far.
        double minDeliveryDetour = double.PositiveInfinity;
        for (int j = 1; j <= n; j++)
        {
            int l0 = loc[stops[j]], l1 = loc[stops[j + 1]];
            double detour = cost[l0 * w + ld] + cost[ld * w + l1] - cost[l0 * w + l1];
            if (detour < minDeliveryDetour) minDeliveryDetour = detour;
        }

        for (int i = 0; i <= n; i++)
        {
            int a = stops[i], b = stops[i + 1];
            int la = loc[a], lb = loc[b];
            double leave = start[i] + svc[a];
            if (start[i] > lateP) break;            // later positions start even later
            double tp = leave + dur[la * w + lp];
            if (tp < ep) tp = ep;
            if (tp > lateP) continue;
            if (!LoadFitsAt(pb, route, i, request)) continue;
            double costP = cost[la * w + lp] - cost[la * w + lb] + emptyExtra;
            if (schedule) costP += pb.ScheduleCost(p, tp);
            double leaveP = tp + sp;

            // Delivery straight after the pickup.
            double td = leaveP + pToD;
            if (td < ed) td = ed;
            if (td <= lateD && td + sd + dur[ld * w + lb] <= latest[i + 1])
            {
                double c = costP + costPD + cost[ld * w + lb];
                if (schedule)
                {
                    c += pb.ScheduleCost(dl, td);
                    if (c < best) c += PushCost(pb, route, i + 1, td + sd + dur[ld * w + lb]);
                }
                if (c < best) { best = c; bestI = i; bestJ = i; }
            }

            // Delivery after position j > i: push the stops between forward.
            double cur = leaveP + dur[lp * w + lb];
            if (cur < early[b]) cur = early[b];
            if (cur > latest[i + 1]) continue;
            double costAfterP = costP + cost[lp * w + lb];
            if (costAfterP + minDeliveryDetour >= best) continue;
            for (int j = i + 1; j <= n; j++)
            {
                if (!LoadFitsAt(pb, route, j, request)) break;
                int c0 = stops[j], c1 = stops[j + 1];
                int l0 = loc[c0], l1 = loc[c1];
                if (cur > lateD) break;
                // The stops between pickup and delivery start later by the pickup's detour.
                if (schedule)
                {
                    costAfterP += pb.ScheduleCost(c0, cur) - pb.ScheduleCost(c0, start[j]);
                    if (costAfterP + minDeliveryDetour >= best) break;   // later positions only push more
                }
                double leaveJ = cur + svc[c0];
                double t = leaveJ + dur[l0 * w + ld];
                if (t < ed) t = ed;
                if (t <= lateD && t + sd + dur[ld * w + l1] <= latest[j + 1])
                {
                    double c = costAfterP + cost[l0 * w + ld] + cost[ld * w + l1] - cost[l0 * w + l1];
                    if (schedule)
                    {
                        c += pb.ScheduleCost(dl, t);
                        if (c < best) c += PushCost(pb, route, j + 1, t + sd + dur[ld * w + l1]);
                    }
                    if (c < best) { best = c; bestI = i; bestJ = j; }
                }
                if (j == n) break;
                cur = leaveJ + dur[l0 * w + l1];
                if (cur < early[c1]) cur = early[c1];
                if (cur > latest[j + 1]) break;
            }
        }
        return best;
    }

    private static double BestSingle(CompiledProblem pb, RouteState route, int request, ref int bestI, ref int bestJ)
    {
        int dims = pb.Dims, n = route.Count, w = pb.Locations;
        var stops = route.Stop;
        var cost = pb.ArcCost[pb.VehicleProfile[route.Vehicle]];
        var loc = pb.StopLocation;
        bool pickup = pb.HasPickup[request];
        int s = pickup ? CompiledProblem.PickupStop(request) : CompiledProblem.DeliveryStop(request);
        int ls = loc[s];
        double es = pb.StopEarliest[s], lateS = pb.StopLatest[s], ss = pb.StopService[s];
        double emptyExtra = EmptyExtra(pb, route, cost);
        double best = double.PositiveInfinity;
        for (int i = 0; i <= n; i++)
        {
            int a = stops[i], b = stops[i + 1];
            if (route.Start[i] > lateS) break;
            double t = route.Start[i] + pb.StopService[a] + pb.Duration[loc[a] * w + ls];
            if (t < es) t = es;
            if (t > lateS) continue;
            if (t + ss + pb.Duration[ls * w + loc[b]] > route.Latest[i + 1]) continue;
            // A pickup raises the load from here to the end; a delivery loaded at the start raises it from the start to here.
            bool fits = true;
            for (int d = 0; d < dims && fits; d++)
            {
                int q = pb.RequestAmount[request * dims + d];
                int peak = pickup ? route.MaxAfter[(i + 1) * dims + d] : route.MaxBefore[i * dims + d];
                if (pickup && route.Load[i * dims + d] + q > pb.Capacity[route.Vehicle * dims + d]) fits = false;
                if ((long)peak + q > pb.Capacity[route.Vehicle * dims + d]) fits = false;
            }
            if (!fits) continue;
            double c = cost[loc[a] * w + ls] + cost[ls * w + loc[b]] - cost[loc[a] * w + loc[b]] + emptyExtra;
            if (pb.HasScheduleCosts)
            {
                c += pb.ScheduleCost(s, t);
                if (c < best) c += PushCost(pb, route, i + 1, t + ss + pb.Duration[ls * w + loc[b]]);
            }
            if (c < best) { best = c; bestI = i; bestJ = i; }
        }
        return best;
    }

    /// <summary>
    /// An unused vehicle costs nothing (it does not drive from its start to its end), so opening it
    /// costs its fixed cost, the start-to-end arc and the end's schedule cost, which the push from
    /// the inserted stops then prices as a change from there.
    /// </summary>
    private static double EmptyExtra(CompiledProblem pb, RouteState route, double[] cost)
    {
        if (route.Count != 0) return 0;
        int s = route.Stop[0], e = route.Stop[1];
        double extra = pb.FixedCost[route.Vehicle] + cost[pb.StopLocation[s] * pb.Locations + pb.StopLocation[e]];
        if (pb.HasScheduleCosts) extra += pb.ScheduleCost(e, route.Start[1]);
        return extra;
    }

    /// <summary>
    /// Schedule-cost change of the stops from position <paramref name="k"/> on when the stop there is
    /// reached at <paramref name="arrival"/>: a walk that stops as soon as a stop starts no later than
    /// before (waiting absorbed the push, so nothing after it moves).
    /// </summary>
    private static double PushCost(CompiledProblem pb, RouteState route, int k, double arrival)
    {
        double delta = 0;
        int last = route.Count + 1, w = pb.Locations;
        var stops = route.Stop;
        var loc = pb.StopLocation;
        for (; ; k++)
        {
            int s = stops[k];
            double start = arrival > pb.StopEarliest[s] ? arrival : pb.StopEarliest[s];
            double old = route.Start[k];
            if (start <= old) break;
            delta += pb.ScheduleCost(s, start) - pb.ScheduleCost(s, old);
            if (k == last) break;
            arrival = start + pb.StopService[s] + pb.Duration[loc[s] * w + loc[stops[k + 1]]];
        }
        return delta;
    }

    /// <summary>The load after position j with the request on board as well.</summary>
    private static bool LoadFitsAt(CompiledProblem pb, RouteState route, int j, int request)
    {
        int dims = pb.Dims, v = route.Vehicle;
        for (int d = 0; d < dims; d++)
        {
            if ((long)route.Load[j * dims + d] + pb.RequestAmount[request * dims + d] > pb.Capacity[v * dims + d]) return false;
        }
        return true;
    }
}
