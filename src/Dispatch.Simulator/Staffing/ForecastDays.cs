using System.Globalization;
using Dispatch.Simulator.Mdrp;

namespace Dispatch.Simulator.Staffing;

/// <summary>
/// Days of orders drawn from the forecast (<see cref="DemandProfile.Forecast"/>): in each 15-minute slot
/// a Poisson number of orders with the forecast as its mean, each a copy of a recorded order placed in
/// that slot (restaurant, drop-off, preparation time and any promise kept) placed at a uniform minute of
/// the slot. A plan searched on several such days serves the expected day, not the chance of the one
/// recorded: which restaurants were busy in which quarter hour, and how many orders came, vary as they
/// do from one real day to the next.
/// </summary>
public static class ForecastDays
{
    /// <summary>
    /// <paramref name="count"/> days drawn from the forecast of <paramref name="days"/> (<paramref name="demand"/>
    /// is their profile), the k-th with seed <paramref name="seed"/> + k. Restaurants and courier start points
    /// are the union of the recorded days'; parameters are the first day's.
    /// </summary>
    public static MdrpInstance[] Draw(IReadOnlyList<MdrpInstance> days, DemandProfile demand, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(demand);
        if (days.Count == 0) throw new ArgumentException("at least one recorded day is needed", nameof(days));
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1");

        // Restaurants of every day under one id each: a restaurant id that two days place differently is
        // kept apart under a day-qualified id (traces of one city share ids and places).
        var restaurants = new List<MdrpRestaurant>();
        var byId = new Dictionary<string, MdrpRestaurant>(StringComparer.Ordinal);
        var idOf = new Dictionary<(int Day, string Id), string>();
        for (int d = 0; d < days.Count; d++)
        {
            foreach (var r in days[d].Restaurants)
            {
                string id = r.Id;
                if (byId.TryGetValue(id, out var seen) && (seen.X != r.X || seen.Y != r.Y))
                    id = string.Create(CultureInfo.InvariantCulture, $"d{d + 1}-{r.Id}");
                if (byId.TryAdd(id, r with { Id = id })) restaurants.Add(r with { Id = id });
                idOf[(d, r.Id)] = id;
            }
        }
        var starts = days.SelectMany(d => d.Couriers).Select((c, i) => c with { Id = string.Create(CultureInfo.InvariantCulture, $"c{i + 1}") }).ToArray();

        // The recorded orders placed in each slot are the templates of that slot's forecast orders.
        var templates = new List<(int Day, MdrpOrder Order)>[demand.Slots];
        for (int s = 0; s < templates.Length; s++) templates[s] = new();
        for (int d = 0; d < days.Count; d++)
            foreach (var o in days[d].Orders)
                templates[o.PlacementTime / DemandProfile.SlotMinutes].Add((d, o));

        var drawn = new MdrpInstance[count];
        for (int k = 0; k < count; k++)
        {
            // A stream of its own: the same seed also draws couriers' starting points (CourierSupply).
            var random = new Random(unchecked((int)(0x9E3779B9u * (uint)(seed + k)) ^ 0x5F3759DF));
            var orders = new List<MdrpOrder>();
            for (int s = 0; s < demand.Slots; s++)
            {
                if (templates[s].Count == 0 || demand.Forecast[s] <= 0) continue;
                int n = Poisson(random, demand.Forecast[s]);
                var minutes = new int[n];
                for (int i = 0; i < n; i++) minutes[i] = s * DemandProfile.SlotMinutes + random.Next(DemandProfile.SlotMinutes);
                Array.Sort(minutes);
                foreach (int placed in minutes)
                {
                    var (d, t) = templates[s][random.Next(templates[s].Count)];
                    orders.Add(new MdrpOrder(
                        string.Create(CultureInfo.InvariantCulture, $"f{orders.Count + 1}"), t.X, t.Y, placed, idOf[(d, t.Restaurant)],
                        placed + (t.ReadyTime - t.PlacementTime), t.DeliverBy is { } by ? placed + (by - t.PlacementTime) : null));
                }
            }
            string name = string.Create(CultureInfo.InvariantCulture, $"{days[0].Name}-forecast-{seed + k}");
            drawn[k] = new MdrpInstance(name, days[0].Parameters, restaurants.ToArray(), orders.ToArray(), starts);
        }
        return drawn;
    }

    /// <summary>A Poisson draw with mean <paramref name="mean"/>: Knuth's product of uniforms up to 30, a rounded normal above (the product underflows for large means).</summary>
    internal static int Poisson(Random random, double mean)
    {
        if (mean <= 30)
        {
            double limit = Math.Exp(-mean), product = random.NextDouble();
            int n = 0;
            while (product > limit)
            {
                n++;
                product *= random.NextDouble();
            }
            return n;
        }
        // Box-Muller; 1 - u keeps the logarithm finite.
        double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * normal));
    }
}
