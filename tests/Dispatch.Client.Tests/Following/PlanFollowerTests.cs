using Dispatch.Client.Following;
using Dispatch.Protocol;

namespace Dispatch.Client.Tests.Following;

/// <summary>The stop rule of <see cref="PlanFollower"/>, one case each.</summary>
public sealed class PlanFollowerTests
{
    internal static WireStop Pickup(long order, double at) => new(WireStopKind.Pickup, order, 1, 0, 0, at, at, at, at);

    internal static WireStop Dropoff(long order, double at) => new(WireStopKind.Dropoff, order, -1, 0, 0, at, at, at, at);

    internal static AssignmentMessage Plan(long courier, params WireStop[] stops) => new(courier, 0, false, stops);

    private static List<DueStop> Take(PlanFollower f, double upTo)
    {
        var taken = new List<DueStop>();
        while (f.TryTakeDue(upTo, out var stop)) taken.Add(stop);
        return taken;
    }

    [Fact]
    public void Each_stop_is_due_at_its_service_time_and_confirmed_at_it()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Pickup(1, 5), Dropoff(1, 9)));
        Assert.Empty(Take(f, 4.9));
        Assert.Equal([new DueStop(1, WireStopKind.Pickup, 5, 7)], Take(f, 8));
        Assert.Equal([new DueStop(1, WireStopKind.Dropoff, 9, 7)], Take(f, 20));
        Assert.Equal(0, f.Queued);
        Assert.Empty(Take(f, double.PositiveInfinity));
    }

    [Fact]
    public void A_stop_is_never_confirmed_before_not_before()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Pickup(1, 5), Dropoff(1, 9)), notBefore: 6);
        Assert.Equal([(WireStopKind.Pickup, 6.0), (WireStopKind.Dropoff, 9.0)], Take(f, 20).Select(s => (s.Kind, s.At)));
    }

    [Fact]
    public void A_later_plan_supersedes_the_earlier_one_and_the_stop_is_confirmed_once()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Pickup(1, 5), Dropoff(1, 9)));
        f.Follow(Plan(7, Pickup(1, 6), Dropoff(1, 12)));
        Assert.Equal(4, f.Queued); // the superseded two stay queued until their time
        Assert.Equal([(WireStopKind.Pickup, 6.0), (WireStopKind.Dropoff, 12.0)], Take(f, 20).Select(s => (s.Kind, s.At)));
        Assert.Equal(0, f.Queued);
    }

    [Fact]
    public void At_equal_times_pickups_go_first_then_stops_in_the_order_planned()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Dropoff(3, 10)));
        f.Follow(Plan(8, Pickup(2, 10), Dropoff(2, 10)));
        f.Follow(Plan(9, Pickup(1, 10)));
        // Order 3's drop-off waits for a pickup it never had; 2's drop-off follows its own pickup at the same time.
        Assert.Equal([(2L, WireStopKind.Pickup), (1L, WireStopKind.Pickup), (2L, WireStopKind.Dropoff)], Take(f, 10).Select(s => (s.OrderId, s.Kind)));
    }

    [Fact]
    public void A_drop_off_waits_for_its_pickup()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Pickup(1, 5), Dropoff(1, 9)));
        f.Retime(1, 4); // an ETA before the pickup: not done before the food is collected
        Assert.Equal([WireStopKind.Pickup], Take(f, 20).Select(s => s.Kind));
        f.Retime(1, 21);
        Assert.Equal([(WireStopKind.Dropoff, 21.0)], Take(f, 30).Select(s => (s.Kind, s.At)));
    }

    [Fact]
    public void An_eta_change_moves_the_drop_off_and_a_time_that_is_not_finite_changes_nothing()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Pickup(1, 5), Dropoff(1, 9)));
        f.Retime(1, double.NaN);
        f.Retime(1, double.PositiveInfinity);
        f.Retime(1, 11, notBefore: 12);
        Assert.Equal([(WireStopKind.Pickup, 5.0), (WireStopKind.Dropoff, 12.0)], Take(f, 20).Select(s => (s.Kind, s.At)));
    }

    [Fact]
    public void A_release_drops_the_stops_until_a_new_plan()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Pickup(1, 5), Dropoff(1, 9)));
        f.Release(1, 7);
        Assert.Equal(0, f.PlannedOrders(7));
        Assert.Empty(Take(f, 10));
        f.Follow(Plan(8, Pickup(1, 12), Dropoff(1, 15)), notBefore: 10);
        Assert.Equal([(WireStopKind.Pickup, 12.0, 8L), (WireStopKind.Dropoff, 15.0, 8L)], Take(f, 20).Select(s => (s.Kind, s.At, s.CourierId)));
    }

    [Fact]
    public void A_release_from_another_courier_or_after_the_pickup_changes_nothing()
    {
        var f = new PlanFollower();
        f.Follow(Plan(8, Pickup(1, 5), Dropoff(1, 9)));
        f.Release(1, 7); // an older plan's courier: the order is 8's now
        Assert.Equal([WireStopKind.Pickup], Take(f, 5).Select(s => s.Kind));
        f.Release(1); // picked up: the courier still delivers it
        Assert.Equal([WireStopKind.Dropoff], Take(f, 9).Select(s => s.Kind));
    }

    [Fact]
    public void A_forgotten_order_is_never_confirmed_again_whatever_is_planned()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Pickup(1, 5), Dropoff(1, 9)));
        f.Forget(1);
        f.Follow(Plan(7, Pickup(1, 6), Dropoff(1, 10)));
        f.Retime(1, 11);
        Assert.Empty(Take(f, 20));
        Assert.Equal(0, f.PlannedOrders(7));
    }

    [Fact]
    public void Planned_orders_count_what_each_courier_has_still_to_deliver()
    {
        var f = new PlanFollower();
        f.Follow(Plan(7, Pickup(1, 5), Pickup(2, 5), Dropoff(1, 9), Dropoff(2, 11)));
        Assert.Equal(2, f.PlannedOrders(7));
        Take(f, 9);
        Assert.Equal(1, f.PlannedOrders(7));
        f.Follow(Plan(8, Dropoff(2, 12))); // handed to another courier
        Assert.Equal((0, 1), (f.PlannedOrders(7), f.PlannedOrders(8)));
        Take(f, 12);
        Assert.Equal((0, 0), (f.PlannedOrders(7), f.PlannedOrders(8)));
    }
}
