using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests;

/// <summary>The README's small world: one site, one courier, one order that gets assigned within a few ticks.</summary>
internal static class Scenario
{
    public const long Site = 1, Courier = 10, Order = 100;

    public static async Task SetUpAsync(DispatchClient c)
    {
        await c.AddSiteAsync(Site, 1000, 1000);
        await c.CourierOnShiftAsync(Courier, 900, 1200, 0, 240);
        await c.PlaceOrderAsync(Order, Site, 2500, 1800, 0, 12);
    }

    /// <summary>Ticks minute by minute until the order is assigned (bounded); returns the minute.</summary>
    public static async Task<double> TickUntilAssignedAsync(DispatchClient c, double from = 0, double to = 60)
    {
        for (double t = from; t <= to; t++)
        {
            await c.TickAsync(t);
            var o = await c.GetOrderAsync(Order);
            if (o.Status == WireOrderStatus.Assigned) return t;
        }
        throw new Xunit.Sdk.XunitException("the order was never assigned");
    }
}
