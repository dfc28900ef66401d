namespace Dispatch.State;

/// <summary>
/// What route timing reads of the orders: ready times, and either the options' fixed pickup and
/// drop-off services (MDRP rules: the Mdrp and Greedy profiles) or each order's own services and
/// earliest drop-off (the General profile). A view over the order store's arrays, built where it is
/// used because the arrays are replaced when the store grows; it allocates nothing.
/// </summary>
internal readonly struct StopTimes
{
    /// <summary>Ready time of each order: no pickup before it.</summary>
    public readonly double[] ReadyAt;
    private readonly double[]? _pickup, _dropoff, _dropAfter;
    private readonly double _halfPickup, _halfDropoff;

    /// <summary>Fixed services for every order, no earliest drop-off.</summary>
    public StopTimes(double[] readyAt, double pickupService, double dropoffService)
    {
        ReadyAt = readyAt;
        _halfPickup = pickupService * 0.5;
        _halfDropoff = dropoffService * 0.5;
    }

    /// <summary>Per-order services (minutes) and earliest drop-off instants.</summary>
    public StopTimes(double[] readyAt, double[] pickupService, double[] dropoffService, double[] deliverAfter)
    {
        ReadyAt = readyAt;
        _pickup = pickupService;
        _dropoff = dropoffService;
        _dropAfter = deliverAfter;
    }

    /// <summary>Half of order <paramref name="o"/>'s pickup service.</summary>
    public double HalfPickup(int o) => _pickup is null ? _halfPickup : _pickup[o] * 0.5;

    /// <summary>Half of order <paramref name="o"/>'s drop-off service.</summary>
    public double HalfDropoff(int o) => _dropoff is null ? _halfDropoff : _dropoff[o] * 0.5;

    /// <summary>Earliest drop-off instant of order <paramref name="o"/> (negative infinity for none).</summary>
    public double DropNotBefore(int o) => _dropAfter is null ? double.NegativeInfinity : _dropAfter[o];
}
