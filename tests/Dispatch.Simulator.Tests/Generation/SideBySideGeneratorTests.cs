using Dispatch.Simulator.Generation;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Dispatch.Simulator.Tests.Generation;

/// <summary>The multi-region day: deterministic, ids unique, every point in a strip, cities in their own strips.</summary>
public class SideBySideGeneratorTests
{
    [Fact]
    public void Places_each_city_in_the_middle_of_its_strip_and_every_point_in_one_strip()
    {
        var options = new SideBySideOptions { Regions = 3, OrdersPerRegion = 1000, Seed = 5 };
        var a = SideBySideGenerator.Generate(options);
        InstanceAssert.Identical(a.Day, SideBySideGenerator.Generate(options).Day);
        Assert.Equal(3000, a.Day.Orders.Length);
        Assert.Equal(["r0", "r1", "r2"], a.Regions.Select(r => r.Id));
        Assert.Equal(a.Day.Orders.Length, a.Day.Orders.Select(o => o.Id).Distinct().Count());
        Assert.Equal(a.Day.Couriers.Length, a.Day.Couriers.Select(c => c.Id).Distinct().Count());
        Assert.True(a.Day.Orders.Zip(a.Day.Orders.Skip(1)).All(p => p.First.PlacementTime <= p.Second.PlacementTime));

        var strips = a.Regions.Select(r => (Polygon)new WKTReader().Read(r.AreaWkt)).ToList();
        int Strip(double x, double y) => strips.FindIndex(s => s.Covers(new Point(x, y)));
        Assert.All(a.Day.Orders, o => Assert.True(Strip(o.X, o.Y) >= 0));
        Assert.All(a.Day.Couriers, c => Assert.True(Strip(c.X, c.Y) >= 0));
        // Most of city k's restaurants lie in strip k; some orders deliver across a border.
        for (int k = 0; k < 3; k++)
        {
            var mine = a.Day.Restaurants.Where(r => r.Id.StartsWith($"c{k}-", StringComparison.Ordinal)).ToList();
            Assert.True(mine.Count(r => Strip(r.X, r.Y) == k) > 0.8 * mine.Count, $"city {k}");
        }
        var site = a.Day.Restaurants.ToDictionary(r => r.Id);
        Assert.Contains(a.Day.Orders, o => Strip(o.X, o.Y) != Strip(site[o.Restaurant].X, site[o.Restaurant].Y));
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_option()
    {
        Assert.Equal("Regions", Assert.Throws<ArgumentOutOfRangeException>(() => SideBySideGenerator.Generate(new SideBySideOptions { Regions = 0 })).ParamName);
        Assert.Equal("OrdersPerRegion", Assert.Throws<ArgumentOutOfRangeException>(() => SideBySideGenerator.Generate(new SideBySideOptions { OrdersPerRegion = 10 })).ParamName);
        Assert.Equal("WidthShare", Assert.Throws<ArgumentOutOfRangeException>(() => SideBySideGenerator.Generate(new SideBySideOptions { WidthShare = double.NaN })).ParamName);
    }
}
