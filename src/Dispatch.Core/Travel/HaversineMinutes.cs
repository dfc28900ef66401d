namespace Dispatch.Travel;

/// <summary>
/// Great-circle travel time for callers that work in longitude (x) and latitude (y) degrees,
/// at a constant speed and with a detour factor for the street network (1.0 = as the crow flies).
/// </summary>
public readonly struct HaversineMinutes : ITravelTime
{
    private const double EarthRadiusMeters = 6_371_008.8;
    private const double DegToRad = Math.PI / 180.0;
    private readonly double _minutesPerMeter;

    /// <summary>Creates the rule for a speed in km/h and a detour factor (at least 1).</summary>
    public HaversineMinutes(double kilometersPerHour, double detourFactor = 1.3)
    {
        if (!(kilometersPerHour > 0) || !double.IsFinite(kilometersPerHour))
            throw new ArgumentOutOfRangeException(nameof(kilometersPerHour), kilometersPerHour, "speed must be a positive finite number of km/h");
        if (!(detourFactor >= 1) || !double.IsFinite(detourFactor))
            throw new ArgumentOutOfRangeException(nameof(detourFactor), detourFactor, "detour factor must be a finite number >= 1");
        _minutesPerMeter = detourFactor * 60.0 / (kilometersPerHour * 1000.0);
    }

    /// <summary>Great-circle distance in metres between two (longitude, latitude) points in degrees.</summary>
    public static double Meters(double lon1, double lat1, double lon2, double lat2)
    {
        double p1 = lat1 * DegToRad, p2 = lat2 * DegToRad;
        double dp = p2 - p1, dl = (lon2 - lon1) * DegToRad;
        double sp = Math.Sin(dp * 0.5), sl = Math.Sin(dl * 0.5);
        double a = sp * sp + Math.Cos(p1) * Math.Cos(p2) * sl * sl;
        return 2.0 * EarthRadiusMeters * Math.Asin(Math.Min(1.0, Math.Sqrt(a)));
    }

    /// <inheritdoc />
    public double Minutes(double x1, double y1, double x2, double y2) => Meters(x1, y1, x2, y2) * _minutesPerMeter;

    /// <inheritdoc />
    public double ChangesFrom => double.PositiveInfinity;

    /// <inheritdoc />
    public double MinutesAt(double x1, double y1, double x2, double y2, double at) => Minutes(x1, y1, x2, y2);
}
