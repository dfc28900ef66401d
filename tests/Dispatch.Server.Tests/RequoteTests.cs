using System.Collections.Concurrent;
using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests;

/// <summary>A plan change that breaks an order's promise reaches subscribers as a PlanChange Requoted push, as a
/// customer app would show it: the promise that broke, the new one, and the reason; once per break.</summary>
public class RequoteTests
{
    [Fact]
    public async Task A_kitchen_delay_that_breaks_the_promise_is_pushed_as_a_requote_with_its_reason()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync(subscribe: true);
        var pushes = new ConcurrentQueue<ServerMessage>();
        c.PushReceived += pushes.Enqueue;
        // The promise the order will get: the same quote the engine records at placement.
        await c.AddSiteAsync(Scenario.Site, 1000, 1000);
        await c.CourierOnShiftAsync(Scenario.Courier, 900, 1200, 0, 240);
        var quote = await c.QuoteDropoffAsync(Scenario.Site, 2500, 1800, 12);
        await c.PlaceOrderAsync(Scenario.Order, Scenario.Site, 2500, 1800, 0, 12);
        double t = await Scenario.TickUntilAssignedAsync(c);
        Assert.DoesNotContain(pushes.OfType<PlanChangeMessage>(), p => p.Kind == WirePlanChangeKind.Requoted);

        // The kitchen needs 40 more minutes: the planned drop-off moves past the promise.
        await c.ChangeReadyTimeAsync(Scenario.Order, 52);
        await c.TickAsync(t + 1);
        await c.TickAsync(t + 2);
        var order = await c.GetOrderAsync(Scenario.Order);
        var requote = Assert.Single(pushes.OfType<PlanChangeMessage>(), p => p.Kind == WirePlanChangeKind.Requoted);
        Assert.Equal((Scenario.Order, Scenario.Courier, WirePlanChangeReason.ReadyTimeChanged), (requote.OrderId, requote.CourierId, requote.Reason));
        Assert.Equal(quote.PromisedDropoff, requote.PreviousTime);
        Assert.Equal(order.PlannedDropoff + 1, requote.NewTime); // EtaChangeThresholdMinutes (1) past the new plan
        // The ETA change itself carries its reason too.
        var eta = Assert.Single(pushes.OfType<PlanChangeMessage>(), p => p.Kind == WirePlanChangeKind.EtaChanged);
        Assert.Equal(WirePlanChangeReason.ReadyTimeChanged, eta.Reason);
    }
}
