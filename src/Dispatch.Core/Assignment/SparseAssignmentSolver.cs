using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dispatch.Assignment;

/// <summary>
/// Minimum-cost assignment of rows (bundles) to columns (couriers) over a sparse candidate set,
/// by successive shortest augmenting paths (Dijkstra on reduced costs with row and column
/// potentials, as in Jonker-Volgenant). Every row also has a private "postpone" column at a
/// caller-given cost, so every row is always matched: to a courier, or to waiting for a later tick.
/// Costs must be non-negative. All buffers are owned and reused: <see cref="Solve"/> allocates nothing.
/// <para>Ties (costs in whole minutes make equally cheap matchings common): a row's search ends at the free column
/// found last among those at the least distance (found in the order of the row's edges, then of the heap), and a
/// courier column beats a postpone column at equal distance. The MDRP planner adds a row's edges earliest-arriving
/// courier first, so an order two couriers serve equally well goes to the one arriving later (the earlier one would
/// only wait at the restaurant, and stays free), and an order that costs as much to serve now as to postpone is
/// served now.</para>
/// <para>Row s's augmentation reads only rows 0..s, so rows can be solved while a second thread is still adding
/// later ones (<see cref="SolveWhileFilling"/>): the rows are processed in the same order on the same data, so the
/// result is the one <see cref="Solve"/> gives after a complete fill, bit for bit.</para>
/// </summary>
internal sealed class SparseAssignmentSolver
{
    private int _rows, _cols, _edges;
    private int _rowBound;      // rows announced by Begin: the most that may be added
    private int _publishedRows; // rows complete (edges and postpone cost written), read across threads
    private bool _rowsEnded;    // no row will be added any more, read across threads
    private int[] _rowStart = new int[1];
    private int[] _edgeCol = [];
    private double[] _edgeCost = [];
    private double[] _postponeCost = [];

    private double[] _u = [];
    private int[] _rowMatch = [];
    private Column[] _col = [];
    private int[] _touched = [];
    private int _touchedCount;
    private HeapEntry[] _heap = [];
    private int _heapCount;
    private double _bound;      // the search's cheapest free column so far: its distance and index
    private int _boundCol;

    /// <summary>Column matched to each row; a value >= the courier column count means "postponed".</summary>
    public ReadOnlySpan<int> RowMatch => _rowMatch.AsSpan(0, _rows);

    /// <summary>Number of real (courier) columns of the last problem.</summary>
    public int RealColumns => _cols;

    /// <summary>Starts a problem of at most <paramref name="rows"/> rows over <paramref name="cols"/> columns;
    /// <paramref name="maxEdges"/> bounds the real edges.</summary>
    public void Begin(int rows, int cols, int maxEdges)
    {
        EnsureCapacity(rows, cols, maxEdges);
        _rows = 0;
        _rowBound = rows;
        _cols = cols;
        _edges = 0;
        _rowStart[0] = 0;
        _publishedRows = 0;
        _rowsEnded = false;
    }

    /// <summary>Ensures buffers for the given sizes. Called outside the tick's steady state only when sizes grow.</summary>
    public void EnsureCapacity(int rows, int cols, int maxEdges)
    {
        if (_rowStart.Length < rows + 1) Array.Resize(ref _rowStart, Math.Max(rows + 1, _rowStart.Length * 2));
        if (_postponeCost.Length < rows)
        {
            int n = Math.Max(rows, _postponeCost.Length * 2);
            Array.Resize(ref _postponeCost, n);
            Array.Resize(ref _u, n);
            Array.Resize(ref _rowMatch, n);
        }
        int allCols = cols + rows;
        if (_col.Length < allCols)
        {
            int n = Math.Max(allCols, _col.Length * 2);
            Array.Resize(ref _col, n);
            Array.Resize(ref _touched, n);
        }
        int heap = maxEdges + rows + 1;
        if (_heap.Length < heap) Array.Resize(ref _heap, Math.Max(heap, _heap.Length * 2));
        if (_edgeCol.Length < maxEdges)
        {
            int n = Math.Max(maxEdges, _edgeCol.Length * 2);
            Array.Resize(ref _edgeCol, n);
            Array.Resize(ref _edgeCost, n);
        }
    }

    /// <summary>Adds an edge of the current row (rows are built in order: edges, then <see cref="EndRow"/>).</summary>
    public void AddEdge(int col, double cost)
    {
        if ((uint)col >= (uint)_cols) ThrowOutOfRange(nameof(col));
        _edgeCol[_edges] = col;
        _edgeCost[_edges] = Sane(cost);
        _edges++;
    }

    /// <summary>Closes the current row with its postpone cost; returns its index.</summary>
    public int EndRow(double postponeCost)
    {
        if (_rows >= _rowBound) ThrowOutOfRange("rows");
        int r = _rows++;
        _postponeCost[r] = Sane(postponeCost);
        _rowStart[_rows] = _edges;
        Volatile.Write(ref _publishedRows, _rows); // releases the row's edges to a solving thread
        return r;
    }

    /// <summary>Declares the problem complete: a <see cref="SolveWhileFilling"/> on another thread finishes
    /// once it has solved the rows added so far. Called by the thread that adds the rows.</summary>
    public void EndRows() => Volatile.Write(ref _rowsEnded, true);

    /// <summary>Solves; afterwards <see cref="RowMatch"/> holds each row's column.</summary>
    public double Solve()
    {
        EndRows();
        return SolveWhileFilling();
    }

    /// <summary>Solves the rows as another thread adds them (<see cref="AddEdge"/>, <see cref="EndRow"/>), until
    /// that thread calls <see cref="EndRows"/>; the result is <see cref="Solve"/>'s. Waits by spinning and yielding:
    /// meant for a filler that keeps ahead of the solver, as costing a row's edges does.</summary>
    public double SolveWhileFilling()
    {
        int bound = _rowBound, allCols = _cols + bound;
        Array.Clear(_u, 0, bound);
        Array.Fill(_rowMatch, -1, 0, bound);
        Array.Fill(_col, new Column { V = 0, Dist = double.PositiveInfinity, Match = -1 }, 0, allCols);

        int s = 0;
        var spin = new SpinWait();
        while (true)
        {
            int ready = Volatile.Read(ref _publishedRows);
            if (s < ready)
            {
                while (s < ready) Augment(s++);
                spin.Reset();
                continue;
            }
            // Ended is read before the last count: a row published before the end is then seen.
            if (Volatile.Read(ref _rowsEnded) && Volatile.Read(ref _publishedRows) == s) break;
            spin.SpinOnce(sleep1Threshold: -1); // never Sleep(1): the filler is microseconds ahead
        }

        int rows = s;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int c = _rowMatch[r];
            total += c >= _cols ? _postponeCost[r] : EdgeCost(r, c);
        }
        return total;
    }

    private static void ThrowOutOfRange(string what) => throw new ArgumentOutOfRangeException(what, "outside the problem Begin announced");

    /// <summary>Largest cost the solver works with: larger, infinite or NaN costs are clamped so that
    /// reduced costs stay finite and every row keeps a path to its postpone column.</summary>
    private const double MaxCost = 1e15;

    private static double Sane(double cost) => cost >= 0 ? Math.Min(cost, MaxCost) : cost < 0 ? 0 : MaxCost;

    private double EdgeCost(int r, int c)
    {
        for (int e = _rowStart[r]; e < _rowStart[r + 1]; e++)
            if (_edgeCol[e] == c) return _edgeCost[e];
        return double.PositiveInfinity;
    }

    private void Augment(int s)
    {
        _touchedCount = 0;
        _heapCount = 0;
        _bound = double.PositiveInfinity;
        _boundCol = -1;
        Relax(s, 0);

        // Free columns are never pushed: reaching one only lowers the bound, the distance of the cheapest free column
        // found so far, and no column beyond the bound is pushed. Dijkstra settles in order of distance, so once the
        // heap's least key passes the bound no column left can lead to a cheaper free one, and the search ends there.
        // Row s's own postpone column is free and reached first, so the bound is finite from the start: no edge
        // dearer than postponing the row enters the heap. This is where the time goes (most rows end at a free column
        // among their own edges, most edges are dearer than it); an earlier version pushed every improving edge and
        // popped until a free column came out of the heap, 24 pushes and 7 pops per row on a 10,000-order tick.
        while (_heapCount > 0)
        {
            int j = PopMin(out double d);
            if (d > _bound) break;
            ref Column cj = ref _col[j];
            if (cj.Done || d > cj.Dist) continue;
            cj.Done = true;
            Relax(cj.Match, d);
        }

        int end = _boundCol;
        double delta = _bound;
        if (end < 0)
        {
            // Cannot happen with finite costs (the row's own postpone column is always reachable); kept
            // as a guard so that a pathological input postpones the row instead of failing the tick.
            end = _cols + s;
            ref Column ce = ref _col[end];
            delta = 0;
            ce.Pred = s;
            if (double.IsPositiveInfinity(ce.Dist)) _touched[_touchedCount++] = end;
            ce.Dist = delta;
        }

        // Potentials: rows reached get +(delta - label), finalized columns -(delta - dist). This keeps
        // every reduced cost non-negative and makes the new path's edges tight (see class comment).
        // The same pass clears the search's marks for the next row: the flip below reads only matches and predecessors.
        _u[s] += delta;
        for (int t = 0; t < _touchedCount; t++)
        {
            int j = _touched[t];
            ref Column cj = ref _col[j];
            if (cj.Done)
            {
                double slack = delta - cj.Dist;
                cj.V -= slack;
                _u[cj.Match] += slack;
            }
            cj.Done = false;
            cj.Dist = double.PositiveInfinity;
        }

        // Flip the path.
        int col = end;
        while (true)
        {
            int r = _col[col].Pred;
            int prev = _rowMatch[r];
            _rowMatch[r] = col;
            _col[col].Match = r;
            if (r == s) break;
            col = prev;
        }
    }

    private unsafe void Relax(int r, double label)
    {
        double ur = _u[r];
        int e = _rowStart[r], last = _rowStart[r + 1];
        fixed (int* cols = _edgeCol)
        fixed (double* costs = _edgeCost)
        fixed (Column* col = _col)
        {
            // The row's postpone column first: it is often the bound that keeps the dearer edges out of the heap.
            int dummy = _cols + r;
            Column* d = col + dummy;
            if (!d->Done) Consider(d, dummy, label + _postponeCost[r] - ur - d->V, r);
            if (Avx2.IsSupported && last - e >= 4)
            {
                // Four edges at a time: the candidate distances and a gathered comparison with the columns' current
                // distances and the bound pick the edges that can improve; only those take the scalar path below, which repeats
                // the exact test. Same arithmetic in the same order, so the search is the scalar one, bit for bit.
                // A column is four doubles wide: its potential and distance are gathered at 4 * index (+ 1).
                double* vBase = &col->V, distBase = &col->Dist;
                var lab = Vector256.Create(label);
                var u = Vector256.Create(ur);
                for (; e + 4 <= last; e += 4)
                {
                    var idx = Sse2.ShiftLeftLogical(Sse2.LoadVector128(cols + e), 2);
                    var nd = Avx.Subtract(Avx.Subtract(Avx.Add(lab, Avx.LoadVector256(costs + e)), u), Avx2.GatherVector256(vBase, idx, 8));
                    // Within the bound too: an edge beyond it cannot end the search nor be pushed.
                    var within = Avx.CompareLessThanOrEqual(nd, Vector256.Create(_bound));
                    int improves = Avx.MoveMask(Avx.And(within, Avx.CompareLessThan(nd, Avx2.GatherVector256(distBase, idx, 8))));
                    while (improves != 0)
                    {
                        int lane = BitOperations.TrailingZeroCount(improves);
                        improves &= improves - 1;
                        int j = cols[e + lane];
                        Column* c = col + j;
                        if (c->Done) continue;
                        Consider(c, j, label + costs[e + lane] - ur - c->V, r);
                    }
                }
            }
            for (; e < last; e++)
            {
                int j = cols[e];
                Column* c = col + j;
                if (c->Done) continue;
                Consider(c, j, label + costs[e] - ur - c->V, r);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void Consider(Column* c, int j, double nd, int r)
    {
        if (nd < 0) nd = 0; // guards rounding: reduced costs are >= 0 in exact arithmetic
        if (nd >= c->Dist) return;
        if (c->Match < 0)
        {
            // A free column: the search's end if it is the cheapest; at equal distance the later one, and a courier
            // before a postpone column (see the class comment).
            if (nd < _bound || (nd == _bound && (j < _cols || _boundCol >= _cols)))
            {
                if (double.IsPositiveInfinity(c->Dist)) _touched[_touchedCount++] = j;
                c->Dist = nd;
                c->Pred = r;
                _bound = nd;
                _boundCol = j;
            }
        }
        else if (nd <= _bound) // at the bound still: a path through it may end at a free column the tie rule prefers
        {
            if (double.IsPositiveInfinity(c->Dist)) _touched[_touchedCount++] = j;
            c->Dist = nd;
            c->Pred = r;
            Push(j, nd);
        }
    }

    /// <summary>A column's state in one 32-byte record (potential, search distance, matched row, search predecessor,
    /// settled flag): the search touches all of them for a column at once, so one cache line serves instead of five.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 32)]
    private struct Column
    {
        public double V;
        public double Dist;
        public int Match;
        public int Pred;
        public bool Done;
    }

    /// <summary>A heap entry: key and column side by side, so a step of a sift reads one cache line, not two arrays.</summary>
    private struct HeapEntry
    {
        public double Key;
        public int Col;
    }

    // A plain binary heap with lazy deletion (a column may be in it more than once: the stale entries are skipped).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Push(int col, double key)
    {
        if (_heapCount == _heap.Length)
        {
            // Lazy deletion can exceed the estimate; growing here is rare and bounded by doubling.
            Array.Resize(ref _heap, _heap.Length * 2);
        }
        ref HeapEntry h = ref MemoryMarshal.GetArrayDataReference(_heap);
        int i = _heapCount++;
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            ref HeapEntry parent = ref Unsafe.Add(ref h, p);
            if (parent.Key <= key) break;
            Unsafe.Add(ref h, i) = parent;
            i = p;
        }
        ref HeapEntry slot = ref Unsafe.Add(ref h, i);
        slot.Key = key;
        slot.Col = col;
    }

    private int PopMin(out double key)
    {
        ref HeapEntry h = ref MemoryMarshal.GetArrayDataReference(_heap);
        int top = h.Col;
        key = h.Key;
        int n = --_heapCount;
        if (n > 0)
        {
            HeapEntry last = Unsafe.Add(ref h, n);
            // The vacated slot as a sentinel: a left child at n - 1 then meets an infinite right one and is taken, as the
            // bounds test did, and the choice between the children needs no branch.
            Unsafe.Add(ref h, n).Key = double.PositiveInfinity;
            int i = 0;
            while (true)
            {
                int l = 2 * i + 1;
                if (l >= n) break;
                bool right = Unsafe.Add(ref h, l + 1).Key < Unsafe.Add(ref h, l).Key;
                int m = l + Unsafe.As<bool, byte>(ref right);
                ref HeapEntry child = ref Unsafe.Add(ref h, m);
                if (child.Key >= last.Key) break;
                Unsafe.Add(ref h, i) = child;
                i = m;
            }
            Unsafe.Add(ref h, i) = last;
        }
        return top;
    }
}
