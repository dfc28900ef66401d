namespace Dispatch.Travel;

/// <summary>
/// The published MDRP travel rule: ceil(euclidean metres / metres per minute). Coordinates are
/// metres on a plane. The rounding means the triangle inequality may fail; the engine never assumes it.
/// </summary>
public readonly struct EuclideanCeilMinutes : ITravelTime
{
    private readonly double _minutesPerMeter;

    /// <summary>Creates the rule for a speed in metres per minute (the traces use 320).</summary>
    public EuclideanCeilMinutes(double metersPerMinute)
    {
        if (!(metersPerMinute > 0) || !double.IsFinite(metersPerMinute))
            throw new ArgumentOutOfRangeException(nameof(metersPerMinute), metersPerMinute, "speed must be a positive finite number of metres per minute");
        MetersPerMinute = metersPerMinute;
        _minutesPerMeter = 1.0 / metersPerMinute;
    }

    /// <summary>Speed in metres per minute.</summary>
    public double MetersPerMinute { get; }

    /// <inheritdoc />
    public double Minutes(double x1, double y1, double x2, double y2)
    {
        double dx = x1 - x2, dy = y1 - y2;
        // Divide (not multiply by the inverse) where it decides a ceiling: the published evaluator
        // divides, and x * (1/320) can round up past an integer that x / 320 hits exactly.
        return Math.Ceiling(Math.Sqrt(dx * dx + dy * dy) / MetersPerMinute);
    }

    /// <inheritdoc />
    public double ChangesFrom => double.PositiveInfinity;

    /// <inheritdoc />
    public double MinutesAt(double x1, double y1, double x2, double y2, double at) => Minutes(x1, y1, x2, y2);
}
