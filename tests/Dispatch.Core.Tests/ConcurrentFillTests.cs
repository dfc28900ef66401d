using System.Text;
using Dispatch.Assignment;

namespace Dispatch.Core.Tests;

/// <summary>
/// Filling a matching on a second thread while the ticking thread solves it (<see cref="FillLane"/>,
/// <see cref="SparseAssignmentSolver.SolveWhileFilling"/>) decides exactly what a single-thread run decides.
/// </summary>
public class ConcurrentFillTests
{
    /// <summary>A planner-like problem: rows in groups sharing k columns, integral costs (many ties), huge postpone costs.</summary>
    private static (int Cols, (int Col, double Cost)[][] Edges, double[] Postpone) Problem(int seed, int rows, int cols, int k)
    {
        var rng = new Random(seed);
        var edges = new (int, double)[rows][];
        var postpone = new double[rows];
        int[] group = new int[k];
        for (int r = 0; r < rows; r++)
        {
            if (r % 4 == 0) for (int j = 0; j < k; j++) group[j] = rng.Next(cols);
            edges[r] = group.Distinct().Select(c => (c, (double)rng.Next(20, 60))).ToArray();
            postpone[r] = 1_000_000 + rng.Next(30, 90);
        }
        return (cols, edges, postpone);
    }

    private static void Fill(SparseAssignmentSolver solver, (int Col, double Cost)[][] edges, double[] postpone, Random? pauses)
    {
        for (int r = 0; r < edges.Length; r++)
        {
            foreach (var (c, cost) in edges[r]) solver.AddEdge(c, cost);
            solver.EndRow(postpone[r]);
            if (pauses is not null && pauses.Next(64) == 0) Thread.SpinWait(pauses.Next(1, 2000)); // vary the interleaving
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Solving_while_another_thread_fills_gives_the_single_thread_matching(int seed)
    {
        var (cols, edges, postpone) = Problem(seed, 6_000, 2_500, 8);
        var reference = new SparseAssignmentSolver();
        reference.Begin(edges.Length, cols, edges.Length * 8);
        Fill(reference, edges, postpone, null);
        double expected = reference.Solve();

        var solver = new SparseAssignmentSolver();
        for (int round = 0; round < 3; round++)
        {
            // Announce more rows than are added, as the planner's second matching does.
            solver.Begin(edges.Length + 100, cols, (edges.Length + 100) * 8);
            var filler = new Thread(() => { Fill(solver, edges, postpone, new Random(seed * 10 + round)); solver.EndRows(); });
            filler.Start();
            double total = solver.SolveWhileFilling();
            filler.Join();
            Assert.Equal(expected, total);
            Assert.True(reference.RowMatch.SequenceEqual(solver.RowMatch), $"round {round}: matchings differ");
        }
    }

    [Fact]
    public void A_fill_that_throws_ends_the_solve_rethrows_on_the_owner_and_frees_the_lane()
    {
        if (!FillLane.Available) return;
        var solver = new SparseAssignmentSolver();
        solver.Begin(10, 2, 20);
        Action failing = () => { solver.AddEdge(0, 1); solver.EndRow(5); throw new InvalidOperationException("fill failed"); };
        Assert.True(SpinUntil(() => FillLane.TryStart(failing, solver)));
        solver.SolveWhileFilling();
        Assert.Equal(1, solver.RowMatch.Length);
        Assert.Throws<InvalidOperationException>(FillLane.Finish);
        Action ok = () => { solver.Begin(1, 1, 1); solver.AddEdge(0, 1); solver.EndRow(5); };
        Assert.True(SpinUntil(() => FillLane.TryStart(ok, solver)));
        FillLane.Finish();
    }

    /// <summary>The lane is process-wide: another test's engine may hold it for a moment.</summary>
    private static bool SpinUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until) { if (condition()) return true; Thread.Sleep(1); }
        return false;
    }

    private struct RecordingSink(StringBuilder log) : IAssignmentSink
    {
        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
        {
            log.Append("A ").Append(assignment.CourierId).Append(' ').Append(assignment.AssignedAt).Append(':');
            foreach (var s in stops) log.Append(' ').Append((int)s.Kind).Append('/').Append(s.OrderId).Append('@').Append(s.ServiceAt.ToString("R"));
            log.Append('\n');
        }

        public void OnPlanChange(in PlanChange change) => log.Append("C ").Append(change.ToString()).Append('\n');
    }

    /// <summary>A city of 3,000 open orders at 600 sites and 1,500 couriers (by default), ticked for 12 minutes with couriers
    /// confirming their stops; returns everything the sink heard.</summary>
    private static string TickCity(bool secondCore, int sites = 600, int orders = 3_000, int minutes = 12)
    {
        var rng = new Random(7);
        double side = 20_000 * Math.Sqrt(sites / 600.0);
        int w = (int)side;
        var engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), new DispatchOptions { UseSecondCore = secondCore });
        for (int s = 0; s < sites; s++) engine.AddSite(s, rng.Next(0, w), rng.Next(0, w));
        for (int c = 0; c < orders / 2; c++) engine.CourierOnShift(new CourierShift(c, rng.Next(0, w), rng.Next(0, w), 0, 600), 0);
        for (int o = 0; o < orders; o++)
        {
            int placed = rng.Next(0, 10);
            engine.PlaceOrder(new OrderRequest(o, rng.Next(0, sites), rng.Next(0, w), rng.Next(0, w), placed, placed + rng.Next(5, 26)), placed);
        }
        var log = new StringBuilder();
        var sink = new RecordingSink(log);
        for (int t = 10; t < 10 + minutes; t++) engine.Tick(t, ref sink);
        return log.ToString();
    }

    [Fact]
    public void A_large_tick_decides_the_same_with_the_fill_lane_and_without_it()
    {
        int starts = FillLane.StartsOnThisThread;
        string single = TickCity(secondCore: false);
        Assert.Equal(starts, FillLane.StartsOnThisThread); // off by default and when not asked: no thread used
        string parallel = TickCity(secondCore: true);
        if (FillLane.Available) Assert.True(FillLane.StartsOnThisThread > starts, "the parallel run never used the fill lane");
        Assert.Contains("A ", single);
        Assert.Equal(single, parallel);
    }

    [Fact]
    public void A_tick_over_enough_sites_to_split_bundling_decides_the_same_on_two_threads()
    {
        // 12,000 orders at 6,000 sites: about 5,200 sites with orders at the first tick, above the bundling and rescue
        // split (SiteMatchingPlanner.ConcurrentSplitMinSites), which the city above stays below.
        Assert.True(Dispatch.Planning.SiteMatchingPlanner<EuclideanCeilMinutes>.ConcurrentSplitMinSites <= 5_100);
        string single = TickCity(secondCore: false, sites: 6_000, orders: 12_000, minutes: 2);
        int starts = FillLane.StartsOnThisThread;
        string parallel = TickCity(secondCore: true, sites: 6_000, orders: 12_000, minutes: 2);
        // Two fills a tick, and in a tick above the split the rescue values' and the bundling's halves as well.
        if (FillLane.Available) Assert.True(FillLane.StartsOnThisThread - starts >= 2 * 2 + 2, $"{FillLane.StartsOnThisThread - starts} lane starts: no split ran");
        Assert.Contains("A ", single);
        Assert.Equal(single, parallel);
    }
}
