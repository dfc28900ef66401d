namespace Dispatch.Simulator.Tests.Evaluation;

/// <summary>
/// A deliberately plain, obviously feasible dispatcher for tests: orders one at a time by ready
/// time, each alone, to the courier that would drop it off first, following the published timing
/// rules literally. It is the evaluator's independent counterpart, not a dispatch policy.
/// </summary>
internal static class GreedySolutionBuilder
{
    public static MdrpSolution Build(MdrpInstance instance)
    {
        var p = instance.Parameters;
        double halfPickup = p.PickupServiceMinutes / 2, halfDrop = p.DropoffServiceMinutes / 2;
        int n = instance.Couriers.Length;
        var free = instance.Couriers.Select(c => (double)c.OnTime).ToArray();
        var at = instance.Couriers.Select(c => (Id: MdrpSolution.StartLocation, c.X, c.Y)).ToArray();
        var solution = new MdrpSolution();

        foreach (var order in instance.Orders.OrderBy(o => o.ReadyTime).ThenBy(o => o.PlacementTime).ThenBy(o => o.Id, StringComparer.Ordinal))
        {
            var r = instance.Restaurants[instance.RestaurantIndex[order.Restaurant]];
            int toCustomer = instance.TravelMinutes(r.X, r.Y, order.X, order.Y);
            int best = -1;
            double bestDrop = double.MaxValue, bestDepart = 0, bestPickup = 0;
            for (int c = 0; c < n; c++)
            {
                // Assigned when both the order exists and the courier is free; it leaves at once.
                double depart = Math.Max(free[c], order.PlacementTime);
                double arrive = depart + instance.TravelMinutes(at[c].X, at[c].Y, r.X, r.Y);
                double pickup = Math.Max(order.ReadyTime, arrive + halfPickup);
                if (pickup > instance.Couriers[c].OffTime) continue;
                double drop = pickup + halfPickup + toCustomer + halfDrop;
                if (drop < bestDrop) (best, bestDrop, bestDepart, bestPickup) = (c, drop, depart, pickup);
            }
            if (best < 0) continue; // nobody can pick it up in time: left undelivered

            string courier = instance.Couriers[best].Id;
            solution.Assignments.Add(new MdrpAssignmentRecord(bestDepart, bestPickup, courier, [order.Id]));
            solution.Orders.Add(new MdrpOrderRecord(order.Id, order.PlacementTime, order.ReadyTime, bestPickup, bestDrop, courier));
            solution.Moves.Add(new MdrpCourierMove(courier, bestDepart, at[best].Id, r.Id));
            solution.Moves.Add(new MdrpCourierMove(courier, bestPickup + halfPickup, r.Id, order.Id));
            free[best] = bestDrop + halfDrop;
            at[best] = (order.Id, order.X, order.Y);
        }
        return solution;
    }
}
