using Dispatch.Simulator.Mdrp;

namespace Dispatch.Simulator.Staffing;

/// <summary>
/// Orders placed per 15-minute slot of the day, per recorded day and per area (restaurant clusters),
/// the peaks of the forecast day and the forecast itself: for one day, that day; for several, the mean
/// profile scaled to the day total that a straight-line trend through the day totals gives for the next day.
/// Slot s covers minutes [15 s, 15 s + 15) from the start of the day (minute 0 of the traces).
/// </summary>
public sealed class DemandProfile
{
    /// <summary>Minutes per slot.</summary>
    public const int SlotMinutes = 15;

    private DemandProfile(string[] days, double[][] perDay, double[][] perArea, RestaurantAreas areas, double[] mean, double[] forecast, double trendPerDay, DemandPeak[] peaks)
    {
        Days = days;
        OrdersPerDay = perDay;
        MeanPerArea = perArea;
        Areas = areas;
        Mean = mean;
        Forecast = forecast;
        TrendPerDay = trendPerDay;
        Peaks = peaks;
    }

    /// <summary>Names of the recorded days, in the order given.</summary>
    public IReadOnlyList<string> Days { get; }

    /// <summary>Number of slots (every profile has this length: up to the last placement of any day).</summary>
    public int Slots => Mean.Length;

    /// <summary>Orders placed per slot, [day][slot].</summary>
    public double[][] OrdersPerDay { get; }

    /// <summary>Mean over days of orders placed per slot, [area][slot].</summary>
    public double[][] MeanPerArea { get; }

    /// <summary>The areas (k-means over every day's restaurants).</summary>
    public RestaurantAreas Areas { get; }

    /// <summary>Mean over days of orders placed per slot.</summary>
    public double[] Mean { get; }

    /// <summary>Forecast orders per slot for the next day.</summary>
    public double[] Forecast { get; }

    /// <summary>Slope of the day totals per day (0 for one day).</summary>
    public double TrendPerDay { get; }

    /// <summary>Peaks of the forecast, in time order.</summary>
    public IReadOnlyList<DemandPeak> Peaks { get; }

    /// <summary>Builds the profile of <paramref name="days"/> with <paramref name="areas"/> restaurant clusters.</summary>
    public static DemandProfile From(IReadOnlyList<MdrpInstance> days, int areas = 4)
    {
        ArgumentNullException.ThrowIfNull(days);
        if (days.Count == 0) throw new ArgumentException("at least one recorded day is needed", nameof(days));
        if (areas < 1) throw new ArgumentOutOfRangeException(nameof(areas), areas, "areas must be at least 1");
        int lastPlacement = 0;
        foreach (var d in days)
        {
            if (d.Orders.Length == 0) throw new ArgumentException($"day '{d.Name}' has no orders", nameof(days));
            lastPlacement = Math.Max(lastPlacement, d.Orders.Max(o => o.PlacementTime));
        }
        int slots = lastPlacement / SlotMinutes + 1;

        var clusters = RestaurantAreas.Cluster(
            days.SelectMany(d => d.Restaurants.Select(r => r.X)).ToArray(),
            days.SelectMany(d => d.Restaurants.Select(r => r.Y)).ToArray(), areas);
        var perDay = new double[days.Count][];
        var perArea = new double[clusters.Count][];
        for (int a = 0; a < perArea.Length; a++) perArea[a] = new double[slots];
        for (int d = 0; d < days.Count; d++)
        {
            var day = days[d];
            perDay[d] = new double[slots];
            var areaOfRestaurant = day.Restaurants.Select(r => clusters.NearestArea(r.X, r.Y)).ToArray();
            foreach (var o in day.Orders)
            {
                int s = o.PlacementTime / SlotMinutes;
                perDay[d][s]++;
                perArea[areaOfRestaurant[day.RestaurantIndex[o.Restaurant]]][s] += 1.0 / days.Count;
            }
        }

        var mean = new double[slots];
        for (int s = 0; s < slots; s++) mean[s] = perDay.Average(p => p[s]);
        double trend = 0, factor = 1;
        if (days.Count > 1)
        {
            // Least-squares line through the day totals, read at the next day's index.
            var totals = perDay.Select(p => p.Sum()).ToArray();
            double n = totals.Length, xMean = (n - 1) / 2, yMean = totals.Average();
            double sxy = 0, sxx = 0;
            for (int i = 0; i < totals.Length; i++)
            {
                sxy += (i - xMean) * (totals[i] - yMean);
                sxx += (i - xMean) * (i - xMean);
            }
            trend = sxy / sxx;
            double next = yMean + trend * (n - xMean);
            factor = yMean > 0 ? Math.Max(0, next) / yMean : 1;
        }
        var forecast = mean.Select(v => v * factor).ToArray();
        return new DemandProfile(days.Select(d => d.Name).ToArray(), perDay, perArea, clusters, mean, forecast, trend, FindPeaks(forecast));
    }

    /// <summary>
    /// Peaks: runs of slots whose 3-slot centred mean is above the mean of the slots between the first
    /// and last order; runs one slot apart are merged (a dip of 15 minutes is noise, not two peaks) and
    /// single-slot runs are dropped (a burst, not a peak to staff for).
    /// </summary>
    public static DemandPeak[] FindPeaks(IReadOnlyList<double> ordersPerSlot)
    {
        ArgumentNullException.ThrowIfNull(ordersPerSlot);
        int n = ordersPerSlot.Count;
        int first = -1, last = -1;
        for (int s = 0; s < n; s++)
        {
            if (ordersPerSlot[s] <= 0) continue;
            if (first < 0) first = s;
            last = s;
        }
        if (first < 0) return [];
        double threshold = 0;
        for (int s = first; s <= last; s++) threshold += ordersPerSlot[s];
        threshold /= last - first + 1;
        var smooth = new double[n];
        for (int s = 0; s < n; s++)
        {
            double sum = 0;
            int count = 0;
            for (int t = Math.Max(0, s - 1); t <= Math.Min(n - 1, s + 1); t++) { sum += ordersPerSlot[t]; count++; }
            smooth[s] = sum / count;
        }

        var runs = new List<(int Start, int End)>(); // End exclusive
        for (int s = 0; s < n; s++)
        {
            if (smooth[s] <= threshold) continue;
            int e = s;
            while (e < n && smooth[e] > threshold) e++;
            if (runs.Count > 0 && s - runs[^1].End <= 1) runs[^1] = (runs[^1].Start, e);
            else runs.Add((s, e));
            s = e;
        }
        var peaks = new List<DemandPeak>();
        foreach (var (start, end) in runs)
        {
            if (end - start < 2) continue;
            double height = 0, orders = 0;
            for (int s = start; s < end; s++)
            {
                height = Math.Max(height, ordersPerSlot[s]);
                orders += ordersPerSlot[s];
            }
            peaks.Add(new DemandPeak(start * SlotMinutes, end * SlotMinutes, height, orders));
        }
        return peaks.ToArray();
    }
}
