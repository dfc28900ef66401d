namespace Dispatch.Promises;

/// <summary>
/// The situation a promise is made in, as a calibration bucket: how long the order is expected to wait for a courier
/// after its food is ready (the point estimate's queue wait), and how much demand is still to come ahead of it for each
/// courier on shift (<see cref="RecentPlacements.OrdersAhead"/>). Errors grow with the wait, since a long queue is where
/// bundling, re-planning and the order of service move the drop-off most, so calibrating each wait band on its own
/// keeps short-wait promises tight while long-wait ones get the margin they need. The demand still to come is what the
/// queue simulation cannot see (orders not placed yet that will be ready first and served first); at the same
/// simulated wait, promises with much of it ahead break several times as often as those with little
/// (bench/results/promises.md), so it splits each wait band in three. Both are the engine's own summary of supply
/// pressure, with no per-city constant: minutes of waiting, and orders per courier.
/// <para>
/// Buckets are numbered demand band first: bucket <c>d * WaitBuckets + w</c>, so the buckets of a snapshot from before
/// the demand bands (format 9 and older: wait bands only) are those of demand band 0, numbers unchanged.
/// </para>
/// </summary>
internal static class PromiseSituation
{
    /// <summary>Upper bounds (minutes of expected wait) of the wait bands; the last band is open-ended.</summary>
    private static ReadOnlySpan<double> WaitBands => [0.5, 2, 5, 10, 20, 40];

    /// <summary>Upper bounds (orders still to come ahead, per courier on shift) of the demand bands; the last is
    /// open-ended: fewer than one courier in ten will meet such an order before this one, up to three in ten, more.</summary>
    private static ReadOnlySpan<double> DemandBands => [0.1, 0.3];

    /// <summary>Wait bands (the buckets of a snapshot from before the demand bands).</summary>
    public static int WaitBuckets => WaitBands.Length + 1;

    /// <summary>Demand bands.</summary>
    public static int DemandBuckets => DemandBands.Length + 1;

    /// <summary>Buckets in all.</summary>
    public static int Count => WaitBuckets * DemandBuckets;

    /// <summary>The bucket of an expected courier wait of <paramref name="waitMinutes"/> with
    /// <paramref name="aheadPerCourier"/> orders still to come ahead per courier on shift.</summary>
    public static int Bucket(double waitMinutes, double aheadPerCourier)
        => Band(DemandBands, aheadPerCourier) * WaitBuckets + Band(WaitBands, waitMinutes);

    /// <summary>The demand still to come per courier: <paramref name="ordersAhead"/> shared among
    /// <paramref name="couriersOnShift"/> (at least one).</summary>
    public static double PerCourier(double ordersAhead, int couriersOnShift) => ordersAhead / Math.Max(1, couriersOnShift);

    private static int Band(ReadOnlySpan<double> bounds, double value)
    {
        for (int i = 0; i < bounds.Length; i++) if (value < bounds[i]) return i;
        return bounds.Length;
    }
}
