using BenchmarkDotNet.Attributes;
using Dispatch.Assignment;
using Dispatch.Spatial;

namespace Dispatch.Bench.Micro;

/// <summary>
/// The sparse min-cost assignment on the problem the planner's first matching builds for a generated
/// city snapshot: one row per open order, its 12 earliest-arriving couriers as edges costed like the
/// planner (click-to-door, penalised past 40 and 90 minutes, plus 0.1 per minute driven to the
/// restaurant), a postpone option per row, rows grouped by site as the planner builds them. Filling the solver is part of the measured work.
/// </summary>
public class SolverBenchmarks
{
    private const int K = 12;
    private const double PostponeCost = 1_000_000;
    private SparseAssignmentSolver _solver = null!;
    private int _rows, _cols;
    private int[] _rowStart = [], _edgeCol = [];
    private double[] _edgeCost = [];

    [Params(1_000, 10_000)]
    public int Orders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var snap = SnapshotBuilder.City(Orders);
        var travel = snap.Travel;
        var p = snap.Parameters;
        _cols = snap.Couriers.Length;
        var cx = snap.Couriers.Select(c => c.X).ToArray();
        var cy = snap.Couriers.Select(c => c.Y).ToArray();
        var ca = snap.Couriers.Select(c => c.AvailableAt).ToArray();
        var grid = new CourierGrid();
        grid.Build(cx, cy, ca, _cols);
        var slots = new int[K];
        var arrivals = new double[K];
        var rowStart = new List<int> { 0 };
        var cols = new List<int>();
        var costs = new List<double>();
        // Rows in the planner's order: grouped by site (first appearance), by ready time within a site.
        var firstSeen = new Dictionary<int, int>();
        foreach (var o in snap.Orders) firstSeen.TryAdd(o.Site, firstSeen.Count);
        var rowsInOrder = snap.Orders.OrderBy(o => firstSeen[o.Site]).ThenBy(o => o.ReadyAt).ThenBy(o => o.Id);
        foreach (var o in rowsInOrder)
        {
            double sx = snap.SiteX[o.Site], sy = snap.SiteY[o.Site];
            int n = grid.Nearest(ref travel, sx, sy, snap.Now, K, slots, arrivals);
            for (int j = 0; j < n; j++)
            {
                var c = snap.Couriers[slots[j]];
                double pickup = Math.Max(o.ReadyAt, arrivals[j] + p.PickupServiceMinutes / 2);
                if (pickup > c.ShiftEnd) continue;
                double drop = pickup + p.PickupServiceMinutes / 2 + travel.Minutes(sx, sy, o.DropX, o.DropY) + p.DropoffServiceMinutes / 2;
                double ctd = drop - o.PlacedAt;
                double cost = ctd + Math.Max(0, ctd - p.TargetClickToDoor) + 20 * Math.Max(0, ctd - p.MaxClickToDoor)
                    + 0.1 * (arrivals[j] - c.AvailableAt);
                cols.Add(slots[j]);
                costs.Add(cost);
            }
            rowStart.Add(cols.Count);
        }
        _rows = snap.Orders.Length;
        _rowStart = rowStart.ToArray();
        _edgeCol = cols.ToArray();
        _edgeCost = costs.ToArray();
        _solver = new SparseAssignmentSolver();
        Solve(); // sizes the solver's buffers once, as the engine's first tick does
    }

    [Benchmark]
    public double Solve()
    {
        var s = _solver;
        s.Begin(_rows, _cols, _edgeCol.Length);
        for (int r = 0; r < _rows; r++)
        {
            for (int e = _rowStart[r]; e < _rowStart[r + 1]; e++) s.AddEdge(_edgeCol[e], _edgeCost[e]);
            s.EndRow(PostponeCost);
        }
        return s.Solve();
    }
}
