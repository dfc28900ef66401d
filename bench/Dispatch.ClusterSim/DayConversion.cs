using Dispatch.Cluster.Simulation;
using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.ClusterSim;

/// <summary>An MDRP instance (the simulator's generated day) as the cluster replay's day. Its engine options are the
/// simulator's MDRP replay's own (<c>MdrpEngineOptions.For</c>).</summary>
internal static class DayConversion
{
    /// <summary>Capacity of every courier (MDRP shifts carry none; the simulator's trace replay gives the engine's default).</summary>
    public const int Capacity = 8;

    public static RegionDay ToRegionDay(MdrpInstance day) => new(
        [.. day.Restaurants.Select((r, i) => new DaySite(i, r.X, r.Y))],
        [.. day.Orders.Select((o, i) => new DayOrder(i, day.RestaurantIndex[o.Restaurant], o.X, o.Y, o.PlacementTime, o.ReadyTime))],
        [.. day.Couriers.Select((c, i) => new DayCourier(i, c.X, c.Y, c.OnTime, c.OffTime, Capacity))]);
}
