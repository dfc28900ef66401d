using Dispatch.Simulator.Mdrp;

namespace Dispatch.Bench.Snapshots;

/// <summary>Builds the snapshots the benchmarks and the peer comparison share.</summary>
internal static class SnapshotBuilder
{
    /// <summary>Minute of the generated snapshots (the evening peak of a trace-like day).</summary>
    public const double CityNow = 600;

    /// <summary>
    /// Replays the trace once to find its busiest minute (most open orders when the tick runs), then
    /// replays it again up to that minute and freezes the situation: the orders still open, and the
    /// couriers whose shift runs past the next minute and who are free within
    /// <see cref="Snapshot.CourierWindowMinutes"/>.
    /// </summary>
    public static Snapshot BusiestMinute(string instanceDir)
    {
        var instance = MdrpInstance.Load(instanceDir);
        double busiest = double.NaN;
        int most = -1;
        new TraceDriver(instance).Run(beforeTick: (now, d) =>
        {
            int open = d.Engine.Counts.Open;
            if (open > most) { most = open; busiest = now; }
        });
        var driver = new TraceDriver(instance);
        driver.Run(stopBeforeTickAt: busiest);
        return Freeze(driver, busiest);
    }

    /// <summary>The snapshot of a driver stopped just before its tick at <paramref name="now"/>.</summary>
    private static Snapshot Freeze(TraceDriver driver, double now)
    {
        var inst = driver.Instance;
        var engine = driver.Engine;
        var orders = new List<SnapOrder>();
        for (int i = 0; i < inst.Orders.Length; i++)
        {
            if (engine.GetOrderStatus(i) != OrderStatus.Open) continue;
            var o = inst.Orders[i];
            orders.Add(new SnapOrder(i, inst.RestaurantIndex[o.Restaurant], o.X, o.Y, o.PlacementTime, o.ReadyTime));
        }
        var couriers = new List<SnapCourier>();
        for (int i = 0; i < inst.Couriers.Length; i++)
        {
            if (!engine.TryGetCourier(i, out var v)) continue;
            if (v.ShiftEnd <= now + 1) continue;
            double avail = Math.Max(now, Math.Max(v.FreeAt, v.ShiftStart));
            if (avail > now + Snapshot.CourierWindowMinutes || avail >= v.ShiftEnd) continue;
            couriers.Add(new SnapCourier(i, v.FreeX, v.FreeY, avail, v.ShiftEnd));
        }
        return new Snapshot
        {
            Name = $"{inst.Name}@{now}",
            Now = now,
            Parameters = inst.Parameters,
            SiteX = inst.Restaurants.Select(r => r.X).ToArray(),
            SiteY = inst.Restaurants.Select(r => r.Y).ToArray(),
            Orders = orders.ToArray(),
            Couriers = couriers.ToArray(),
        };
    }

    /// <summary>
    /// A generated city at minute <see cref="CityNow"/> with <paramref name="openOrders"/> open orders and
    /// half as many couriers: restaurants uniform over a square city whose area grows with the order
    /// count (about the seed-5 trace's density at its busiest minute, up to an 80 km wide metropolis),
    /// drop-offs around their restaurant (1.8 km per axis, at most 6.5 km), orders placed in the last
    /// 20 minutes and ready over the next 30, a third of the couriers idle now and the rest free within
    /// 30 minutes, shifts ending 2 to 4 hours later. Deterministic for a given seed.
    /// </summary>
    public static Snapshot City(int openOrders, int seed = 1)
    {
        var rng = new Random(seed);
        var p = MdrpParameters.Default;
        double now = CityNow;
        double side = Math.Min(80_000, 12_000 * Math.Sqrt(openOrders / 150.0));
        int nSites = Math.Max(20, openOrders / 4);
        var sx = new double[nSites];
        var sy = new double[nSites];
        for (int s = 0; s < nSites; s++) { sx[s] = Math.Round(rng.NextDouble() * side); sy[s] = Math.Round(rng.NextDouble() * side); }

        var orders = new SnapOrder[openOrders];
        for (int i = 0; i < openOrders; i++)
        {
            int s = rng.Next(nSites);
            double dx, dy;
            do { dx = Gaussian(rng) * 1_800; dy = Gaussian(rng) * 1_800; } while (dx * dx + dy * dy > 6_500.0 * 6_500.0);
            // Placed before Now (so the warm-up tick at Now - 1 sees every order), ready over the next 30 minutes.
            double placed = now - 1 - rng.Next(20);
            double ready = Math.Max(placed, now + rng.Next(30));
            orders[i] = new SnapOrder(i, s, Math.Round(sx[s] + dx), Math.Round(sy[s] + dy), placed, ready);
        }

        int nCouriers = Math.Max(1, openOrders / 2);
        var couriers = new SnapCourier[nCouriers];
        for (int c = 0; c < nCouriers; c++)
        {
            int s = rng.Next(nSites);
            double x = Math.Clamp(Math.Round(sx[s] + Gaussian(rng) * 1_500), 0, side);
            double y = Math.Clamp(Math.Round(sy[s] + Gaussian(rng) * 1_500), 0, side);
            double avail = rng.NextDouble() < 1.0 / 3 ? now : now + 1 + rng.Next(30);
            couriers[c] = new SnapCourier(c, x, y, avail, now + 120 + rng.Next(121));
        }
        return new Snapshot
        {
            Name = $"city-{openOrders}",
            Now = now,
            Parameters = p,
            SiteX = sx,
            SiteY = sy,
            Orders = orders,
            Couriers = couriers,
        };
    }

    /// <summary>Snapshots by name: "trace" (busiest minute of the largest shared trace) or "city-N".</summary>
    public static Snapshot ByName(string name)
    {
        if (name == "trace") return BusiestMinute(BenchPaths.Instance(BenchPaths.LargestTrace));
        if (name.StartsWith("city-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), out int n) && n > 0) return City(n);
        if (Directory.Exists(name)) return BusiestMinute(name);
        throw new ArgumentException($"unknown snapshot '{name}' (use trace, city-N or an instance folder)", nameof(name));
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
