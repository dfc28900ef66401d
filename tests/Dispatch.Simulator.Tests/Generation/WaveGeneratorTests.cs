using Dispatch.Simulator.Generation;

namespace Dispatch.Simulator.Tests.Generation;

public class WaveGeneratorTests
{
    private static readonly WaveOptions Busy = new() { Seed = 11, OrdersPerDay = 20_000 };
    private static readonly Lazy<MdrpInstance> BusyDay = new(() => WaveGenerator.Generate(Busy));

    [Fact]
    public void Same_seed_gives_an_identical_instance()
    {
        var options = new WaveOptions { Seed = 5, OrdersPerDay = 3_000, WeatherMultiplier = 1.2 };
        var a = WaveGenerator.Generate(options);
        var b = WaveGenerator.Generate(options with { });
        InstanceAssert.Identical(a, b);
        Assert.Equal(InstanceAssert.Fingerprint(a), InstanceAssert.Fingerprint(b));
    }

    [Fact]
    public void Different_seeds_give_different_instances()
    {
        var a = WaveGenerator.Generate(new WaveOptions { Seed = 1, OrdersPerDay = 3_000 });
        var b = WaveGenerator.Generate(new WaveOptions { Seed = 2, OrdersPerDay = 3_000 });
        Assert.NotEqual(a.Name, b.Name);
        Assert.NotEqual(a.Restaurants, b.Restaurants);
        Assert.NotEqual(a.Orders, b.Orders);
        Assert.NotEqual(a.Couriers, b.Couriers);
    }

    [Fact]
    public void Courier_supply_does_not_change_the_city_or_the_orders()
    {
        var baseline = WaveGenerator.Generate(new WaveOptions { Seed = 3, OrdersPerDay = 4_000 });
        var richer = WaveGenerator.Generate(new WaveOptions { Seed = 3, OrdersPerDay = 4_000, CourierSupplyFactor = 1.5 });
        Assert.Equal(baseline.Restaurants, richer.Restaurants);
        Assert.Equal(baseline.Orders, richer.Orders);
        Assert.True(richer.Couriers.Length > baseline.Couriers.Length * 1.3,
            $"{richer.Couriers.Length} couriers at 1.5x supply vs {baseline.Couriers.Length}");
    }

    [Theory]
    [InlineData(1_000, 1.0, 1.0)]
    [InlineData(10_000, 1.3, 1.0)]  // rain
    [InlineData(10_000, 1.0, 1.25)] // holiday
    [InlineData(10_000, 0.8, 1.2)]
    [InlineData(54_321, 1.1, 1.1)]
    public void Order_count_follows_orders_per_day_times_multipliers(int perDay, double weather, double holiday)
    {
        var options = new WaveOptions { OrdersPerDay = perDay, WeatherMultiplier = weather, HolidayMultiplier = holiday };
        var instance = WaveGenerator.Generate(options);
        double expected = perDay * weather * holiday;
        Assert.InRange(instance.Orders.Length, expected * 0.98, expected * 1.02);
        Assert.Equal($"gen-{instance.Orders.Length}-s{options.Seed}", instance.Name);
    }

    [Fact]
    public void Placements_have_a_lunch_and_a_dinner_peak_over_an_afternoon_trough()
    {
        var o = Busy;
        var hourly = new int[24];
        foreach (var order in BusyDay.Value.Orders) hourly[(order.PlacementTime - o.StartMinute) / 60]++;
        int lunch = hourly[o.LunchPeakMinute / 60], dinner = hourly[o.DinnerPeakMinute / 60];
        int trough = hourly[(o.LunchPeakMinute + o.DinnerPeakMinute) / 2 / 60];
        Assert.True(lunch > 2 * trough, $"lunch hour {lunch} vs trough {trough}");
        Assert.True(dinner > 2 * trough, $"dinner hour {dinner} vs trough {trough}");
        Assert.True(dinner > lunch, $"dinner {dinner} should be the bigger peak (lunch {lunch})");
        // The busiest hours lie on the peaks.
        int busiestMorning = Array.IndexOf(hourly, hourly[..5].Max());
        int busiestEvening = Array.IndexOf(hourly, hourly[7..].Max(), 7);
        Assert.InRange(busiestMorning, 1, 3);
        Assert.InRange(busiestEvening, 8, 10);
        Assert.True(trough > 0, "the base rate keeps orders coming between the peaks");
    }

    [Fact]
    public void Orders_are_well_formed_and_realistic()
    {
        var o = Busy;
        var instance = BusyDay.Value;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        long prepSum = 0;
        double distanceSum = 0;
        int previous = int.MinValue;
        for (int i = 0; i < instance.Orders.Length; i++)
        {
            var order = instance.Orders[i];
            Assert.Equal($"o{i + 1}", order.Id);
            Assert.True(ids.Add(order.Id));
            Assert.True(order.ReadyTime >= order.PlacementTime, $"{order.Id}: ready {order.ReadyTime} < placement {order.PlacementTime}");
            Assert.InRange(order.PlacementTime, o.StartMinute, o.LastOrderMinute);
            Assert.True(order.ReadyTime <= o.EndMinute, $"{order.Id} ready after closing");
            Assert.True(order.PlacementTime >= previous, "orders are sorted by placement");
            previous = order.PlacementTime;
            Assert.True(order.X >= 0 && order.Y >= 0 && order.X == Math.Floor(order.X) && order.Y == Math.Floor(order.Y));
            var r = instance.Restaurants[instance.RestaurantIndex[order.Restaurant]];
            double d = Math.Sqrt((r.X - order.X) * (r.X - order.X) + (r.Y - order.Y) * (r.Y - order.Y));
            Assert.True(d <= o.MaxDeliveryMeters + 1, $"{order.Id} lies {d:0} m from its restaurant");
            distanceSum += d;
            prepSum += order.ReadyTime - order.PlacementTime;
        }
        double meanPrep = (double)prepSum / instance.Orders.Length;
        double meanDistance = distanceSum / instance.Orders.Length;
        Assert.InRange(meanPrep, 15, 21);           // traces: 16 - 20
        Assert.InRange(meanDistance, 1_900, 2_600); // traces: 2,200
        for (int i = 0; i < instance.Restaurants.Length; i++) Assert.Equal($"r{i + 1}", instance.Restaurants[i].Id);
        Assert.Equal(Busy.ResolvedRestaurants, instance.Restaurants.Length);
    }

    [Fact]
    public void Restaurants_cluster_in_hot_districts()
    {
        // Restaurants sit on shared streets inside hot districts: the median distance to the
        // nearest other restaurant (traces: 120 - 200 m) is far below that of restaurants spread
        // uniformly over the same disk.
        var o = new WaveOptions { Seed = 9, OrdersPerDay = 5_000 };
        var restaurants = WaveGenerator.Generate(o).Restaurants;
        double radius = o.ResolvedCityRadiusMeters;
        double uniformMeanNearest = 0.5 * Math.Sqrt(Math.PI * radius * radius / restaurants.Length);
        var nearest = new double[restaurants.Length];
        for (int i = 0; i < restaurants.Length; i++)
        {
            double best = double.MaxValue;
            for (int j = 0; j < restaurants.Length; j++)
            {
                if (i == j) continue;
                double dx = restaurants[i].X - restaurants[j].X, dy = restaurants[i].Y - restaurants[j].Y;
                best = Math.Min(best, dx * dx + dy * dy);
            }
            nearest[i] = Math.Sqrt(best);
        }
        Array.Sort(nearest);
        double median = nearest[nearest.Length / 2];
        Assert.True(median < 0.6 * uniformMeanNearest, $"median nearest neighbour {median:0} m vs {uniformMeanNearest:0} m for a uniform city");
        Assert.InRange(median, 50, 300);
    }

    [Fact]
    public void Courier_capacity_tracks_demand_every_half_hour()
    {
        var o = Busy;
        var instance = BusyDay.Value;
        for (int from = o.StartMinute; from < o.EndMinute; from += WaveGenerator.ShiftSlotMinutes)
        {
            int ready = 0;
            foreach (var order in instance.Orders)
                if (order.ReadyTime >= from && order.ReadyTime < from + 60) ready++;
            int onDuty = 0;
            foreach (var c in instance.Couriers)
                if (c.OnTime <= from && from < c.OffTime) onDuty++;
            Assert.True(onDuty >= o.MinCouriersOnDuty, $"{onDuty} couriers on duty at minute {from}");
            Assert.True(onDuty * o.OrdersPerCourierHour >= ready,
                $"{onDuty} couriers on duty at minute {from} for {ready} orders ready within the hour");
            // ...and not grossly overstaffed at the busy times.
            if (ready > 500) Assert.True(onDuty * o.OrdersPerCourierHour <= 2.5 * ready, $"{onDuty} couriers for {ready} orders at {from}");
        }
    }

    [Fact]
    public void Courier_shifts_look_like_the_traces()
    {
        var o = Busy;
        var couriers = BusyDay.Value.Couriers;
        Assert.NotEmpty(couriers);
        int previous = int.MinValue;
        for (int i = 0; i < couriers.Length; i++)
        {
            var c = couriers[i];
            Assert.Equal($"c{i + 1}", c.Id);
            Assert.Equal(0, (c.OnTime - o.StartMinute) % 30);
            Assert.InRange(c.OffTime - c.OnTime, 60, 300);
            Assert.InRange(c.OnTime, o.StartMinute, o.EndMinute);
            Assert.True(c.OffTime <= o.EndMinute);
            Assert.True(c.OnTime >= previous, "couriers are sorted by shift start");
            previous = c.OnTime;
            Assert.True(c.X >= 0 && c.Y >= 0);
        }
        double hours = couriers.Sum(c => (c.OffTime - c.OnTime) / 60.0);
        double ordersPerCourierHour = BusyDay.Value.Orders.Length / hours;
        Assert.InRange(ordersPerCourierHour, 1.5, 2.5); // traces: 1.7 - 2.4
    }

    [Fact]
    public void Save_then_load_round_trips_exactly()
    {
        var instance = WaveGenerator.Generate(new WaveOptions { Seed = 21, OrdersPerDay = 2_000, HolidayMultiplier = 1.1 });
        string root = Path.Combine(Path.GetTempPath(), "dispatch-wave-" + Guid.NewGuid().ToString("N"));
        try
        {
            string dir = Path.Combine(root, instance.Name);
            instance.Save(dir);
            var loaded = MdrpInstance.Load(dir);
            InstanceAssert.Identical(instance, loaded);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Delivery_promises_are_off_by_default_and_change_nothing_else()
    {
        var options = new WaveOptions { Seed = 8, OrdersPerDay = 2_000 };
        var plain = WaveGenerator.Generate(options);
        var promised = WaveGenerator.Generate(options with { DeliveryPromises = true });
        Assert.All(plain.Orders, o => Assert.Null(o.DeliverBy));
        Assert.Equal(plain.Restaurants, promised.Restaurants);
        Assert.Equal(plain.Couriers, promised.Couriers);
        Assert.Equal(plain.Orders, promised.Orders.Select(o => o with { DeliverBy = null }));
        var p = promised.Parameters;
        int slow = 0;
        foreach (var o in promised.Orders)
        {
            var r = promised.Restaurants[promised.RestaurantIndex[o.Restaurant]];
            int earliest = (int)Math.Ceiling(o.ReadyTime + p.PickupServiceMinutes / 2 + promised.TravelMinutes(r.X, r.Y, o.X, o.Y) + p.DropoffServiceMinutes / 2);
            int by = Assert.NotNull(o.DeliverBy);
            Assert.True(by >= o.PlacementTime + 45 && by >= earliest + 15, $"{o}: deliver by {by}, earliest drop-off {earliest}");
            Assert.True(by <= o.PlacementTime + 60 || by == earliest + 15, $"{o}: deliver by {by}, earliest drop-off {earliest}");
            if (by > o.PlacementTime + 60) slow++;
        }
        // Most promises are 45-60 minutes; slow kitchens get later ones.
        Assert.InRange(slow, 1, promised.Orders.Length / 5);
    }

    [Fact]
    public void Promises_survive_save_and_load_in_a_seventh_column()
    {
        var instance = WaveGenerator.Generate(new WaveOptions { Seed = 4, OrdersPerDay = 1_000, DeliveryPromises = true, PromiseMinMinutes = 30, PromiseMaxMinutes = 31 });
        string root = Path.Combine(Path.GetTempPath(), "dispatch-wave-" + Guid.NewGuid().ToString("N"));
        try
        {
            string dir = Path.Combine(root, instance.Name);
            instance.Save(dir);
            Assert.EndsWith("\tready_time\tdeliver_by", File.ReadLines(Path.Combine(dir, "orders.txt")).First());
            InstanceAssert.Identical(instance, MdrpInstance.Load(dir));
            // Without promises the file keeps the published six columns.
            var plain = WaveGenerator.Generate(new WaveOptions { Seed = 4, OrdersPerDay = 1_000 });
            plain.Save(dir);
            Assert.EndsWith("\tready_time", File.ReadLines(Path.Combine(dir, "orders.txt")).First());
            Assert.All(MdrpInstance.Load(dir).Orders, o => Assert.Null(o.DeliverBy));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_million_orders_are_generated()
    {
        var instance = WaveGenerator.Generate(new WaveOptions { Seed = 1, OrdersPerDay = 1_000_000 });
        Assert.Equal(1_000_000, instance.Orders.Length);
        Assert.Equal(WaveOptions.MaxDefaultRestaurants, instance.Restaurants.Length);
        Assert.InRange(instance.Couriers.Length, 100_000, 250_000);
        Assert.Equal("o1000000", instance.Orders[^1].Id);
    }
}
