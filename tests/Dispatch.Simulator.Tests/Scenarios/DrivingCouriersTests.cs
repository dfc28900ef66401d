using Dispatch.Protocol;
using Dispatch.Simulator.Scenarios;

namespace Dispatch.Simulator.Tests.Scenarios;

/// <summary>The scenario world's couriers drive the engine's plan; where they are is the world's, whatever the plan says next.</summary>
public class DrivingCouriersTests
{
    /// <summary>
    /// One courier 2,000 m (20 min at 100 m/min) north of the only restaurant, one order ready at 25: the courier sets off
    /// at once and is cancelled on about half-way, at minute 11. It stands where it got to, on the line to the restaurant, and
    /// the engine is told that place. It used to be put back at the leg's start: its position on a leg was read against
    /// the stop it drove to in the engine's current plan, and a cancelled or released stop is no longer there.
    /// </summary>
    [Fact]
    public void A_courier_whose_stop_is_cancelled_on_the_way_stands_where_it_got_to_not_back_at_the_start()
    {
        var inst = new MdrpInstance("one-leg", new MdrpParameters(100, 4, 4, 40, 90, 10, 15),
            [new MdrpRestaurant("r1", 0, 0)], [new MdrpOrder("o1", 500, 0, 0, "r1", 25)], [new MdrpCourier("c1", 0, 2000, 0, 200)]);
        var options = new WorldReplayOptions();
        var world = WorldReplay.Start(inst, options, CompiledScenario.Compile(inst, options), out var driver);
        driver.Run(world, stopBeforeTickAt: 12);
        Assert.True(driver.Now > 5, "well under way");
        Assert.True(world.Engine.TryGetOrder(0, out var o) && o.PickedUpAt is double.NaN && o.CourierId == 0, "the courier is on its way to the pickup");
        double left = Assert.Single(world.Couriers.Moves).DepartureTime;

        double now = driver.Now; // the last tick run
        world.Router.Apply(Command.CancelOrder(0, 0), now);
        world.Couriers.Sync(driver, 0);

        // The engine's estimate along the leg says the same (it has heard no report yet).
        // now - left minutes of a 20-minute leg from (0, 2000) towards (0, 0).
        var (x, y) = world.Couriers.Place(0);
        Assert.Equal(0, x, 6);
        Assert.Equal(2000 - 100 * (now - left), y, 6);
        Assert.True(world.Engine.TryGetCourier(0, out var c));
        Assert.Equal(x, c.FreeX, 6);
        Assert.Equal(y, c.FreeY, 6);
    }
}
