namespace Dispatch.Core.Tests.Support;

/// <summary>Engines for the tests and the queries they make of them (over any travel rule).</summary>
internal static class EngineFactory
{
    /// <summary>320 m/min (the traces' speed): 320 m is one minute. Service times 4 and 4 (halves of 2).
    /// <paramref name="improvementMoves"/>: the general profile's per-tick improvement budget (default: the options' default).</summary>
    public static DispatchEngine<EuclideanCeilMinutes> Create(DispatchProfile profile, double tick = 1, int improvementMoves = DispatchOptions.DefaultGeneralImprovementMovesPerTick) =>
        new(new EuclideanCeilMinutes(TestSpeed.Min), new DispatchOptions { Profile = profile, TickIntervalMinutes = tick, GeneralImprovementMovesPerTick = improvementMoves });

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

    /// <summary>A city of 20 km square in 200 m cells around the origin (coordinates in metres, 320 m/min).</summary>
    public static TrafficModel CityModel(double detour = 10) => new(-10_000, -10_000, 30_000, 30_000, 200, detour);

    public static DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>> TrafficEngine(TrafficModel model, DispatchOptions options) =>
        new(new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(TestSpeed.Min), model), options);

    /// <summary>A courier's planned stops; none for a courier the engine has forgotten (off shift with nothing
    /// planned for longer than the retention window).</summary>
    public static PlannedStop[] Route<T>(this DispatchEngine<T> e, long courierId) where T : struct, ITravelTime
    {
        if (!e.TryGetCourier(courierId, out _)) return [];
        var buf = new PlannedStop[64];
        int n = e.CopyRoute(courierId, buf);
        return buf.AsSpan(0, n).ToArray();
    }

    public static OrderView Order<T>(this DispatchEngine<T> e, long orderId) where T : struct, ITravelTime
    {
        Assert.True(e.TryGetOrder(orderId, out var v), $"order {orderId} unknown");
        return v;
    }

    public static CourierView Courier<T>(this DispatchEngine<T> e, long courierId) where T : struct, ITravelTime
    {
        Assert.True(e.TryGetCourier(courierId, out var v), $"courier {courierId} unknown");
        return v;
    }
}
