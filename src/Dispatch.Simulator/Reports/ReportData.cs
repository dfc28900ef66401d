using Dispatch.Simulator.Evaluation;

namespace Dispatch.Simulator.Reports;

/// <summary>A time series on a fixed grid: value i covers [Start + i*Step, Start + (i+1)*Step) minutes.</summary>
public sealed record TimeSeries(double Start, double Step, double[] Values)
{
    /// <summary>Sum of the values (for counts: the number of events).</summary>
    public double Total => Values.Sum();
}

/// <summary>A histogram: bin i covers [Start + i*Width, Start + (i+1)*Width); the last bin also holds everything above.</summary>
public sealed record Histogram(double Start, double Width, int[] Counts)
{
    public int Total => Counts.Sum();
}

/// <summary>One courier's day: shift, busy (driving + service) minutes as the evaluator counts them, and orders delivered.</summary>
public readonly record struct CourierDay(string Courier, int OnTime, int OffTime, double BusyMinutes, int Delivered)
{
    /// <summary>Busy minutes / shift minutes (0 for an empty shift).</summary>
    public double Utilization => OffTime > OnTime ? BusyMinutes / (OffTime - OnTime) : 0;
}

/// <summary>One courier move with coordinates: departure, arrival (departure + published travel time), end points.</summary>
public readonly record struct RouteLeg(string Courier, double Departure, double Arrival, string Origin, string Destination, double X1, double Y1, double X2, double Y2, bool ToRestaurant);

/// <summary>
/// The numbers behind the run report, computed from the instance and the solution files only
/// (so a report can be rebuilt from a replay folder). Times are minutes from the start of the day.
/// </summary>
public sealed class ReportData
{
    /// <summary>Minutes per bucket of the over-the-day charts.</summary>
    public const double BucketMinutes = 10;

    private ReportData(MdrpInstance instance, MdrpSolution solution)
    {
        Instance = instance;
        Solution = solution;
    }

    public MdrpInstance Instance { get; }
    public MdrpSolution Solution { get; }

    /// <summary>First minute of the day shown (a multiple of 60 at or before the first event).</summary>
    public double DayStart { get; private init; }

    /// <summary>Last minute of the day shown (a multiple of 60 at or after the last event).</summary>
    public double DayEnd { get; private init; }

    /// <summary>Delivered orders: the instance order (by index) and its solution line; first line per order only.</summary>
    public IReadOnlyList<(int Index, MdrpOrderRecord Line)> Delivered { get; private init; } = [];

    /// <summary>Every move, with coordinates, in the solution's order (execution order per courier).</summary>
    public IReadOnlyList<RouteLeg> Legs { get; private init; } = [];

    /// <summary>Per instance courier, in instance order.</summary>
    public IReadOnlyList<CourierDay> Couriers { get; private init; } = [];

    public static ReportData From(MdrpInstance instance, MdrpSolution solution)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(solution);
        var p = instance.Parameters;
        var orderIndex = EvaluationMetrics.IndexOf(instance.Orders.Select(o => o.Id));
        var courierIndex = EvaluationMetrics.IndexOf(instance.Couriers.Select(c => c.Id));

        var delivered = new List<(int, MdrpOrderRecord)>();
        var seen = new HashSet<int>();
        foreach (var line in solution.Orders)
            if (line.Order is not null && orderIndex.TryGetValue(line.Order, out int o) && seen.Add(o)) delivered.Add((o, line));

        var legs = new List<RouteLeg>(solution.Moves.Count);
        var busy = new double[instance.Couriers.Length];
        foreach (var m in solution.Moves)
        {
            if (m.Courier is null || !courierIndex.TryGetValue(m.Courier, out int c)) continue;
            var from = EvaluationMetrics.Locate(instance, orderIndex, instance.Couriers[c], m.Origin);
            var to = EvaluationMetrics.Locate(instance, orderIndex, instance.Couriers[c], m.Destination, allowStart: false);
            if (from is not { } f || to is not { } t) continue;
            int travel = instance.TravelMinutes(f.X, f.Y, t.X, t.Y);
            busy[c] += travel;
            legs.Add(new RouteLeg(m.Courier, m.DepartureTime, m.DepartureTime + travel, m.Origin, m.Destination, f.X, f.Y, t.X, t.Y,
                instance.RestaurantIndex.ContainsKey(m.Destination)));
        }
        var perCourierDelivered = new int[instance.Couriers.Length];
        foreach (var a in solution.Assignments)
        {
            if (a.Courier is null || a.Orders.Length == 0 || !courierIndex.TryGetValue(a.Courier, out int c)) continue;
            int known = a.Orders.Count(id => id is not null && orderIndex.ContainsKey(id));
            busy[c] += p.PickupServiceMinutes + p.DropoffServiceMinutes * known;
        }
        foreach (var (_, line) in delivered)
            if (line.Courier is not null && courierIndex.TryGetValue(line.Courier, out int c)) perCourierDelivered[c]++;
        var couriers = instance.Couriers.Select((c, i) => new CourierDay(c.Id, c.OnTime, c.OffTime, busy[i], perCourierDelivered[i])).ToArray();

        double first = double.PositiveInfinity, last = double.NegativeInfinity;
        foreach (var o in instance.Orders) { first = Math.Min(first, o.PlacementTime); last = Math.Max(last, o.PlacementTime); }
        foreach (var c in instance.Couriers) { first = Math.Min(first, c.OnTime); last = Math.Max(last, c.OffTime); }
        foreach (var (_, line) in delivered) last = Math.Max(last, line.DropoffTime);
        if (double.IsInfinity(first)) { first = 0; last = 60; }
        double start = Math.Floor(first / 60) * 60, end = Math.Max(start + 60, Math.Ceiling(last / 60) * 60);

        return new ReportData(instance, solution) { DayStart = start, DayEnd = end, Delivered = delivered, Legs = legs, Couriers = couriers };
    }

    private int Buckets(double step) => (int)Math.Ceiling((DayEnd - DayStart) / step);

    private TimeSeries Count(IEnumerable<double> times, double step)
    {
        var v = new double[Buckets(step)];
        foreach (var t in times)
        {
            int i = (int)Math.Floor((t - DayStart) / step);
            v[Math.Clamp(i, 0, v.Length - 1)]++;
        }
        return new TimeSeries(DayStart, step, v);
    }

    /// <summary>Orders placed per 10 minutes (every instance order, delivered or not).</summary>
    public TimeSeries PlacedPer10Min() => Count(Instance.Orders.Select(o => (double)o.PlacementTime), BucketMinutes);

    /// <summary>Orders delivered (dropped off) per 10 minutes.</summary>
    public TimeSeries DeliveredPer10Min() => Count(Delivered.Select(d => d.Line.DropoffTime), BucketMinutes);

    /// <summary>Couriers on shift at the start of each 10-minute bucket.</summary>
    public TimeSeries OnShift()
    {
        var v = new double[Buckets(BucketMinutes)];
        for (int i = 0; i < v.Length; i++)
        {
            double t = DayStart + i * BucketMinutes;
            v[i] = Instance.Couriers.Count(c => c.OnTime <= t && t < c.OffTime);
        }
        return new TimeSeries(DayStart, BucketMinutes, v);
    }

    /// <summary>
    /// Couriers busy (driving to a restaurant or customer, or serving) at the start of each 10-minute bucket:
    /// a leg to a restaurant is busy until the courier's next departure (it leaves with the bundle),
    /// a leg to a customer until the drop-off plus half the drop-off service.
    /// </summary>
    public TimeSeries Busy()
    {
        var v = new double[Buckets(BucketMinutes)];
        var dropoff = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (_, line) in Delivered) dropoff[line.Order] = line.DropoffTime;
        double half = Instance.Parameters.DropoffServiceMinutes / 2;
        foreach (var g in Legs.GroupBy(l => l.Courier, StringComparer.Ordinal))
        {
            var legs = g.ToList();
            var isBusy = new bool[v.Length];
            for (int i = 0; i < legs.Count; i++)
            {
                var l = legs[i];
                double to = l.ToRestaurant
                    ? (i + 1 < legs.Count ? Math.Max(l.Arrival, legs[i + 1].Departure) : l.Arrival)
                    : (dropoff.TryGetValue(l.Destination, out double d) ? d + half : l.Arrival);
                // Bucket starts t with departure <= t < to.
                int b0 = Math.Max(0, (int)Math.Ceiling((l.Departure - DayStart) / BucketMinutes));
                int b1 = Math.Min(v.Length, (int)Math.Ceiling((to - DayStart) / BucketMinutes));
                for (int b = b0; b < b1; b++) isBusy[b] = true;
            }
            for (int b = 0; b < v.Length; b++) if (isBusy[b]) v[b]++;
        }
        return new TimeSeries(DayStart, BucketMinutes, v);
    }

    private static Histogram Bin(IEnumerable<double> values, double width, double max)
    {
        int n = Math.Max(1, (int)Math.Ceiling(max / width));
        var counts = new int[n];
        foreach (var x in values) counts[Math.Clamp((int)Math.Floor(x / width), 0, n - 1)]++;
        return new Histogram(0, width, counts);
    }

    /// <summary>Click-to-door (drop-off - placement) of delivered orders, 5-minute bins up to past the maximum.</summary>
    public Histogram ClickToDoor()
    {
        var values = Delivered.Select(d => d.Line.DropoffTime - Instance.Orders[d.Index].PlacementTime).ToList();
        double top = Math.Max(Instance.Parameters.MaxClickToDoor + 15, values.Count == 0 ? 0 : Math.Min(values.Max() + 5, Instance.Parameters.MaxClickToDoor * 2));
        return Bin(values, 5, top);
    }

    /// <summary>Ready-to-pickup (pickup - ready) of delivered orders, 2-minute bins.</summary>
    public Histogram ReadyToPickup()
    {
        var values = Delivered.Select(d => Math.Max(0, d.Line.PickupTime - Instance.Orders[d.Index].ReadyTime)).ToList();
        double top = Math.Max(20, values.Count == 0 ? 0 : Math.Min(values.Max() + 2, 120));
        return Bin(values, 2, top);
    }

    /// <summary>Per-courier utilization in 5% bins from 0 to 100% (the last bin holds everything at or above 95%).</summary>
    public Histogram Utilization() => Bin(Couriers.Select(c => c.Utilization), 0.05, 1.0);

    /// <summary>
    /// Per hour of placement: orders placed, orders delivered within the target, and the on-time share
    /// (an undelivered order counts as late).
    /// </summary>
    public IReadOnlyList<(double Hour, int Placed, int OnTime)> OnTimeByHour()
    {
        int hours = (int)Math.Ceiling((DayEnd - DayStart) / 60);
        var placed = new int[hours];
        var onTime = new int[hours];
        foreach (var o in Instance.Orders) placed[Math.Clamp((int)((o.PlacementTime - DayStart) / 60), 0, hours - 1)]++;
        foreach (var (i, line) in Delivered)
        {
            var o = Instance.Orders[i];
            if (line.DropoffTime - o.PlacementTime <= Instance.Parameters.TargetClickToDoor)
                onTime[Math.Clamp((int)((o.PlacementTime - DayStart) / 60), 0, hours - 1)]++;
        }
        return Enumerable.Range(0, hours).Select(h => (DayStart + 60.0 * h, placed[h], onTime[h])).ToList();
    }

    /// <summary>The hour (aligned to whole hours of the day) with the most orders placed: the map's default window.</summary>
    public (double From, double To) BusiestHour()
    {
        var byHour = OnTimeByHour();
        if (byHour.Count == 0) return (DayStart, DayStart + 60);
        var best = byHour.MaxBy(h => h.Placed);
        return (best.Hour, best.Hour + 60);
    }
}
