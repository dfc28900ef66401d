using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Traffic;
using Dispatch.Travel;

namespace Dispatch.Core.Tests.Support;

/// <summary>Query helpers for an engine over any travel rule (the <see cref="EngineFactory"/> ones are for the plain rule only).</summary>
internal static class EngineQueries
{
    public static PlannedStop[] RouteOf<T>(this DispatchEngine<T> e, long courierId) where T : struct, ITravelTime
    {
        var buf = new PlannedStop[64];
        int n = e.CopyRoute(courierId, buf);
        return buf.AsSpan(0, n).ToArray();
    }

    public static OrderView OrderOf<T>(this DispatchEngine<T> e, long orderId) where T : struct, ITravelTime
    {
        Assert.True(e.TryGetOrder(orderId, out var v), $"order {orderId} unknown");
        return v;
    }

    public static CourierView CourierOf<T>(this DispatchEngine<T> e, long courierId) where T : struct, ITravelTime
    {
        Assert.True(e.TryGetCourier(courierId, out var v), $"courier {courierId} unknown");
        return v;
    }

    /// <summary>A city of 20 km square in 200 m cells around the origin (coordinates in metres, 320 m/min).</summary>
    public static TrafficModel CityModel(double detour = 10) => new(-10_000, -10_000, 30_000, 30_000, 200, detour);

    public static DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>> TrafficEngine(TrafficModel model, DispatchOptions options) =>
        new(new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), model), options);
}
