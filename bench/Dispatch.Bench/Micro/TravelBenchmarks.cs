using BenchmarkDotNet.Attributes;

namespace Dispatch.Bench.Micro;

/// <summary>Travel-time queries as the engine makes them: through a generic struct parameter, inlined.
/// Figures are per query (1,024 queries per invocation).</summary>
public class TravelBenchmarks
{
    private const int N = 1024;
    private readonly double[] _x1 = new double[N], _y1 = new double[N], _x2 = new double[N], _y2 = new double[N];
    private readonly double[] _lon1 = new double[N], _lat1 = new double[N], _lon2 = new double[N], _lat2 = new double[N];
    private EuclideanCeilMinutes _euclid = new(320);
    private HaversineMinutes _haversine = new(kilometersPerHour: 19.2);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        for (int i = 0; i < N; i++)
        {
            // Metres in a 12 km city; degrees around a city centre (about 0.1 degree wide).
            _x1[i] = rng.NextDouble() * 12_000; _y1[i] = rng.NextDouble() * 12_000;
            _x2[i] = rng.NextDouble() * 12_000; _y2[i] = rng.NextDouble() * 12_000;
            _lon1[i] = -84.45 + rng.NextDouble() * 0.1; _lat1[i] = 33.70 + rng.NextDouble() * 0.1;
            _lon2[i] = -84.45 + rng.NextDouble() * 0.1; _lat2[i] = 33.70 + rng.NextDouble() * 0.1;
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public double EuclideanCeil() => Sum(ref _euclid, _x1, _y1, _x2, _y2);

    [Benchmark(OperationsPerInvoke = N)]
    public double Haversine() => Sum(ref _haversine, _lon1, _lat1, _lon2, _lat2);

    private static double Sum<TTravel>(ref TTravel travel, double[] x1, double[] y1, double[] x2, double[] y2)
        where TTravel : struct, ITravelTime
    {
        double s = 0;
        for (int i = 0; i < x1.Length; i++) s += travel.Minutes(x1[i], y1[i], x2[i], y2[i]);
        return s;
    }
}
