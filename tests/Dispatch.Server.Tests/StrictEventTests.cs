using Dispatch.Client;
using Dispatch.Hosting;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests;

/// <summary>Events that cannot be true are refused over TCP with InvalidValue naming the field, and nothing changes.</summary>
public class StrictEventTests
{
    [Fact]
    public async Task Negative_ids_and_impossible_confirmation_times_are_refused()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();

        var site = await Assert.ThrowsAsync<DispatchRequestException>(() => c.AddSiteAsync(-1, 0, 0));
        Assert.Equal(ErrorCode.InvalidValue, site.Error.Code);
        Assert.Contains("site id -1 must be 0 or more", site.Error.Message);
        var courier = await Assert.ThrowsAsync<DispatchRequestException>(() => c.CourierOnShiftAsync(-1, 0, 0, 0, 100));
        Assert.Contains("courier id -1 must be 0 or more", courier.Error.Message);

        await c.AddSiteAsync(Scenario.Site, 1000, 1000);
        await c.CourierOnShiftAsync(Scenario.Courier, 900, 1200, 0, 300);
        await c.PlaceOrderAsync(Scenario.Order, Scenario.Site, 2500, 1800, 10, 12);
        double now = await Scenario.TickUntilAssignedAsync(c, from: 10);

        var early = await Assert.ThrowsAsync<DispatchRequestException>(() => c.ConfirmPickupAsync(Scenario.Order, 2));
        Assert.Equal(ErrorCode.InvalidValue, early.Error.Code);
        Assert.Contains("pickup time at=2 is before its placement time 10", early.Error.Message);
        // The pickup at 500 while the engine is at minute 12 or so: it has not happened yet.
        var future = await Assert.ThrowsAsync<DispatchRequestException>(() => c.ConfirmPickupAsync(Scenario.Order, 500));
        Assert.Equal(ErrorCode.InvalidValue, future.Error.Code);
        Assert.Contains($"pickup time at=500 is later than now ({now})", future.Error.Message);
        Assert.Equal(WireOrderStatus.Assigned, (await c.GetOrderAsync(Scenario.Order)).Status);

        await c.ConfirmPickupAsync(Scenario.Order, now);
        var back = await Assert.ThrowsAsync<DispatchRequestException>(() => c.ConfirmDropoffAsync(Scenario.Order, now - 1));
        Assert.Contains($"drop-off time at={now - 1} is before its pickup time {now}", back.Error.Message);
        await c.TickAsync(now + 10);
        var later = await Assert.ThrowsAsync<DispatchRequestException>(() => c.ConfirmDropoffAsync(Scenario.Order, now + 10.5));
        Assert.Contains($"drop-off time at={now + 10.5} is later than now ({now + 10})", later.Error.Message);
        var order = await c.GetOrderAsync(Scenario.Order);
        Assert.Equal(WireOrderStatus.PickedUp, order.Status);
        Assert.True(double.IsNaN(order.DeliveredAt));
        await c.ConfirmDropoffAsync(Scenario.Order, now + 10);
        Assert.Equal(WireOrderStatus.Delivered, (await c.GetOrderAsync(Scenario.Order)).Status);
    }

    /// <summary>A pickup more than PickupBeforeReadyToleranceMinutes (5) before the ready time is refused naming
    /// <c>at</c> and the setting; one within it is accepted. The setting is a server key like every engine option.</summary>
    [Fact]
    public async Task A_pickup_long_before_the_ready_time_is_refused()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AddSiteAsync(Scenario.Site, 1000, 1000);
        await c.CourierOnShiftAsync(Scenario.Courier, 1000, 1000, 0, 300);
        await c.PlaceOrderAsync(Scenario.Order, Scenario.Site, 2500, 1800, 0, 30);
        double now = await Scenario.TickUntilAssignedAsync(c);

        var early = await Assert.ThrowsAsync<DispatchRequestException>(() => c.ConfirmPickupAsync(Scenario.Order, 24));
        Assert.Equal(ErrorCode.InvalidValue, early.Error.Code);
        Assert.Contains("pickup time at=24 is before its ready time 30 less the 5 min tolerance (PickupBeforeReadyToleranceMinutes)", early.Error.Message);
        Assert.Equal(WireOrderStatus.Assigned, (await c.GetOrderAsync(Scenario.Order)).Status);

        Assert.True(now >= 25, $"assigned at {now}");
        await c.ConfirmPickupAsync(Scenario.Order, 25);
        Assert.Equal((WireOrderStatus.PickedUp, 25.0), ((await c.GetOrderAsync(Scenario.Order)).Status, (await c.GetOrderAsync(Scenario.Order)).PickedUpAt));
    }

    /// <summary>On a wall clock a confirmation may run ahead of the server's now by 30 s of wall time
    /// (<see cref="ConfirmationTolerance"/>; here at 60 engine minutes per wall minute, 30 engine minutes), no more.</summary>
    [Fact]
    public async Task On_a_wall_clock_a_confirmation_may_be_slightly_ahead_of_now()
    {
        await using var s = await TestServer.StartAsync(o => { o.Clock = ClockMode.Wall; o.ClockRate = 60; });
        await using var c = await s.ConnectAsync();
        double start = (await c.PingAsync()).Now;
        await c.AddSiteAsync(Scenario.Site, 1000, 1000);
        await c.CourierOnShiftAsync(Scenario.Courier, 1000, 1000, start, start + 600);
        await c.PlaceOrderAsync(Scenario.Order, Scenario.Site, 2500, 1800, start, start);
        var deadline = DateTime.UtcNow + TestServer.Timeout;
        while ((await c.GetOrderAsync(Scenario.Order)).Status != WireOrderStatus.Assigned)
        {
            Assert.True(DateTime.UtcNow < deadline, "the order was never assigned");
            await Task.Delay(50);
        }
        Assert.Equal(30, ConfirmationTolerance.Minutes(ClockMode.Wall, 60));

        double now = (await c.PingAsync()).Now;
        var far = await Assert.ThrowsAsync<DispatchRequestException>(() => c.ConfirmPickupAsync(Scenario.Order, now + 120));
        Assert.Equal(ErrorCode.InvalidValue, far.Error.Code);
        Assert.Contains("is later than now", far.Error.Message);
        await c.ConfirmPickupAsync(Scenario.Order, (await c.PingAsync()).Now + 10);   // a phone 10 s ahead
        Assert.Equal(WireOrderStatus.PickedUp, (await c.GetOrderAsync(Scenario.Order)).Status);
    }

    /// <summary>Counts: <c>couriers</c> every courier known, <c>couriersOnShift</c> those on shift (not gone off shift, not starting later).</summary>
    [Fact]
    public async Task Counts_tell_couriers_known_from_couriers_on_shift()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await c.CourierOnShiftAsync(10, 0, 0, 0, 100);
        await c.CourierOnShiftAsync(11, 0, 0, 0, 100);
        await c.CourierOnShiftAsync(12, 0, 0, 30, 100);
        await c.CourierOffShiftAsync(11);
        var counts = await c.GetCountsAsync();
        Assert.Equal((3, 1), (counts.Couriers, counts.CouriersOnShift));
        await c.TickAsync(30);
        Assert.Equal(2, (await c.GetCountsAsync()).CouriersOnShift);
    }

    /// <summary>A position report ahead of plan brings the planned drop-off forward, as one behind pushes it back.</summary>
    [Fact]
    public async Task A_position_ahead_of_plan_brings_the_drop_off_forward()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AddSiteAsync(Scenario.Site, 0, 0);
        await c.CourierOnShiftAsync(Scenario.Courier, 3200, 0, 0, 300);           // 10 minutes east of the site
        await c.PlaceOrderAsync(Scenario.Order, Scenario.Site, -1600, 0, 0, 0);
        await c.TickAsync(0);
        double onTime = (await c.GetOrderAsync(Scenario.Order)).PlannedDropoff;
        await c.TickAsync(5);
        await c.UpdateCourierPositionAsync(Scenario.Courier, 8000, 0);            // 25 minutes away at minute 5: behind
        double late = (await c.GetOrderAsync(Scenario.Order)).PlannedDropoff;
        Assert.Equal(onTime + 20, late, 6);
        await c.TickAsync(8);
        await c.UpdateCourierPositionAsync(Scenario.Courier, 960, 0);             // 3 minutes away at minute 8: ahead
        Assert.Equal(late - 19, (await c.GetOrderAsync(Scenario.Order)).PlannedDropoff, 6);
    }
}
