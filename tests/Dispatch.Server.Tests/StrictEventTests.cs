using Dispatch.Client;
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
        await Scenario.TickUntilAssignedAsync(c);

        var early = await Assert.ThrowsAsync<DispatchRequestException>(() => c.ConfirmPickupAsync(Scenario.Order, 2));
        Assert.Equal(ErrorCode.InvalidValue, early.Error.Code);
        Assert.Contains("pickup time 2 is before its placement time 10", early.Error.Message);
        Assert.Equal(WireOrderStatus.Assigned, (await c.GetOrderAsync(Scenario.Order)).Status);

        await c.ConfirmPickupAsync(Scenario.Order, 500);
        var back = await Assert.ThrowsAsync<DispatchRequestException>(() => c.ConfirmDropoffAsync(Scenario.Order, 13));
        Assert.Contains("drop-off time 13 is before its pickup time 500", back.Error.Message);
        var order = await c.GetOrderAsync(Scenario.Order);
        Assert.Equal(WireOrderStatus.PickedUp, order.Status);
    }
}
