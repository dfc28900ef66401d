using Dispatch.Assignment;

namespace Dispatch.Core.Tests;

/// <summary>
/// The solver's choice among equally cheap matchings is part of the engine's decisions (costs in whole minutes tie
/// often), so it follows a stated rule (see <see cref="SparseAssignmentSolver"/>): a row's search ends at the free column
/// found last at the least distance, a courier before a postpone column. These tests hold the solver to
/// <see cref="BoundedSsp"/>, that search written for clarity (lists, a two-array binary heap with lazy deletion), row for
/// row on tie-heavy problems; and its matching's cost to <see cref="PlainSsp"/>'s, the unpruned successive shortest paths
/// (every improving edge pushed, popped until a free column comes out), whose optimality
/// <see cref="SparseAssignmentSolverTests"/> checks against brute force.
/// </summary>
public class SolverTieBreakTests
{
    /// <summary>Rows in order, Dijkstra on reduced costs, potentials as in the solver's comment; with
    /// <paramref name="bounded"/>, free columns end the search by the solver's bound and tie rule instead of being popped.</summary>
    private static int[] Ssp(AssignmentProblem p, bool bounded)
    {
        int rows = p.Rows, cols = p.Cols, all = cols + rows;
        var u = new double[rows];
        var v = new double[all];
        var dist = new double[all];
        var done = new bool[all];
        var pred = new int[all];
        var colMatch = new int[all];
        var rowMatch = new int[rows];
        Array.Fill(colMatch, -1);
        Array.Fill(rowMatch, -1);
        Array.Fill(dist, double.PositiveInfinity);
        var touched = new List<int>();
        var heapCol = new List<int>();
        var heapKey = new List<double>();
        double bound = double.PositiveInfinity;
        int boundCol = -1;

        void Push(int col, double key)
        {
            heapCol.Add(col); heapKey.Add(key);
            int i = heapCol.Count - 1;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (heapKey[parent] <= key) break;
                heapCol[i] = heapCol[parent]; heapKey[i] = heapKey[parent];
                i = parent;
            }
            heapCol[i] = col; heapKey[i] = key;
        }

        int Pop(out double key)
        {
            int top = heapCol[0];
            key = heapKey[0];
            int n = heapCol.Count - 1;
            int lastCol = heapCol[n];
            double lastKey = heapKey[n];
            heapCol.RemoveAt(n); heapKey.RemoveAt(n);
            if (n > 0)
            {
                int i = 0;
                while (true)
                {
                    int l = 2 * i + 1;
                    if (l >= n) break;
                    int m = l + 1 < n && heapKey[l + 1] < heapKey[l] ? l + 1 : l;
                    if (heapKey[m] >= lastKey) break;
                    heapCol[i] = heapCol[m]; heapKey[i] = heapKey[m];
                    i = m;
                }
                heapCol[i] = lastCol; heapKey[i] = lastKey;
            }
            return top;
        }

        void Set(int j, double nd, int r)
        {
            if (double.IsPositiveInfinity(dist[j])) touched.Add(j);
            dist[j] = nd;
            pred[j] = r;
        }

        void Consider(int j, double nd, int r)
        {
            if (nd < 0) nd = 0;
            if (nd >= dist[j]) return;
            if (!bounded) { Set(j, nd, r); Push(j, nd); return; }
            bool free = colMatch[j] < 0;
            if (free && (nd < bound || nd == bound && (j < cols || boundCol >= cols))) { Set(j, nd, r); bound = nd; boundCol = j; }
            else if (!free && nd <= bound) { Set(j, nd, r); Push(j, nd); }
        }

        void Relax(int r, double label)
        {
            int dummy = cols + r;
            if (bounded && !done[dummy]) Consider(dummy, label + p.Postpone[r] - u[r] - v[dummy], r);
            foreach (var (c, cost) in p.Edges[r])
                if (!done[c]) Consider(c, label + cost - u[r] - v[c], r);
            if (!bounded && !done[dummy]) Consider(dummy, label + p.Postpone[r] - u[r] - v[dummy], r);
        }

        for (int s = 0; s < rows; s++)
        {
            touched.Clear(); heapCol.Clear(); heapKey.Clear();
            bound = double.PositiveInfinity; boundCol = -1;
            Relax(s, 0);
            int end = -1;
            double delta = 0;
            while (heapCol.Count > 0)
            {
                int j = Pop(out double d);
                if (bounded && d > bound) break;
                if (done[j] || d > dist[j]) continue;
                done[j] = true;
                if (!bounded && colMatch[j] < 0) { end = j; delta = d; break; }
                Relax(colMatch[j], d);
            }
            if (bounded) { end = boundCol; delta = bound; }
            u[s] += delta;
            foreach (int j in touched)
            {
                if (done[j] && j != end)
                {
                    double slack = delta - dist[j];
                    v[j] -= slack;
                    u[colMatch[j]] += slack;
                }
            }
            int col = end;
            while (true)
            {
                int r = pred[col];
                int prev = rowMatch[r];
                rowMatch[r] = col;
                colMatch[col] = r;
                if (r == s) break;
                col = prev;
            }
            foreach (int j in touched) { done[j] = false; dist[j] = double.PositiveInfinity; }
        }
        return rowMatch;
    }

    private static int[] BoundedSsp(AssignmentProblem p) => Ssp(p, bounded: true);

    private static int[] PlainSsp(AssignmentProblem p) => Ssp(p, bounded: false);

    private static double CostOf(AssignmentProblem p, int[] match)
    {
        double total = 0;
        for (int r = 0; r < p.Rows; r++)
            total += match[r] >= p.Cols ? p.Postpone[r] : p.Edges[r].Single(e => e.Col == match[r]).Cost;
        return total;
    }

    private static void SameAsReferences(AssignmentProblem p, int[] match)
    {
        Assert.Equal(BoundedSsp(p), match);
        Assert.Equal(CostOf(p, PlainSsp(p)), CostOf(p, match), 6);
    }

    /// <summary>A planner-like problem: rows grouped by "site" (consecutive rows share up to <paramref name="k"/>
    /// candidate columns), small integer costs and postpone costs of 1,000,000 plus a few minutes, so that ties abound.</summary>
    private static AssignmentProblem TieHeavy(Random rng, int rows, int cols, int k)
    {
        var edges = new (int, double)[rows][];
        int[] site = [];
        for (int r = 0; r < rows; r++)
        {
            if (r == 0 || rng.Next(4) == 0)
                site = Enumerable.Range(0, cols).OrderBy(_ => rng.Next()).Take(Math.Min(k, cols)).ToArray();
            edges[r] = site.Where(_ => rng.Next(10) != 0).Select(c => (c, (double)rng.Next(0, 12) + (rng.Next(3) == 0 ? 0.5 : 0))).ToArray();
        }
        var postpone = Enumerable.Range(0, rows).Select(_ => rng.Next(5) == 0 ? rng.Next(0, 15) : 1_000_000.0 + rng.Next(0, 30)).ToArray();
        return new AssignmentProblem(cols, edges, postpone);
    }

    private static int[] Solve(SparseAssignmentSolver solver, AssignmentProblem p)
    {
        solver.Begin(p.Rows, p.Cols, p.Edges.Sum(e => e.Length));
        for (int r = 0; r < p.Rows; r++)
        {
            foreach (var (c, cost) in p.Edges[r]) solver.AddEdge(c, cost);
            solver.EndRow(p.Postpone[r]);
        }
        solver.Solve();
        return solver.RowMatch.ToArray();
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(AssignmentProblemArbitrary)])]
    public void Small_problems_get_the_tie_rules_matching_at_the_optimal_cost(AssignmentProblem p) =>
        SameAsReferences(p, Solve(new SparseAssignmentSolver(), p));

    [Theory]
    [InlineData(1, 40, 20, 8)]
    [InlineData(2, 300, 150, 8)]
    [InlineData(3, 1_000, 500, 8)]
    [InlineData(4, 600, 200, 20)]
    [InlineData(5, 200, 400, 5)]
    public void Tie_heavy_planner_like_problems_get_the_tie_rules_matching_at_the_optimal_cost(int seed, int rows, int cols, int k)
    {
        var rng = new Random(seed);
        var solver = new SparseAssignmentSolver(); // reused: stale state must not change a choice
        for (int trial = 0; trial < 5; trial++)
        {
            var p = TieHeavy(rng, rows, cols, k);
            SameAsReferences(p, Solve(solver, p));
        }
    }

    [Fact]
    public void Of_two_free_couriers_at_the_same_cost_the_later_edge_wins_and_a_courier_beats_postponing()
    {
        // Row 0: couriers 0 and 2 at cost 5 (edge order 2, 0), courier 1 dearer: the later edge, courier 0.
        // Row 1: courier 1 at 7, postponing also 7: served now.
        var p = new AssignmentProblem(3, [[(2, 5.0), (1, 9.0), (0, 5.0)], [(1, 7.0)]], [100.0, 7.0]);
        Assert.Equal([0, 1], Solve(new SparseAssignmentSolver(), p));
    }
}
