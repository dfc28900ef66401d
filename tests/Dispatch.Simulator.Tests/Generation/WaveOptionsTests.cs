using Dispatch.Simulator.Generation;

namespace Dispatch.Simulator.Tests.Generation;

public class WaveOptionsTests
{
    public static TheoryData<WaveOptions, string> InvalidOptions() => new()
    {
        { new WaveOptions { OrdersPerDay = 999 }, nameof(WaveOptions.OrdersPerDay) },
        { new WaveOptions { OrdersPerDay = 1_000_001 }, nameof(WaveOptions.OrdersPerDay) },
        { new WaveOptions { OrdersPerDay = -5 }, nameof(WaveOptions.OrdersPerDay) },
        { new WaveOptions { OrdersPerDay = 1_000_000, WeatherMultiplier = 2, HolidayMultiplier = 1.5 }, nameof(WaveOptions.OrdersPerDay) },
        { new WaveOptions { CityRadiusMeters = 10 }, nameof(WaveOptions.CityRadiusMeters) },
        { new WaveOptions { CityRadiusMeters = double.NaN }, nameof(WaveOptions.CityRadiusMeters) },
        { new WaveOptions { Restaurants = 0 }, nameof(WaveOptions.Restaurants) },
        { new WaveOptions { LunchPeakShare = -0.1 }, nameof(WaveOptions.LunchPeakShare) },
        { new WaveOptions { LunchPeakShare = 0.6, DinnerPeakShare = 0.6 }, nameof(WaveOptions.DinnerPeakShare) },
        { new WaveOptions { WeatherMultiplier = 0 }, nameof(WaveOptions.WeatherMultiplier) },
        { new WaveOptions { WeatherMultiplier = double.PositiveInfinity }, nameof(WaveOptions.WeatherMultiplier) },
        { new WaveOptions { HolidayMultiplier = 10 }, nameof(WaveOptions.HolidayMultiplier) },
        { new WaveOptions { Parameters = MdrpParameters.Default with { MetersPerMinute = 0 } }, nameof(WaveOptions.Parameters) },
        { new WaveOptions { StartMinute = -1 }, nameof(WaveOptions.StartMinute) },
        { new WaveOptions { EndMinute = 60 }, nameof(WaveOptions.EndMinute) },
        { new WaveOptions { StartMinute = 600, EndMinute = 2100 }, nameof(WaveOptions.EndMinute) },
        { new WaveOptions { LastOrderMinutesBeforeEnd = 5 }, nameof(WaveOptions.LastOrderMinutesBeforeEnd) },
        { new WaveOptions { LunchPeakMinute = 900 }, nameof(WaveOptions.LunchPeakMinute) },
        { new WaveOptions { StartMinute = 600, EndMinute = 1440 }, nameof(WaveOptions.LunchPeakMinute) },
        { new WaveOptions { DinnerPeakMinute = -1 }, nameof(WaveOptions.DinnerPeakMinute) },
        { new WaveOptions { DinnerPeakSpreadMinutes = 0 }, nameof(WaveOptions.DinnerPeakSpreadMinutes) },
        { new WaveOptions { MeanPrepMinutes = -1 }, nameof(WaveOptions.MeanPrepMinutes) },
        { new WaveOptions { DeliverySpreadMeters = 0 }, nameof(WaveOptions.DeliverySpreadMeters) },
        { new WaveOptions { MaxDeliveryMeters = 500 }, nameof(WaveOptions.MaxDeliveryMeters) },
        { new WaveOptions { OrdersPerCourierHour = 0 }, nameof(WaveOptions.OrdersPerCourierHour) },
        { new WaveOptions { CourierSupplyFactor = 0 }, nameof(WaveOptions.CourierSupplyFactor) },
        { new WaveOptions { MinCouriersOnDuty = 0 }, nameof(WaveOptions.MinCouriersOnDuty) },
        { new WaveOptions { DeliveryPromises = true, PromiseMinMinutes = 0 }, nameof(WaveOptions.PromiseMinMinutes) },
        { new WaveOptions { DeliveryPromises = true, PromiseMinMinutes = 50, PromiseMaxMinutes = 40 }, nameof(WaveOptions.PromiseMaxMinutes) },
        { new WaveOptions { DeliveryPromises = true, PromiseSlackMinutes = -1 }, nameof(WaveOptions.PromiseSlackMinutes) },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_throw_naming_the_setting(WaveOptions options, string setting)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => WaveGenerator.Generate(options));
        Assert.Equal(setting, ex.ParamName);
        Assert.Contains("WaveOptions." + setting, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_options_and_null_parameters_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => WaveGenerator.Generate(null!));
        var ex = Assert.Throws<ArgumentNullException>(() => WaveGenerator.Generate(new WaveOptions { Parameters = null! }));
        Assert.Equal(nameof(WaveOptions.Parameters), ex.ParamName);
    }

    [Fact]
    public void Defaults_are_valid_and_follow_the_traces()
    {
        var o = new WaveOptions();
        o.Validate();
        Assert.Equal(MdrpParameters.Default, o.Parameters);
        Assert.Equal(320, o.Parameters.MetersPerMinute);
        Assert.Equal(1_000, o.ExpectedOrders);
        Assert.Equal(222, o.ResolvedRestaurants);
        Assert.Equal(6_000, o.ResolvedCityRadiusMeters, 6);
        Assert.Equal(795, o.LastOrderMinute);
    }

    [Fact]
    public void City_size_and_restaurants_scale_with_demand_and_are_capped()
    {
        Assert.Equal(12_000, WaveOptions.DefaultCityRadiusMeters(4_000), 6);
        Assert.Equal(WaveOptions.MaxDefaultCityRadiusMeters, WaveOptions.DefaultCityRadiusMeters(1_000_000));
        Assert.Equal(2_222, WaveOptions.DefaultRestaurants(10_000));
        Assert.Equal(WaveOptions.MaxDefaultRestaurants, WaveOptions.DefaultRestaurants(1_000_000));
        var explicitCity = new WaveOptions { CityRadiusMeters = 3_000, Restaurants = 40 };
        Assert.Equal(3_000, explicitCity.ResolvedCityRadiusMeters);
        Assert.Equal(40, explicitCity.ResolvedRestaurants);
    }

    [Fact]
    public void A_clock_minute_day_is_valid_when_the_peaks_move_with_it()
    {
        var o = new WaveOptions { StartMinute = 600, EndMinute = 1440, LunchPeakMinute = 750, DinnerPeakMinute = 1140, OrdersPerDay = 2_000 };
        var instance = WaveGenerator.Generate(o);
        Assert.All(instance.Orders, x => Assert.InRange(x.PlacementTime, 600, 1440 - 45));
        Assert.All(instance.Couriers, c => Assert.InRange(c.OnTime, 600, 1440));
    }
}
