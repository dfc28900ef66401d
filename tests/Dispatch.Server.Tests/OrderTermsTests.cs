using Dispatch.Client;
using Dispatch.Engine;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests;

/// <summary>PlaceOrder's windows and service minutes over TCP, honoured by a server on the General profile.</summary>
public class OrderTermsTests
{
    [Fact]
    public async Task A_general_profile_server_plans_within_the_windows_sent_on_the_wire()
    {
        await using var s = await TestServer.StartAsync(o => o.Engine = o.Engine with { Profile = DispatchProfile.General });
        await using var c = await s.ConnectAsync(subscribe: true);
        var pushes = new List<AssignmentMessage>();
        c.PushReceived += m => { if (m is AssignmentMessage a) lock (pushes) pushes.Add(a); };
        await c.AddSiteAsync(Scenario.Site, 1000, 1000);
        await c.CourierOnShiftAsync(Scenario.Courier, 900, 1200, 0, 240);
        // Ready at 12, not to be delivered before 60: the courier must wait at the door.
        await c.PlaceOrderAsync(Scenario.Order, Scenario.Site, 2500, 1800, 0, 12, 1, new OrderTerms(DeliverAfter: 60, DeliverBy: 90, DropoffServiceMinutes: 2));

        AssignmentMessage? assignment = null;
        for (double t = 0; t <= 60 && assignment is null; t++)
        {
            await c.TickAsync(t);
            lock (pushes) assignment = pushes.LastOrDefault();
        }
        Assert.NotNull(assignment);
        var drop = Assert.Single(assignment.Stops, st => st.Kind == WireStopKind.Dropoff);
        Assert.InRange(drop.ServiceAt, 60, 90);
    }

    [Fact]
    public async Task Impossible_windows_are_refused_naming_the_field_and_nothing_is_stored()
    {
        await using var s = await TestServer.StartAsync(o => o.Engine = o.Engine with { Profile = DispatchProfile.General });
        await using var c = await s.ConnectAsync();
        await c.AddSiteAsync(Scenario.Site, 1000, 1000);
        var e = await Assert.ThrowsAsync<DispatchRequestException>(() =>
            c.PlaceOrderAsync(Scenario.Order, Scenario.Site, 2500, 1800, 0, 12, 1, new OrderTerms(DeliverBy: 5)));
        Assert.Contains("DeliverBy", e.Message);
        Assert.Equal(WireOrderStatus.Unknown, (await c.GetOrderAsync(Scenario.Order)).Status);
    }
}
