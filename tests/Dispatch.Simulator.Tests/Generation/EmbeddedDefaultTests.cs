using Dispatch.Simulator.Generation;

namespace Dispatch.Simulator.Tests.Generation;

public class EmbeddedDefaultTests
{
    [Fact]
    public void Demo_wave_is_a_small_deterministic_day()
    {
        var a = EmbeddedDefault.Create();
        var b = EmbeddedDefault.Create();
        InstanceAssert.Identical(a, b);
        Assert.Equal("gen-800-s42", a.Name);
        Assert.InRange(a.Orders.Length, 600, 900);
        Assert.Equal(42, EmbeddedDefault.Options.Seed);

        var hourly = new int[24];
        foreach (var o in a.Orders) hourly[o.PlacementTime / 60]++;
        Assert.True(hourly[2] > 2 * hourly[5] && hourly[9] > 2 * hourly[5], string.Join(",", hourly));
    }

    [Fact]
    public void Demo_wave_never_changes()
    {
        // Pins the generator's output: a change here means every recorded demo result changes too.
        var demo = EmbeddedDefault.Create();
        Assert.Equal((800, 124, 222), (demo.Orders.Length, demo.Couriers.Length, demo.Restaurants.Length));
        Assert.Equal(10135340361747502554UL, InstanceAssert.Fingerprint(demo));
    }
}
