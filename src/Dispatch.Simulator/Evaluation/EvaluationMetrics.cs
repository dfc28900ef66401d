namespace Dispatch.Simulator.Evaluation;

/// <summary>
/// The published MDRP metrics of one solution (../shared/mdrp/README.md, "Metrics that matter").
/// Times are minutes. "Delivered" orders are the known, distinct orders of
/// solution_info_orders.txt; per-order metrics are over delivered orders and use the instance's
/// placement and ready times with the file's pickup and drop-off times.
/// Means, shares and ratios over an empty set are 0 (not NaN) so that a report always serializes.
/// Percentiles use the nearest-rank method: the smallest delivered value whose rank is at least
/// ceil(p/100 * n) in ascending order (so P50 of 4 values is the 2nd, P90 is the 4th).
/// </summary>
public sealed record EvaluationMetrics
{
    /// <summary>Orders in the instance.</summary>
    public int Orders { get; init; }

    /// <summary>Distinct known orders with a line in solution_info_orders.txt.</summary>
    public int Delivered { get; init; }

    /// <summary><see cref="Delivered"/> / <see cref="Orders"/>.</summary>
    public double DeliveredShare { get; init; }

    /// <summary><see cref="Orders"/> - <see cref="Delivered"/>.</summary>
    public int Undelivered { get; init; }

    /// <summary>Mean click-to-door (drop-off - placement).</summary>
    public double ClickToDoorMean { get; init; }

    /// <summary>Median click-to-door (nearest rank).</summary>
    public double ClickToDoorP50 { get; init; }

    /// <summary>90th percentile click-to-door (nearest rank).</summary>
    public double ClickToDoorP90 { get; init; }

    /// <summary>Largest click-to-door.</summary>
    public double ClickToDoorMax { get; init; }

    /// <summary>Share of delivered orders with click-to-door above the target.</summary>
    public double OverTargetShare { get; init; }

    /// <summary>Delivered orders with click-to-door above the maximum (a metric, not a violation).</summary>
    public int OverMaxCount { get; init; }

    /// <summary>Mean of max(0, click-to-door - target).</summary>
    public double OverageMean { get; init; }

    /// <summary>Mean of drop-off - ready.</summary>
    public double ReadyToDoorMean { get; init; }

    /// <summary>Mean of pickup - ready.</summary>
    public double ReadyToPickupMean { get; init; }

    /// <summary>
    /// Sum over couriers of driving + service minutes, divided by the sum of shift minutes of all
    /// instance couriers. Driving = travel minutes of each move; service = pickup_service per
    /// assignment + dropoff_service per order listed in an assignment.
    /// </summary>
    public double CourierUtilization { get; init; }

    /// <summary>Delivered orders per courier shift hour (all instance couriers).</summary>
    public double OrdersPerCourierHour { get; init; }

    /// <summary>Sum over instance couriers of max(pay_per_order x orders delivered, guaranteed_pay_per_hour x shift hours).</summary>
    public double TotalPay { get; init; }

    /// <summary><see cref="TotalPay"/> / <see cref="Delivered"/>.</summary>
    public double PayPerOrder { get; init; }

    /// <summary>Share of instance couriers paid the guarantee (guarantee strictly above per-order pay).</summary>
    public double GuaranteeShare { get; init; }

    /// <summary><see cref="Delivered"/> / number of non-empty assignments.</summary>
    public double OrdersPerBundle { get; init; }

    /// <summary>Mean over delivered orders of click-to-door - <see cref="OrderLowerBound"/>; never negative for a feasible solution.</summary>
    public double LowerBoundGapMean { get; init; }

    /// <summary>Mean of <see cref="OrderLowerBound"/> over all orders of the instance.</summary>
    public double LowerBoundMean { get; init; }

    /// <summary>
    /// The smallest click-to-door any solution can reach for <paramref name="order"/>: wait until
    /// ready, half a pickup service, drive straight to the customer, half a drop-off service.
    /// A bundle or an approach drive can only add to it (ceil keeps the triangle inequality for
    /// sums of legs), so click-to-door - bound measures the dispatch's own cost per order.
    /// </summary>
    public static double OrderLowerBound(MdrpInstance instance, in MdrpOrder order)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var p = instance.Parameters;
        var r = instance.Restaurants[instance.RestaurantIndex[order.Restaurant]];
        return order.ReadyTime - order.PlacementTime + p.PickupServiceMinutes / 2
            + instance.TravelMinutes(r.X, r.Y, order.X, order.Y) + p.DropoffServiceMinutes / 2;
    }

    /// <summary>
    /// Computes every metric from the files as written; tolerant of infeasible or inconsistent
    /// files (unknown ids and repeated lines are ignored here; the evaluator reports them).
    /// </summary>
    public static EvaluationMetrics Compute(MdrpInstance instance, MdrpSolution solution)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(solution);
        var p = instance.Parameters;
        var orderIndex = IndexOf(instance.Orders.Select(o => o.Id));
        var courierIndex = IndexOf(instance.Couriers.Select(c => c.Id));

        // First line of each known order only: a repeated line is a violation, not a second delivery.
        var delivered = new List<(MdrpOrder Order, MdrpOrderRecord Line)>();
        var seen = new HashSet<int>();
        foreach (var line in solution.Orders)
        {
            if (line.Order is not null && orderIndex.TryGetValue(line.Order, out int o) && seen.Add(o))
                delivered.Add((instance.Orders[o], line));
        }

        int n = delivered.Count;
        var c2d = delivered.Select(d => d.Line.DropoffTime - d.Order.PlacementTime).Order().ToArray();
        double lowerBoundGap = n == 0 ? 0 : delivered.Average(d => d.Line.DropoffTime - d.Order.PlacementTime - OrderLowerBound(instance, d.Order));

        // Busy minutes of instance couriers only: an unknown courier has no shift to divide by.
        double driving = 0;
        foreach (var m in solution.Moves)
        {
            if (m.Courier is null || !courierIndex.TryGetValue(m.Courier, out int c)) continue;
            var from = Locate(instance, orderIndex, instance.Couriers[c], m.Origin);
            var to = Locate(instance, orderIndex, instance.Couriers[c], m.Destination, allowStart: false);
            if (from is { } f && to is { } t) driving += instance.TravelMinutes(f.X, f.Y, t.X, t.Y);
        }
        var bundles = solution.Assignments.Where(a => a is { Orders.Length: > 0 }).ToArray();
        double service = 0;
        foreach (var a in bundles)
        {
            if (a.Courier is null || !courierIndex.ContainsKey(a.Courier)) continue;
            service += p.PickupServiceMinutes
                + p.DropoffServiceMinutes * a.Orders.Count(id => id is not null && orderIndex.ContainsKey(id));
        }
        double shiftMinutes = instance.Couriers.Sum(c => (double)(c.OffTime - c.OnTime));

        var perCourier = delivered.Where(d => d.Line.Courier is not null)
            .GroupBy(d => d.Line.Courier, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        double totalPay = 0;
        int guaranteed = 0;
        foreach (var c in instance.Couriers)
        {
            double perOrder = p.PayPerOrder * perCourier.GetValueOrDefault(c.Id);
            double guarantee = p.GuaranteedPayPerHour * (c.OffTime - c.OnTime) / 60.0;
            totalPay += Math.Max(perOrder, guarantee);
            if (guarantee > perOrder) guaranteed++;
        }

        return new EvaluationMetrics
        {
            Orders = instance.Orders.Length,
            Delivered = n,
            DeliveredShare = Ratio(n, instance.Orders.Length),
            Undelivered = instance.Orders.Length - n,
            ClickToDoorMean = n == 0 ? 0 : c2d.Average(),
            ClickToDoorP50 = NearestRank(c2d, 50),
            ClickToDoorP90 = NearestRank(c2d, 90),
            ClickToDoorMax = n == 0 ? 0 : c2d[^1],
            OverTargetShare = Ratio(c2d.Count(v => v > p.TargetClickToDoor), n),
            OverMaxCount = c2d.Count(v => v > p.MaxClickToDoor),
            OverageMean = n == 0 ? 0 : c2d.Average(v => Math.Max(0, v - p.TargetClickToDoor)),
            ReadyToDoorMean = n == 0 ? 0 : delivered.Average(d => d.Line.DropoffTime - d.Order.ReadyTime),
            ReadyToPickupMean = n == 0 ? 0 : delivered.Average(d => d.Line.PickupTime - d.Order.ReadyTime),
            CourierUtilization = Ratio(driving + service, shiftMinutes),
            OrdersPerCourierHour = Ratio(n, shiftMinutes / 60.0),
            TotalPay = totalPay,
            PayPerOrder = Ratio(totalPay, n),
            GuaranteeShare = Ratio(guaranteed, instance.Couriers.Length),
            OrdersPerBundle = Ratio(n, bundles.Length),
            LowerBoundGapMean = lowerBoundGap,
            LowerBoundMean = instance.Orders.Length == 0 ? 0 : instance.Orders.Average(o => OrderLowerBound(instance, o)),
        };
    }

    /// <summary>
    /// The metrics as snake_case keys (orders, delivered, delivered_share, undelivered,
    /// click_to_door_mean, ... lower_bound_mean), for JSON/CSV reports and comparisons with the
    /// published evaluator. Keys are inserted in declaration order.
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["orders"] = Orders,
        ["delivered"] = Delivered,
        ["delivered_share"] = DeliveredShare,
        ["undelivered"] = Undelivered,
        ["click_to_door_mean"] = ClickToDoorMean,
        ["click_to_door_p50"] = ClickToDoorP50,
        ["click_to_door_p90"] = ClickToDoorP90,
        ["click_to_door_max"] = ClickToDoorMax,
        ["over_target_share"] = OverTargetShare,
        ["over_max_count"] = OverMaxCount,
        ["overage_mean"] = OverageMean,
        ["ready_to_door_mean"] = ReadyToDoorMean,
        ["ready_to_pickup_mean"] = ReadyToPickupMean,
        ["courier_utilization"] = CourierUtilization,
        ["orders_per_courier_hour"] = OrdersPerCourierHour,
        ["total_pay"] = TotalPay,
        ["pay_per_order"] = PayPerOrder,
        ["guarantee_share"] = GuaranteeShare,
        ["orders_per_bundle"] = OrdersPerBundle,
        ["lower_bound_gap_mean"] = LowerBoundGapMean,
        ["lower_bound_mean"] = LowerBoundMean,
    };

    /// <summary>Nearest-rank percentile of ascending <paramref name="sorted"/>; 0 when empty.</summary>
    internal static double NearestRank(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0) return 0;
        int rank = (int)Math.Ceiling(percent / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    /// <summary>
    /// Coordinates of a move endpoint: <c>0</c> is the courier's start (origins only), then
    /// restaurants, then orders; null when unknown.
    /// </summary>
    internal static (double X, double Y)? Locate(MdrpInstance instance, IReadOnlyDictionary<string, int> orderIndex,
        in MdrpCourier courier, string? id, bool allowStart = true)
    {
        if (id is null) return null;
        if (allowStart && id == MdrpSolution.StartLocation) return (courier.X, courier.Y);
        if (instance.RestaurantIndex.TryGetValue(id, out int r)) return (instance.Restaurants[r].X, instance.Restaurants[r].Y);
        if (orderIndex.TryGetValue(id, out int o)) return (instance.Orders[o].X, instance.Orders[o].Y);
        return null;
    }

    /// <summary>Id to first index; the instance reader does not reject repeated order or courier ids, so keep the first.</summary>
    internal static Dictionary<string, int> IndexOf(IEnumerable<string> ids)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int i = 0;
        foreach (var id in ids)
        {
            if (id is not null) index.TryAdd(id, i);
            i++;
        }
        return index;
    }

    private static double Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : 0;
}
