using System.Globalization;

namespace Dispatch.Hosting;

/// <summary>
/// Where the traffic grid lies and how fine it is (server options TrafficBounds, TrafficCellSize,
/// ClosureDetourMinutes; the same fields in a command trace's header).
/// </summary>
public readonly record struct TrafficSettings(double MinX, double MinY, double MaxX, double MaxY, double CellSize, double ClosureDetourMinutes)
{
    /// <summary>The default area: a 100 km square centred on 0,0, in metres.</summary>
    public const string DefaultBounds = "-50000,-50000,50000,50000";

    /// <summary>The default cell side (250 m).</summary>
    public const double DefaultCellSize = 250;

    /// <summary>The default minutes added per closure a leg crosses.</summary>
    public const double DefaultClosureDetourMinutes = 10;

    /// <summary>The defaults: <see cref="DefaultBounds"/>, <see cref="DefaultCellSize"/>, <see cref="DefaultClosureDetourMinutes"/>.</summary>
    public static TrafficSettings Default => FromText(DefaultBounds, DefaultCellSize, DefaultClosureDetourMinutes);

    /// <summary>Settings with the area given as text, <c>minX,minY,maxX,maxY</c>; throws ArgumentException on a bad area (<see cref="ParseBounds"/>).</summary>
    public static TrafficSettings FromText(string? bounds, double cellSize, double closureDetourMinutes)
    {
        var (minX, minY, maxX, maxY) = ParseBounds(bounds);
        return new(minX, minY, maxX, maxY, cellSize, closureDetourMinutes);
    }

    /// <summary>Parses <c>minX,minY,maxX,maxY</c>; throws ArgumentException on anything but four finite numbers with min &lt; max.</summary>
    public static (double MinX, double MinY, double MaxX, double MaxY) ParseBounds(string? bounds)
    {
        var parts = (bounds ?? "").Split(',', StringSplitOptions.TrimEntries);
        var v = new double[4];
        if (parts.Length != 4 || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out v[i])).All(ok => ok)
            || !v.All(double.IsFinite) || v[2] <= v[0] || v[3] <= v[1])
            throw new ArgumentException($"TrafficBounds must be 'minX,minY,maxX,maxY' (four finite numbers, min < max), got '{bounds}'", "TrafficBounds");
        return (v[0], v[1], v[2], v[3]);
    }
}
