using Dispatch.Engine;

namespace Dispatch.Simulator.Mdrp;

/// <summary>
/// The engine options an MDRP instance is replayed under: the instance's service times and click-to-door targets, the
/// chosen profile and tick, stores sized for the instance. One definition for every replay of an instance (the
/// simulator's, the bench's, the cluster's multi-region replay, which links this file).
/// </summary>
internal static class MdrpEngineOptions
{
    public static DispatchOptions For(MdrpInstance instance, DispatchOptions? baseOptions, DispatchProfile profile, double tickMinutes, int extraOrders = 0)
    {
        var p = instance.Parameters;
        return (baseOptions ?? new DispatchOptions()) with
        {
            Profile = profile,
            PickupServiceMinutes = p.PickupServiceMinutes,
            DropoffServiceMinutes = p.DropoffServiceMinutes,
            TargetClickToDoorMinutes = p.TargetClickToDoor,
            MaxClickToDoorMinutes = p.MaxClickToDoor,
            TickIntervalMinutes = tickMinutes,
            InitialOrderCapacity = Math.Max(16, instance.Orders.Length + extraOrders),
            InitialCourierCapacity = Math.Max(16, instance.Couriers.Length),
            InitialSiteCapacity = Math.Max(16, instance.Restaurants.Length),
        };
    }
}
