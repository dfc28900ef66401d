namespace Dispatch.Core.Tests;

/// <summary>The two travel-time rules: the published MDRP ceiling rule and great-circle minutes.</summary>
public class TravelTimeTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(320, 1)]
    [InlineData(321, 2)]
    [InlineData(640, 2)]
    [InlineData(640.0001, 3)]
    [InlineData(3200, 10)]
    public void Euclidean_minutes_are_the_ceiling_of_metres_over_speed(double meters, double minutes)
    {
        var t = new EuclideanCeilMinutes(320);
        Assert.Equal(minutes, t.Minutes(0, 0, meters, 0));
        Assert.Equal(minutes, t.Minutes(meters, 0, 0, 0));
        Assert.Equal(minutes, t.Minutes(5000, 7000, 5000, 7000 + meters));
    }

    [Fact]
    public void Euclidean_minutes_use_the_straight_line_distance()
    {
        var t = new EuclideanCeilMinutes(320);
        Assert.Equal(320, t.MetersPerMinute);
        Assert.Equal(5, t.Minutes(0, 0, 960, 1280));      // 1600 m, exactly 5 minutes
        Assert.Equal(6, t.Minutes(0, 0, 961, 1280));      // a little more rounds up
        Assert.Equal(0, t.Minutes(123.5, 456.25, 123.5, 456.25));
    }

    [Fact]
    public void Euclidean_ceiling_is_exact_on_multiples_of_the_speed()
    {
        // x / v must not round up past an integer that the published evaluator's division hits exactly.
        foreach (double v in new[] { 320.0, 97.0, 250.5, 333.3 })
        {
            var t = new EuclideanCeilMinutes(v);
            for (int m = 1; m <= 400; m++)
                Assert.Equal(Math.Ceiling(m * v / v), t.Minutes(0, 0, m * v, 0));
        }
    }

    [Fact]
    public void Haversine_one_degree_of_latitude_is_about_111_km()
    {
        double m = HaversineMinutes.Meters(0, 0, 0, 1);
        Assert.InRange(m, 111_100, 111_300);
        Assert.InRange(HaversineMinutes.Meters(13.4, 52.5, 13.4, 53.5), 111_100, 111_300);
        // A degree of longitude shrinks with the cosine of the latitude.
        Assert.InRange(HaversineMinutes.Meters(0, 60, 1, 60), 111_195 * 0.5 - 200, 111_195 * 0.5 + 200);
        Assert.Equal(0, HaversineMinutes.Meters(2.35, 48.85, 2.35, 48.85));
        Assert.Equal(HaversineMinutes.Meters(1, 2, 3, 4), HaversineMinutes.Meters(3, 4, 1, 2), 6);
    }

    [Fact]
    public void Haversine_minutes_are_distance_times_detour_over_speed()
    {
        var crow = new HaversineMinutes(kilometersPerHour: 60, detourFactor: 1.0);
        Assert.InRange(crow.Minutes(0, 0, 0, 1), 111.1, 111.3);            // 60 km/h = 1 km per minute
        var street = new HaversineMinutes(kilometersPerHour: 30, detourFactor: 1.5);
        Assert.Equal(crow.Minutes(0, 0, 0, 1) * 3, street.Minutes(0, 0, 0, 1), 9);
        Assert.Equal(0, street.Minutes(10, 10, 10, 10));
        Assert.Equal(new HaversineMinutes(20).Minutes(0, 0, 0, 0.1) / 1.3, new HaversineMinutes(20, 1.0).Minutes(0, 0, 0, 0.1), 9);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Euclidean_rejects_a_speed_that_is_not_positive_and_finite(double speed) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EuclideanCeilMinutes(speed));

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(-5, 1.0)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(30, 0.99)]
    [InlineData(30, 0)]
    [InlineData(30, double.NaN)]
    [InlineData(30, double.PositiveInfinity)]
    public void Haversine_rejects_bad_speed_or_detour(double kmh, double detour) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HaversineMinutes(kmh, detour));
}
