using Dispatch.Spatial;

namespace Dispatch.Core.Tests;

/// <summary>The grid's k-nearest-by-arrival query against a linear scan over all points.</summary>
public class CourierGridTests
{
    private static (double[] X, double[] Y, double[] Avail) RandomPoints(Random rng, int n, double now, int layout)
    {
        var x = new double[n]; var y = new double[n]; var avail = new double[n];
        for (int i = 0; i < n; i++)
        {
            switch (layout)
            {
                case 0: x[i] = rng.Next(0, 10_000); y[i] = rng.Next(0, 10_000); break;                       // spread out
                case 1: x[i] = 5000 + rng.Next(-300, 300); y[i] = 5000 + rng.Next(-300, 300); break;         // one cluster
                case 2: x[i] = rng.Next(0, 10_000); y[i] = 2500; break;                                      // on a line
                case 3: x[i] = 1234; y[i] = 4321; break;                                                     // all at one point
                default:
                    bool far = rng.Next(4) == 0;                                                          // a dense core and outliers
                    x[i] = far ? rng.Next(-20_000, 30_000) : rng.Next(4000, 4500);
                    y[i] = far ? rng.Next(-20_000, 30_000) : rng.Next(4000, 4500);
                    break;
            }
            // Couriers are free now or later (the planner never offers an earlier availability).
            avail[i] = now + (rng.Next(3) == 0 ? 0 : rng.Next(0, 40));
        }
        return (x, y, avail);
    }

    private static void CompareWithScan(Random rng, int n, int k, int layout, int queries)
    {
        var travel = new EuclideanCeilMinutes(rng.Next(2) == 0 ? 320 : 97);
        double now = rng.Next(0, 500);
        var (x, y, avail) = RandomPoints(rng, n, now, layout);
        // The arrays may be longer than n (the planner's column buffers are): extra entries must be ignored.
        Array.Resize(ref x, n + 3); Array.Resize(ref y, n + 3); Array.Resize(ref avail, n + 3);
        var grid = new CourierGrid();
        grid.Build(x, y, avail, n);
        var slots = new int[k];
        var arrivals = new double[k];
        for (int q = 0; q < queries; q++)
        {
            double sx = rng.Next(-2000, 12_000), sy = rng.Next(-2000, 12_000);
            int found = grid.Nearest(ref travel, sx, sy, now, k, slots, arrivals);

            var expected = Enumerable.Range(0, n).Select(i => avail[i] + travel.Minutes(x[i], y[i], sx, sy)).OrderBy(a => a).Take(k).ToArray();
            string ctx = $"n={n} k={k} layout={layout} query=({sx}, {sy})";
            Assert.True(expected.Length == found, $"{ctx}: found {found}, expected {expected.Length}");
            for (int i = 0; i < found; i++)
            {
                // Ties may pick a different slot, but the arrival multiset is the same and each
                // reported arrival is the true arrival of the reported slot.
                Assert.True(expected[i] == arrivals[i], $"{ctx}: arrival #{i} is {arrivals[i]}, expected {expected[i]}");
                int s = slots[i];
                Assert.InRange(s, 0, n - 1);
                Assert.Equal(avail[s] + travel.Minutes(x[s], y[s], sx, sy), arrivals[i]);
            }
            Assert.Equal(found, slots.Take(found).Distinct().Count());
        }
    }

    [Property(MaxTest = 200)]
    public void Nearest_returns_the_same_k_best_arrivals_as_a_linear_scan(int seed)
    {
        var rng = new Random(seed);
        CompareWithScan(rng, n: rng.Next(1, 120), k: rng.Next(1, 16), layout: rng.Next(0, 5), queries: 5);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 12)]
    [InlineData(2, 12)]
    [InlineData(300, 12)]
    [InlineData(2000, 12)]
    [InlineData(50, 50)]
    public void Nearest_matches_a_linear_scan_for_every_layout(int n, int k)
    {
        var rng = new Random(n * 31 + k);
        for (int layout = 0; layout < 5; layout++) CompareWithScan(rng, n, k, layout, queries: 20);
    }

    [Fact]
    public void An_empty_grid_finds_nothing_and_a_rebuilt_grid_forgets_old_points()
    {
        var travel = new EuclideanCeilMinutes(320);
        var grid = new CourierGrid();
        grid.Build([], [], [], 0);
        Assert.Equal(0, grid.Nearest(ref travel, 0, 0, 0, 3, new int[3], new double[3]));

        grid.Build([0, 100, 200], [0, 0, 0], [0, 0, 0], 3);
        Assert.Equal(3, grid.Nearest(ref travel, 0, 0, 0, 5, new int[5], new double[5]));
        grid.Build([9000], [9000], [7], 1);
        var slots = new int[5]; var arr = new double[5];
        Assert.Equal(1, grid.Nearest(ref travel, 0, 0, 0, 5, slots, arr));
        Assert.Equal(0, slots[0]);
        Assert.Equal(7 + travel.Minutes(9000, 9000, 0, 0), arr[0]);
    }

    /// <summary>The planner orders its sites by <see cref="CourierGrid.CellOf"/> so that the matchings' rows come in the
    /// order of their columns (<see cref="CourierGrid.InCellOrder"/>): the couriers' own cells must then rise along that
    /// order, and a point outside the couriers' box must fall in a cell of the grid.</summary>
    [Property(MaxTest = 100)]
    public void CellOf_rises_along_the_cell_order_and_clamps_points_outside(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(1, 300);
        var (x, y, avail) = RandomPoints(rng, n, 0, rng.Next(0, 5));
        var grid = new CourierGrid();
        grid.Build(x, y, avail, n);
        var order = grid.InCellOrder;
        Assert.Equal(n, order.Length);
        for (int i = 1; i < n; i++)
            Assert.True(grid.CellOf(x[order[i - 1]], y[order[i - 1]]) <= grid.CellOf(x[order[i]], y[order[i]]));
        int last = grid.CellOf(x[order[n - 1]], y[order[n - 1]]);
        Assert.InRange(grid.CellOf(-1e9, -1e9), 0, last);
        Assert.InRange(grid.CellOf(1e9, 1e9), grid.CellOf(x[order[0]], y[order[0]]), int.MaxValue);
        Assert.Equal(0, new CourierGrid().CellOf(5, 5));
    }
}
