using Dispatch.Engine;

namespace Dispatch.Routing;

/// <summary>
/// Travel durations (minutes) and distances between locations by index: what a road router (OSRM,
/// Valhalla, a commercial API) returns, or what <see cref="FromCoordinates"/> computes from points.
/// The optimizer reads only this matrix, so it does not care where the numbers came from.
/// Entries are validated once here: finite and non-negative, or the constructor names the entry.
/// </summary>
public sealed class TravelMatrix
{
    private readonly double[] _durations;
    private readonly double[] _distances;

    private TravelMatrix(int count, double[] durations, double[] distances)
    {
        Count = count;
        _durations = durations;
        _distances = distances;
    }

    /// <summary>Number of locations.</summary>
    public int Count { get; }

    /// <summary>True when distances were given apart from durations.</summary>
    public bool HasDistances => !ReferenceEquals(_durations, _distances);

    /// <summary>Minutes from one location to another.</summary>
    public double Duration(int from, int to) => _durations[from * Count + to];

    /// <summary>Distance from one location to another (the duration when no distances were given).</summary>
    public double Distance(int from, int to) => _distances[from * Count + to];

    /// <summary>
    /// Euclidean distances between points; durations are distance / <paramref name="unitsPerMinute"/>.
    /// Unrounded, as the Li &amp; Lim benchmark measures.
    /// </summary>
    public static TravelMatrix FromCoordinates(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double unitsPerMinute = 1)
    {
        if (x.Length != y.Length)
            throw new DispatchException(DispatchError.InvalidValue, $"coordinates: {x.Length} x values but {y.Length} y values");
        if (!(unitsPerMinute > 0) || !double.IsFinite(unitsPerMinute))
            throw new DispatchException(DispatchError.InvalidValue, $"unitsPerMinute must be positive and finite, got {unitsPerMinute}");
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                throw new DispatchException(DispatchError.InvalidValue, $"location {i}: coordinate ({x[i]}, {y[i]}) is not finite");
        }
        var dist = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double dx = x[i] - x[j], dy = y[i] - y[j];
                dist[i * n + j] = Math.Sqrt(dx * dx + dy * dy);
            }
        }
        if (unitsPerMinute == 1) return new TravelMatrix(n, dist, dist);
        var dur = new double[n * n];
        for (int k = 0; k < dur.Length; k++) dur[k] = dist[k] / unitsPerMinute;
        return new TravelMatrix(n, dur, dist);
    }

    /// <summary>
    /// A caller's matrices, row-major (<c>durations[from * count + to]</c>), copied. Without
    /// <paramref name="distances"/> the durations serve as distances.
    /// </summary>
    public static TravelMatrix FromMatrices(int count, ReadOnlySpan<double> durations, ReadOnlySpan<double> distances = default)
    {
        if (count <= 0) throw new DispatchException(DispatchError.InvalidValue, $"matrix: location count must be positive, got {count}");
        long cells = (long)count * count;
        if (durations.Length != cells)
            throw new DispatchException(DispatchError.InvalidValue, $"durations: {durations.Length} entries for {count} locations, expected {cells} (missing entries?)");
        var dur = durations.ToArray();
        Check(dur, count, "durations");
        if (distances.IsEmpty) return new TravelMatrix(count, dur, dur);
        if (distances.Length != cells)
            throw new DispatchException(DispatchError.InvalidValue, $"distances: {distances.Length} entries for {count} locations, expected {cells} (missing entries?)");
        var dist = distances.ToArray();
        Check(dist, count, "distances");
        return new TravelMatrix(count, dur, dist);
    }

    private static void Check(double[] m, int count, string name)
    {
        for (int k = 0; k < m.Length; k++)
        {
            if (!double.IsFinite(m[k]) || m[k] < 0)
                throw new DispatchException(DispatchError.InvalidValue, $"{name}[{k / count}][{k % count}] = {m[k]}: entries must be finite and non-negative");
        }
    }

    internal double[] DurationArray => _durations;
    internal double[] DistanceArray => _distances;
}
