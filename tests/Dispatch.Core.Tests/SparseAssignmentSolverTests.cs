using Dispatch.Assignment;

namespace Dispatch.Core.Tests;

/// <summary>A small sparse assignment problem: per row, distinct (column, cost) edges and a postpone cost.</summary>
public sealed record AssignmentProblem(int Cols, (int Col, double Cost)[][] Edges, double[] Postpone)
{
    public int Rows => Postpone.Length;

    public override string ToString() =>
        $"{Rows}x{Cols}: " + string.Join(" | ", Edges.Select((e, r) => $"r{r} postpone {Postpone[r]}: " + string.Join(", ", e.Select(x => $"c{x.Col}={x.Cost}"))));
}

public static class AssignmentProblemArbitrary
{
    private static Gen<double> Cost(bool fractional) => fractional
        ? Gen.Choose(0, 100_000).Select(i => i / 1000.0)
        : Gen.Choose(0, 20).Select(i => (double)i);  // small integers: many ties

    private static Gen<(int, double)[]> Row(int cols, bool fractional) =>
        from mask in Gen.Choose(0, (1 << cols) - 1)
        from costs in Gen.ArrayOf(Cost(fractional), cols)
        select Enumerable.Range(0, cols).Where(c => (mask >> c & 1) != 0).Select(c => (c, costs[c])).ToArray();

    public static Arbitrary<AssignmentProblem> Problems() => Arb.From(
        from rows in Gen.Choose(0, 6)
        from cols in Gen.Choose(0, 5)
        from fractional in Gen.Elements(true, false)
        from edges in Gen.ArrayOf(Row(cols, fractional), rows)
        // Postpone costs like the planner's (far above any edge), comparable to edges, or free.
        from postponeKind in Gen.Choose(0, 2)
        from postpone in Gen.ArrayOf(postponeKind switch
        {
            0 => Gen.Constant(1_000_000.0),
            1 => Cost(fractional).Select(c => c * 1.5),
            _ => Gen.Constant(0.0),
        }, rows)
        select new AssignmentProblem(cols, edges, postpone));
}

/// <summary>The sparse min-cost assignment solver against an exhaustive oracle on tiny problems.</summary>
public class SparseAssignmentSolverTests
{
    /// <summary>Exhaustive optimum: each row to one of its edges (a column used at most once) or to its postpone column.</summary>
    private static double BruteForce(AssignmentProblem p)
    {
        var used = new bool[p.Cols];
        double best = double.PositiveInfinity;
        void Go(int r, double acc)
        {
            if (acc >= best) return;
            if (r == p.Rows) { best = acc; return; }
            Go(r + 1, acc + p.Postpone[r]);
            foreach (var (c, cost) in p.Edges[r])
            {
                if (used[c]) continue;
                used[c] = true;
                Go(r + 1, acc + cost);
                used[c] = false;
            }
        }
        Go(0, 0);
        return best;
    }

    private static double Solve(SparseAssignmentSolver solver, AssignmentProblem p)
    {
        solver.Begin(p.Rows, p.Cols, p.Edges.Sum(e => e.Length));
        for (int r = 0; r < p.Rows; r++)
        {
            foreach (var (c, cost) in p.Edges[r]) solver.AddEdge(c, cost);
            Assert.Equal(r, solver.EndRow(p.Postpone[r]));
        }
        double total = solver.Solve();
        CheckMatching(solver, p, total);
        return total;
    }

    /// <summary>The returned matching is valid (edges exist, columns used once) and costs what Solve returned.</summary>
    private static void CheckMatching(SparseAssignmentSolver solver, AssignmentProblem p, double total)
    {
        var match = solver.RowMatch;
        Assert.Equal(p.Rows, match.Length);
        Assert.Equal(p.Cols, solver.RealColumns);
        var seen = new HashSet<int>();
        double sum = 0;
        for (int r = 0; r < p.Rows; r++)
        {
            int c = match[r];
            if (c >= p.Cols) { sum += p.Postpone[r]; continue; }
            Assert.True(c >= 0, $"row {r} unmatched");
            Assert.True(seen.Add(c), $"column {c} used twice");
            int e = Array.FindIndex(p.Edges[r], x => x.Col == c);
            Assert.True(e >= 0, $"row {r} matched to column {c} without an edge");
            sum += p.Edges[r][e].Cost;
        }
        Assert.Equal(sum, total, 6);
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(AssignmentProblemArbitrary)])]
    public void Total_cost_equals_the_exhaustive_optimum(AssignmentProblem p)
    {
        var solver = new SparseAssignmentSolver();
        Assert.Equal(BruteForce(p), Solve(solver, p), 6);
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(AssignmentProblemArbitrary)])]
    public void A_reused_solver_gives_the_same_optimum_on_every_problem(AssignmentProblem[] problems)
    {
        // Buffers grow and shrink between problems; stale state must never leak into the next one.
        var solver = new SparseAssignmentSolver();
        foreach (var p in problems) Assert.Equal(BruteForce(p), Solve(solver, p), 6);
    }

    [Fact]
    public void Seeded_random_problems_match_the_oracle()
    {
        var rng = new Random(12345);
        var solver = new SparseAssignmentSolver();
        for (int trial = 0; trial < 300; trial++)
        {
            int rows = rng.Next(0, 8), cols = rng.Next(0, 7);
            var edges = new (int, double)[rows][];
            for (int r = 0; r < rows; r++)
                edges[r] = Enumerable.Range(0, cols).Where(_ => rng.NextDouble() < 0.45).Select(c => (c, Math.Round(rng.NextDouble() * 50, 2))).ToArray();
            var postpone = Enumerable.Range(0, rows).Select(_ => rng.Next(3) == 0 ? 1_000_000.0 * rng.Next(1, 4) : Math.Round(rng.NextDouble() * 60, 2)).ToArray();
            var p = new AssignmentProblem(cols, edges, postpone);
            Assert.True(Math.Abs(BruteForce(p) - Solve(solver, p)) < 1e-6, p.ToString());
        }
    }

    [Fact]
    public void Every_row_is_postponed_when_there_are_no_columns()
    {
        var solver = new SparseAssignmentSolver();
        var p = new AssignmentProblem(0, [[], [], []], [1, 2, 3]);
        Assert.Equal(6, Solve(solver, p));
        foreach (int c in solver.RowMatch) Assert.True(c >= 0);
    }

    [Fact]
    public void Contention_for_one_column_goes_to_the_row_that_saves_most()
    {
        // Both rows want column 0; row 1 would lose more by postponing, so it gets the column.
        var solver = new SparseAssignmentSolver();
        var p = new AssignmentProblem(1, [[(0, 5)], [(0, 6)]], [10, 100]);
        Assert.Equal(16, Solve(solver, p));
        Assert.Equal(0, solver.RowMatch[1]);
        Assert.True(solver.RowMatch[0] >= 1);
    }
}
