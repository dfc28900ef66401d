using System.Globalization;
using Dispatch.Simulator.Mdrp;

namespace Dispatch.Simulator.Generation;

/// <summary>
/// Deterministic generator of one synthetic operating day ("order wave") with the statistics of
/// the recorded Grubhub traces: restaurants clustered in a few hot districts, drop-offs spread
/// around their restaurant, a lunch and a dinner peak over a base rate, gamma preparation times,
/// and courier shifts sized to the orders becoming ready each hour.
/// </summary>
/// <remarks>
/// Same <see cref="WaveOptions"/> (seed included), same instance, on every .NET version and
/// platform: all randomness comes from <see cref="WaveRandom"/>, never <see cref="Random"/>.
/// The city, the orders and the couriers draw from three independent streams of the seed, so
/// changing, say, <see cref="WaveOptions.CourierSupplyFactor"/> leaves the orders as they were,
/// and changing the demand leaves the city (when its radius and restaurant count are given).
/// Coordinates are whole metres and times whole minutes, so an instance survives
/// <see cref="MdrpInstance.Save"/> and <see cref="MdrpInstance.Load"/> exactly.
/// Runs in linear time; a million orders take well under a few seconds.
/// </remarks>
public static class WaveGenerator
{
    private const ulong CityStream = 1, OrderStream = 2, CourierStream = 3, PromiseStream = 4;

    /// <summary>Shifts start on the hour or half hour and last whole half hours.</summary>
    public const int ShiftSlotMinutes = 30;

    /// <summary>Share of restaurants scattered over the whole city instead of in a hot district.</summary>
    private const double ScatteredRestaurantShare = 0.2;

    /// <summary>Share of restaurants placed on the same street as an earlier one.</summary>
    private const double StreetNeighbourShare = 0.4;

    /// <summary>Per-axis distance of a restaurant from its street neighbour, metres.</summary>
    private const double StreetSpreadMeters = 150;

    /// <summary>Per-axis spread of a courier's start around a (popular) restaurant, metres.</summary>
    private const double CourierStartSpreadMeters = 1_500;

    /// <summary>Longest preparation time drawn, minutes (the traces' longest: 55 - 137).</summary>
    private const int MaxPrepMinutes = 150;

    /// <summary>Orders become ready at least this long before closing, so a courier can still collect them.</summary>
    private const int ReadyMarginBeforeEnd = 10;

    // Shift lengths in half hours and their weights, after the traces' historical (s1) shifts:
    // 3 h dominates, then 2 h and 4 h; 1 h, 1.5 h, 2.5 h and 5 h are rare.
    private static readonly int[] ShiftSlots = [2, 3, 4, 5, 6, 8, 10];
    private static readonly double[] ShiftCdf = Cumulative([0.03, 0.04, 0.20, 0.06, 0.45, 0.17, 0.05]);

    /// <summary>Generates the day described by <paramref name="options"/>; throws <see cref="ArgumentOutOfRangeException"/> for invalid options.</summary>
    public static MdrpInstance Generate(WaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var city = City.Build(options, new WaveRandom(options.Seed, CityStream));
        var orders = GenerateOrders(options, city, new WaveRandom(options.Seed, OrderStream));
        var couriers = GenerateCouriers(options, city, orders, new WaveRandom(options.Seed, CourierStream));
        if (options.DeliveryPromises) AddPromises(options, city, orders, new WaveRandom(options.Seed, PromiseStream));
        string name = string.Create(CultureInfo.InvariantCulture, $"gen-{orders.Length}-s{options.Seed}");
        return new MdrpInstance(name, options.Parameters, city.Restaurants, orders, couriers);
    }

    private static MdrpOrder[] GenerateOrders(WaveOptions o, City city, WaveRandom rng)
    {
        int total = o.ExpectedOrders;
        int start = o.StartMinute, last = o.LastOrderMinute;
        int window = last - start + 1;

        // Placement minutes first (counted per minute), then the orders minute by minute: the
        // result comes out sorted by placement without a sort.
        var perMinute = new int[window];
        double lunch = o.LunchPeakShare, lunchAndDinner = o.LunchPeakShare + o.DinnerPeakShare;
        for (int i = 0; i < total; i++)
        {
            double u = rng.NextDouble();
            double t;
            if (u < lunch) t = PeakMinute(rng, o.LunchPeakMinute, o.LunchPeakSpreadMinutes, start, window);
            else if (u < lunchAndDinner) t = PeakMinute(rng, o.DinnerPeakMinute, o.DinnerPeakSpreadMinutes, start, window);
            else t = start + rng.NextDouble() * window;
            int m = (int)Math.Floor(t) - start;
            perMinute[m < 0 ? 0 : m >= window ? window - 1 : m]++;
        }

        var orders = new MdrpOrder[total];
        var restaurants = city.Restaurants;
        double spread = o.DeliverySpreadMeters;
        double maxD2 = o.MaxDeliveryMeters * o.MaxDeliveryMeters;
        double prepScale = o.MeanPrepMinutes / 3.0;
        int latestReady = o.EndMinute - ReadyMarginBeforeEnd;
        int next = 0;
        for (int m = 0; m < window; m++)
        {
            int placement = start + m;
            for (int k = perMinute[m]; k > 0; k--)
            {
                int r = PickIndex(city.PopularityCdf, rng.NextDouble());
                double rx = restaurants[r].X, ry = restaurants[r].Y;
                double dx, dy;
                do
                {
                    dx = spread * rng.NextGaussian();
                    dy = spread * rng.NextGaussian();
                }
                while (dx * dx + dy * dy > maxD2);
                int prep = (int)Math.Round(rng.NextGamma3(prepScale * city.PrepFactor[r]));
                if (prep > MaxPrepMinutes) prep = MaxPrepMinutes;
                int ready = Math.Min(placement + prep, Math.Max(placement, latestReady));
                orders[next] = new MdrpOrder(
                    Id('o', next + 1), city.Coordinate(rx + dx), city.Coordinate(ry + dy), placement, restaurants[r].Id, ready);
                next++;
            }
        }
        return orders;
    }

    /// <summary>DeliverBy = max(placement + a promise in [min, max], ceil(earliest drop-off) + slack); see <see cref="WaveOptions.DeliveryPromises"/>.</summary>
    private static void AddPromises(WaveOptions o, City city, MdrpOrder[] orders, WaveRandom rng)
    {
        var p = o.Parameters;
        var restaurants = city.Restaurants;
        var index = new Dictionary<string, int>(restaurants.Length, StringComparer.Ordinal);
        for (int i = 0; i < restaurants.Length; i++) index[restaurants[i].Id] = i;
        int span = o.PromiseMaxMinutes - o.PromiseMinMinutes + 1;
        for (int i = 0; i < orders.Length; i++)
        {
            ref MdrpOrder order = ref orders[i];
            var r = restaurants[index[order.Restaurant]];
            double dx = r.X - order.X, dy = r.Y - order.Y;
            double ride = Math.Ceiling(Math.Sqrt(dx * dx + dy * dy) / p.MetersPerMinute);
            int earliest = (int)Math.Ceiling(order.ReadyTime + p.PickupServiceMinutes / 2 + ride + p.DropoffServiceMinutes / 2);
            int promise = o.PromiseMinMinutes + rng.NextInt(span);
            order = order with { DeliverBy = Math.Max(order.PlacementTime + promise, earliest + o.PromiseSlackMinutes) };
        }
    }

    private static double PeakMinute(WaveRandom rng, double centre, double spread, int start, int window)
    {
        double t;
        do t = centre + spread * rng.NextGaussian();
        while (t < start || t >= start + window);
        return t;
    }

    /// <summary>
    /// Couriers on duty in each half hour = max(MinCouriersOnDuty, ceil(orders ready in the hour
    /// starting then x CourierSupplyFactor / OrdersPerCourierHour)). A sweep over the half hours
    /// adds shifts (lengths drawn from the traces' mix) starting where coverage falls short; a
    /// shift that would run past closing is moved earlier to end at closing.
    /// </summary>
    private static MdrpCourier[] GenerateCouriers(WaveOptions o, City city, MdrpOrder[] orders, WaveRandom rng)
    {
        int start = o.StartMinute, end = o.EndMinute, span = end - start;
        var readyBefore = new int[span + 2]; // readyBefore[i] = orders ready before minute start + i
        foreach (var order in orders) readyBefore[order.ReadyTime - start + 1]++;
        for (int i = 1; i < readyBefore.Length; i++) readyBefore[i] += readyBefore[i - 1];

        int slots = (span + ShiftSlotMinutes - 1) / ShiftSlotMinutes;
        var needed = new int[slots];
        double perOrder = o.CourierSupplyFactor / o.OrdersPerCourierHour;
        for (int s = 0; s < slots; s++)
        {
            int from = s * ShiftSlotMinutes, to = Math.Min(from + 60, span + 1);
            int ready = readyBefore[to] - readyBefore[from];
            needed[s] = Math.Max(o.MinCouriersOnDuty, (int)Math.Ceiling(ready * perOrder - 1e-9));
        }

        var cover = new int[slots];
        var shifts = new List<(int StartSlot, int Slots)>();
        for (int s = 0; s < slots; s++)
        {
            while (cover[s] < needed[s])
            {
                int length = Math.Min(ShiftSlots[PickIndex(ShiftCdf, rng.NextDouble())], slots);
                int first = Math.Min(s, slots - length);
                for (int j = first; j < first + length; j++) cover[j]++;
                shifts.Add((first, length));
            }
        }

        // Order by start time; the sort key is unique (start, creation index) so the result does
        // not depend on the sort algorithm.
        var keys = new long[shifts.Count];
        for (int i = 0; i < keys.Length; i++) keys[i] = (long)shifts[i].StartSlot * int.MaxValue + i;
        Array.Sort(keys);

        var couriers = new MdrpCourier[keys.Length];
        var restaurants = city.Restaurants;
        for (int i = 0; i < couriers.Length; i++)
        {
            var (first, length) = shifts[(int)(keys[i] % int.MaxValue)];
            int on = start + first * ShiftSlotMinutes;
            int off = Math.Min(start + (first + length) * ShiftSlotMinutes, end);
            int r = PickIndex(city.PopularityCdf, rng.NextDouble());
            double x = city.Coordinate(restaurants[r].X + CourierStartSpreadMeters * rng.NextGaussian());
            double y = city.Coordinate(restaurants[r].Y + CourierStartSpreadMeters * rng.NextGaussian());
            couriers[i] = new MdrpCourier(Id('c', i + 1), x, y, on, off);
        }
        return couriers;
    }

    /// <summary>"o17", "r3", "c120", like the traces.</summary>
    private static string Id(char prefix, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{number}");

    /// <summary>First index whose cumulative weight exceeds u x total (u in [0, 1)).</summary>
    private static int PickIndex(double[] cdf, double u)
    {
        double target = u * cdf[^1];
        int lo = 0, hi = cdf.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] > target) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private static double[] Cumulative(double[] weights)
    {
        var cdf = new double[weights.Length];
        double sum = 0;
        for (int i = 0; i < weights.Length; i++) cdf[i] = sum += weights[i];
        return cdf;
    }

    /// <summary>A uniform point in the disk of radius <paramref name="radius"/> around 0 (rejection from the square; no trigonometry).</summary>
    private static (double X, double Y) UniformInDisk(WaveRandom rng, double radius)
    {
        double x, y;
        do
        {
            x = 2 * rng.NextDouble() - 1;
            y = 2 * rng.NextDouble() - 1;
        }
        while (x * x + y * y > 1);
        return (x * radius, y * radius);
    }

    /// <summary>
    /// The city: restaurants in a square of side 2 x (radius + margin) with its centre in the
    /// middle, so every coordinate is a non-negative whole number of metres like the traces'.
    /// </summary>
    private sealed class City
    {
        private City(MdrpRestaurant[] restaurants, double[] popularityCdf, double[] prepFactor, double extent)
        {
            Restaurants = restaurants;
            PopularityCdf = popularityCdf;
            PrepFactor = prepFactor;
            Extent = extent;
        }

        public MdrpRestaurant[] Restaurants { get; }

        /// <summary>Cumulative share of the day's orders per restaurant (lognormal popularity, a few very busy ones).</summary>
        public double[] PopularityCdf { get; }

        /// <summary>Per-restaurant factor on preparation time (mean 1): some kitchens are slower.</summary>
        public double[] PrepFactor { get; }

        /// <summary>Side of the square holding all coordinates, metres.</summary>
        public double Extent { get; }

        /// <summary>Rounds to a whole metre inside the city square.</summary>
        public double Coordinate(double v)
        {
            double r = Math.Round(v);
            return r < 0 ? 0 : r > Extent ? Extent : r;
        }

        public static City Build(WaveOptions o, WaveRandom rng)
        {
            double radius = o.ResolvedCityRadiusMeters;
            int n = o.ResolvedRestaurants;
            double centre = Math.Round(radius + o.MaxDeliveryMeters + 1_000);
            double extent = 2 * centre;

            // Hot districts: downtown in the middle, the others within 60 % of the radius.
            int districts = Math.Min(n, Math.Clamp((int)Math.Round(Math.Sqrt(n) / 3), 1, 64));
            var dx = new double[districts];
            var dy = new double[districts];
            var dSpread = new double[districts];
            var dWeight = new double[districts];
            for (int d = 0; d < districts; d++)
            {
                if (d > 0) (dx[d], dy[d]) = UniformInDisk(rng, 0.6 * radius);
                dSpread[d] = radius * (0.08 + 0.08 * rng.NextDouble());
                dWeight[d] = d == 0 ? 1.5 : Math.Exp(0.5 * rng.NextGaussian());
            }
            var districtCdf = Cumulative(dWeight);

            var city = new City(new MdrpRestaurant[n], new double[n], new double[n], extent);
            double popularity = 0, r2 = radius * radius;
            for (int i = 0; i < n; i++)
            {
                double x, y;
                double kind = rng.NextDouble();
                if (kind < ScatteredRestaurantShare)
                {
                    (x, y) = UniformInDisk(rng, radius);
                }
                else if (i > 0 && kind < ScatteredRestaurantShare + StreetNeighbourShare)
                {
                    // On the same street as an earlier restaurant: the traces' median nearest
                    // neighbour is only 150 - 200 m.
                    var neighbour = city.Restaurants[rng.NextInt(i)];
                    x = neighbour.X - centre + StreetSpreadMeters * rng.NextGaussian();
                    y = neighbour.Y - centre + StreetSpreadMeters * rng.NextGaussian();
                }
                else
                {
                    int d = PickIndex(districtCdf, rng.NextDouble());
                    int tries = 0;
                    do
                    {
                        x = dx[d] + dSpread[d] * rng.NextGaussian();
                        y = dy[d] + dSpread[d] * rng.NextGaussian();
                    }
                    while (x * x + y * y > r2 && ++tries < 16);
                    if (x * x + y * y > r2) (x, y) = (dx[d], dy[d]);
                }
                city.Restaurants[i] = new MdrpRestaurant(Id('r', i + 1), city.Coordinate(centre + x), city.Coordinate(centre + y));
                city.PopularityCdf[i] = popularity += Math.Exp(rng.NextGaussian());
                city.PrepFactor[i] = Math.Exp(0.25 * rng.NextGaussian() - 0.03125);
            }
            return city;
        }
    }
}
