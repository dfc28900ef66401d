using BenchmarkDotNet.Attributes;
using Dispatch.Spatial;

namespace Dispatch.Bench.Micro;

/// <summary>
/// The candidate-courier grid: a rebuild over all candidate couriers (once per tick) and the k = 12
/// earliest-arrival query (once per site with open orders), couriers spread over a city sized like
/// the generated snapshots (couriers = open orders / 2).
/// </summary>
public class GridBenchmarks
{
    private const int Queries = 256;
    private const int K = 12;
    private CourierGrid _grid = null!;
    private double[] _x = [], _y = [], _avail = [];
    private readonly double[] _qx = new double[Queries], _qy = new double[Queries];
    private readonly int[] _slots = new int[K];
    private readonly double[] _arrivals = new double[K];
    private EuclideanCeilMinutes _travel = new(320);

    [Params(500, 5_000, 25_000)]
    public int Couriers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(11);
        double side = Math.Min(80_000, 12_000 * Math.Sqrt(2.0 * Couriers / 150.0));
        _x = new double[Couriers]; _y = new double[Couriers]; _avail = new double[Couriers];
        for (int i = 0; i < Couriers; i++)
        {
            _x[i] = rng.NextDouble() * side; _y[i] = rng.NextDouble() * side;
            _avail[i] = 600 + (rng.NextDouble() < 1.0 / 3 ? 0 : rng.Next(1, 31));
        }
        for (int q = 0; q < Queries; q++) { _qx[q] = rng.NextDouble() * side; _qy[q] = rng.NextDouble() * side; }
        _grid = new CourierGrid();
        _grid.Build(_x, _y, _avail, Couriers); // sizes the grid's buffers once, as the engine's first tick does
    }

    [Benchmark]
    public void Build() => _grid.Build(_x, _y, _avail, Couriers);

    [Benchmark(OperationsPerInvoke = Queries)]
    public int Nearest()
    {
        int found = 0;
        for (int q = 0; q < Queries; q++)
            found += _grid.Nearest(ref _travel, _qx[q], _qy[q], 600, K, _slots, _arrivals);
        return found;
    }
}
