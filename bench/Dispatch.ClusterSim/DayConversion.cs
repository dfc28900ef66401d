using Dispatch.Cluster.Simulation;
using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.ClusterSim;

/// <summary>An MDRP instance (the simulator's generated day) as the cluster replay's day, and the engine options the simulator's MDRP replay uses for it.</summary>
internal static class DayConversion
{
    /// <summary>Capacity of every courier (MDRP shifts carry none; the simulator's trace replay gives the engine's default).</summary>
    public const int Capacity = 8;

    public static RegionDay ToRegionDay(MdrpInstance day) => new(
        [.. day.Restaurants.Select((r, i) => new DaySite(i, r.X, r.Y))],
        [.. day.Orders.Select((o, i) => new DayOrder(i, day.RestaurantIndex[o.Restaurant], o.X, o.Y, o.PlacementTime, o.ReadyTime))],
        [.. day.Couriers.Select((c, i) => new DayCourier(i, c.X, c.Y, c.OnTime, c.OffTime, Capacity))]);

    /// <summary>As the simulator's <c>MdrpReplay.EngineOptionsFor</c>: MDRP rules, the trace's service times and targets, a tick a minute.</summary>
    public static DispatchOptions EngineOptions(MdrpInstance day)
    {
        var p = day.Parameters;
        return new DispatchOptions
        {
            Profile = DispatchProfile.Mdrp,
            PickupServiceMinutes = p.PickupServiceMinutes,
            DropoffServiceMinutes = p.DropoffServiceMinutes,
            TargetClickToDoorMinutes = p.TargetClickToDoor,
            MaxClickToDoorMinutes = p.MaxClickToDoor,
            TickIntervalMinutes = 1,
            InitialOrderCapacity = Math.Max(16, day.Orders.Length),
            InitialCourierCapacity = Math.Max(16, day.Couriers.Length),
            InitialSiteCapacity = Math.Max(16, day.Restaurants.Length),
        };
    }
}
