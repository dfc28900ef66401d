using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Travel;

namespace Dispatch.Core.Tests.Support;

internal static class EngineFactory
{
    /// <summary>320 m/min (the traces' speed): 320 m is one minute. Service times 4 and 4 (halves of 2).
    /// <paramref name="improvementMoves"/>: the general profile's per-tick improvement budget (default: the options' default).</summary>
    public static DispatchEngine<EuclideanCeilMinutes> Create(DispatchProfile profile, double tick = 1, int improvementMoves = DispatchOptions.DefaultGeneralImprovementMovesPerTick) =>
        new(new EuclideanCeilMinutes(320), new DispatchOptions { Profile = profile, TickIntervalMinutes = tick, GeneralImprovementMovesPerTick = improvementMoves });

    /// <summary>Ticks every minute from <paramref name="from"/> until <paramref name="done"/> holds; returns that tick (fails past <paramref name="to"/>).</summary>
    public static double TickUntil<TSink>(DispatchEngine<EuclideanCeilMinutes> e, ref TSink sink, double from, double to, Func<bool> done)
        where TSink : IAssignmentSink
    {
        for (double t = from; t <= to; t++)
        {
            e.Tick(t, ref sink);
            if (done()) return t;
        }
        Assert.Fail($"not done by minute {to}");
        return double.NaN;
    }

    public static PlannedStop[] Route(this DispatchEngine<EuclideanCeilMinutes> e, long courierId)
    {
        var buf = new PlannedStop[64];
        int n = e.CopyRoute(courierId, buf);
        return buf.AsSpan(0, n).ToArray();
    }

    public static OrderView Order(this DispatchEngine<EuclideanCeilMinutes> e, long orderId)
    {
        Assert.True(e.TryGetOrder(orderId, out var v), $"order {orderId} unknown");
        return v;
    }

    public static CourierView Courier(this DispatchEngine<EuclideanCeilMinutes> e, long courierId)
    {
        Assert.True(e.TryGetCourier(courierId, out var v), $"courier {courierId} unknown");
        return v;
    }
}
