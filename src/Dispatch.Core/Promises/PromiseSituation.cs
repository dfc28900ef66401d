namespace Dispatch.Promises;

/// <summary>
/// The situation a promise is made in, as a calibration bucket: how long the order is expected to wait for a courier
/// after its food is ready (the point estimate's queue wait). Errors grow with that wait, since a long queue is where
/// bundling, re-planning and the order of service move the drop-off most, so calibrating each wait band on its own
/// keeps short-wait promises tight while long-wait ones get the margin they need. It is the engine's own summary of
/// supply pressure (open orders ahead of this one against couriers free soon), with no per-city constant.
/// </summary>
internal static class PromiseSituation
{
    /// <summary>Upper bounds (minutes of expected wait) of the bands; the last band is open-ended.</summary>
    private static ReadOnlySpan<double> WaitBands => [0.5, 2, 5, 10, 20, 40];

    /// <summary>Buckets in all.</summary>
    public static int Count => WaitBands.Length + 1;

    /// <summary>The bucket of an expected courier wait of <paramref name="waitMinutes"/>.</summary>
    public static int Bucket(double waitMinutes)
    {
        var bands = WaitBands;
        for (int i = 0; i < bands.Length; i++) if (waitMinutes < bands[i]) return i;
        return bands.Length;
    }
}
