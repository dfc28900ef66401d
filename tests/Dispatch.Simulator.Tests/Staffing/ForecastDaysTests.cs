using Dispatch.Simulator.Mdrp;
using Dispatch.Simulator.Staffing;
using FsCheck;
using FsCheck.Xunit;

namespace Dispatch.Simulator.Tests.Staffing;

/// <summary>Days drawn from the forecast: copies of orders recorded in the same slot, Poisson counts around the forecast.</summary>
public class ForecastDaysTests
{
    [Property(MaxTest = 30)]
    public bool Every_drawn_order_copies_an_order_recorded_in_its_slot(PositiveInt seed)
    {
        var day = DemandProfileTests.Day(copies: 2);
        var demand = DemandProfile.From([day]);
        foreach (var drawn in ForecastDays.Draw([day], demand, 2, seed.Get))
        {
            for (int i = 1; i < drawn.Orders.Length; i++)
                if (drawn.Orders[i].PlacementTime < drawn.Orders[i - 1].PlacementTime) return false;
            foreach (var o in drawn.Orders)
            {
                int slot = o.PlacementTime / DemandProfile.SlotMinutes;
                bool copied = day.Orders.Any(t => t.PlacementTime / DemandProfile.SlotMinutes == slot && t.Restaurant == o.Restaurant
                    && t.X == o.X && t.Y == o.Y && t.ReadyTime - t.PlacementTime == o.ReadyTime - o.PlacementTime);
                if (!copied || !drawn.RestaurantIndex.ContainsKey(o.Restaurant)) return false;
            }
        }
        return true;
    }

    [Fact]
    public void Counts_per_slot_average_the_forecast_and_vary_between_seeds()
    {
        var day = DemandProfileTests.Day();
        var demand = DemandProfile.From([day]);
        var drawn = ForecastDays.Draw([day], demand, 400, seed: 1);
        for (int s = 0; s < demand.Slots; s++)
        {
            double mean = drawn.Average(d => d.Orders.Count(o => o.PlacementTime / DemandProfile.SlotMinutes == s));
            // Poisson: the mean of 400 draws is within 4 standard errors of the forecast.
            Assert.InRange(mean, demand.Forecast[s] - 4 * Math.Sqrt(demand.Forecast[s] / 400), demand.Forecast[s] + 4 * Math.Sqrt(demand.Forecast[s] / 400));
        }
        Assert.True(drawn.Select(d => d.Orders.Length).Distinct().Count() > 5, "day totals vary like Poisson counts");
        Assert.Equal(ForecastDays.Draw([day], demand, 3, seed: 1).Select(d => d.Orders), drawn.Take(3).Select(d => d.Orders));
    }

    [Fact]
    public void Poisson_draws_have_the_mean_and_variance_of_the_mean()
    {
        var random = new Random(7);
        foreach (double mean in new[] { 0.5, 8, 29, 31, 400 })
        {
            var draws = Enumerable.Range(0, 20_000).Select(_ => (double)ForecastDays.Poisson(random, mean)).ToArray();
            double m = draws.Average(), v = draws.Average(x => (x - m) * (x - m));
            Assert.InRange(m, mean * 0.97 - 0.02, mean * 1.03 + 0.02);
            Assert.InRange(v, mean * 0.9 - 0.05, mean * 1.1 + 0.05);
        }
    }

    [Fact]
    public void Restaurants_two_days_place_differently_stay_apart()
    {
        var a = DemandProfileTests.Day("a");
        var b = DemandProfileTests.Day("b");
        b = new MdrpInstance("b", b.Parameters, [b.Restaurants[0] with { X = 3_000 }, b.Restaurants[1]], b.Orders, b.Couriers);
        var drawn = ForecastDays.Draw([a, b], DemandProfile.From([a, b]), 1, seed: 3)[0];
        Assert.Equal(["r1", "r2", "d2-r1"], drawn.Restaurants.Select(r => r.Id));
        Assert.Equal(3_000, drawn.Restaurants[2].X);
    }

    [Fact]
    public void A_plan_on_forecast_days_meets_the_target_on_their_orders_together()
    {
        // Couriers start at either restaurant: from the first alone the second, 10 km away, is out of reach in time.
        var day = DemandProfileTests.Day(copies: 2);
        day = CourierSupply.WithCouriers(day, [new MdrpCourier("c1", 0, 0, 0, 400), new MdrpCourier("c2", 10_000, 0, 0, 400)]);
        var planner = new StaffingPlanner(new StaffingOptions { TargetOnTime = 0.8, ForecastSeeds = 3, StartDraws = 1, MaxRequirementReplays = 8, MaxPlanChecks = 4 });
        var result = planner.Plan([day]);
        Assert.Equal(3, result.ForecastDays.Count);
        Assert.True(result.ForecastOnTimeShare >= 0.8, $"on time {result.ForecastOnTimeShare:P1} on the forecast days");
        double pooled = result.ForecastDays.Sum(d => d.OnTimeShare * d.Orders) / result.ForecastDays.Sum(d => d.Orders);
        Assert.Equal(pooled, result.ForecastOnTimeShare!.Value, 9);
        Assert.Equal(day.Name, Assert.Single(result.Days).Plan.Day); // the recorded day, replayed with the plan
        Assert.Equal(result.CourierHours, result.Days[0].Plan.CourierHours, 9);
        Assert.True(result.Replays <= planner.MaxReplays(1), $"{result.Replays} replays, at most {planner.MaxReplays(1)} announced");

        var json = StaffingReport.ToJson(result);
        Assert.Equal(3, json["forecast_seeds"]!.GetValue<int>());
        Assert.Equal(Math.Round(result.ForecastOnTimeShare.Value, 4), json["on_time_share_forecast"]!.GetValue<double>());
        Assert.Equal(3, json["on_time_share_forecast_per_replay"]!.AsArray().Count);
        Assert.Contains("On time (forecast days)", StaffingReport.ToHtml(result));
    }

    [Fact]
    public void ForecastSeeds_must_not_be_negative()
    {
        var e = Assert.Throws<ArgumentException>(() => new StaffingPlanner(new StaffingOptions { ForecastSeeds = -1 }));
        Assert.Equal("ForecastSeeds", e.ParamName);
    }
}
