namespace Dispatch.Assignment;

/// <summary>
/// Minimum-cost assignment of rows (bundles) to columns (couriers) over a sparse candidate set,
/// by successive shortest augmenting paths (Dijkstra on reduced costs with row and column
/// potentials, as in Jonker-Volgenant). Every row also has a private "postpone" column at a
/// caller-given cost, so every row is always matched: to a courier, or to waiting for a later tick.
/// Costs must be non-negative. All buffers are owned and reused: <see cref="Solve"/> allocates nothing.
/// </summary>
internal sealed class SparseAssignmentSolver
{
    private int _rows, _cols, _edges;
    private int[] _rowStart = new int[1];
    private int[] _edgeCol = [];
    private double[] _edgeCost = [];
    private double[] _postponeCost = [];

    private double[] _u = [], _v = [], _dist = [];
    private int[] _rowMatch = [], _colMatch = [], _pred = [];
    private bool[] _done = [];
    private int[] _touched = [];
    private int _touchedCount;
    private int[] _heapCol = [];
    private double[] _heapKey = [];
    private int _heapCount;

    /// <summary>Column matched to each row; a value >= the courier column count means "postponed".</summary>
    public ReadOnlySpan<int> RowMatch => _rowMatch.AsSpan(0, _rows);

    /// <summary>Number of real (courier) columns of the last problem.</summary>
    public int RealColumns => _cols;

    /// <summary>Starts a problem with the given counts; <paramref name="maxEdges"/> bounds the real edges.</summary>
    public void Begin(int rows, int cols, int maxEdges)
    {
        EnsureCapacity(rows, cols, maxEdges);
        _rows = 0;
        _cols = cols;
        _edges = 0;
        _rowStart[0] = 0;
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
        if (_v.Length < allCols)
        {
            int n = Math.Max(allCols, _v.Length * 2);
            Array.Resize(ref _v, n);
            Array.Resize(ref _dist, n);
            Array.Resize(ref _colMatch, n);
            Array.Resize(ref _pred, n);
            Array.Resize(ref _done, n);
            Array.Resize(ref _touched, n);
        }
        int heap = maxEdges + rows + 1;
        if (_heapCol.Length < heap)
        {
            int n = Math.Max(heap, _heapCol.Length * 2);
            Array.Resize(ref _heapCol, n);
            Array.Resize(ref _heapKey, n);
        }
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
        _edgeCol[_edges] = col;
        _edgeCost[_edges] = Sane(cost);
        _edges++;
    }

    /// <summary>Closes the current row with its postpone cost; returns its index.</summary>
    public int EndRow(double postponeCost)
    {
        int r = _rows++;
        _postponeCost[r] = Sane(postponeCost);
        _rowStart[_rows] = _edges;
        return r;
    }

    /// <summary>Solves; afterwards <see cref="RowMatch"/> holds each row's column.</summary>
    public double Solve()
    {
        int rows = _rows, allCols = _cols + rows;
        Array.Clear(_u, 0, rows);
        Array.Clear(_v, 0, allCols);
        Array.Fill(_rowMatch, -1, 0, rows);
        Array.Fill(_colMatch, -1, 0, allCols);
        Array.Fill(_dist, double.PositiveInfinity, 0, allCols);

        for (int s = 0; s < rows; s++) Augment(s);

        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int c = _rowMatch[r];
            total += c >= _cols ? _postponeCost[r] : EdgeCost(r, c);
        }
        return total;
    }

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
        Relax(s, 0);

        int end = -1;
        double delta = 0;
        while (_heapCount > 0)
        {
            int j = PopMin(out double d);
            if (_done[j] || d > _dist[j]) continue;
            _done[j] = true;
            if (_colMatch[j] < 0) { end = j; delta = d; break; }
            Relax(_colMatch[j], d);
        }

        if (end < 0)
        {
            // Cannot happen with finite costs (the row's own postpone column is always reachable); kept
            // as a guard so that a pathological input postpones the row instead of failing the tick.
            end = _cols + s;
            delta = _dist[end];
            if (!double.IsFinite(delta)) delta = 0;
            _pred[end] = s;
            if (double.IsPositiveInfinity(_dist[end])) _touched[_touchedCount++] = end;
            _dist[end] = delta;
            _done[end] = true;
        }

        // Potentials: rows reached get +(delta - label), finalized columns -(delta - dist). This keeps
        // every reduced cost non-negative and makes the new path's edges tight (see class comment).
        _u[s] += delta;
        for (int t = 0; t < _touchedCount; t++)
        {
            int j = _touched[t];
            if (_done[j] && j != end)
            {
                double slack = delta - _dist[j];
                _v[j] -= slack;
                _u[_colMatch[j]] += slack;
            }
        }

        // Flip the path.
        int col = end;
        while (true)
        {
            int r = _pred[col];
            int prev = _rowMatch[r];
            _rowMatch[r] = col;
            _colMatch[col] = r;
            if (r == s) break;
            col = prev;
        }

        for (int t = 0; t < _touchedCount; t++)
        {
            int j = _touched[t];
            _done[j] = false;
            _dist[j] = double.PositiveInfinity;
        }
    }

    private void Relax(int r, double label)
    {
        double ur = _u[r];
        for (int e = _rowStart[r]; e < _rowStart[r + 1]; e++)
        {
            int j = _edgeCol[e];
            if (_done[j]) continue;
            double nd = label + _edgeCost[e] - ur - _v[j];
            Consider(j, nd, r);
        }
        int dummy = _cols + r;
        if (!_done[dummy]) Consider(dummy, label + _postponeCost[r] - ur - _v[dummy], r);
    }

    private void Consider(int j, double nd, int r)
    {
        if (nd < 0) nd = 0; // guards rounding: reduced costs are >= 0 in exact arithmetic
        if (nd < _dist[j])
        {
            if (double.IsPositiveInfinity(_dist[j])) _touched[_touchedCount++] = j;
            _dist[j] = nd;
            _pred[j] = r;
            Push(j, nd);
        }
    }

    private void Push(int col, double key)
    {
        if (_heapCount == _heapCol.Length)
        {
            // Lazy deletion can exceed the estimate; growing here is rare and bounded by doubling.
            Array.Resize(ref _heapCol, _heapCol.Length * 2);
            Array.Resize(ref _heapKey, _heapKey.Length * 2);
        }
        int i = _heapCount++;
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            if (_heapKey[p] <= key) break;
            _heapCol[i] = _heapCol[p];
            _heapKey[i] = _heapKey[p];
            i = p;
        }
        _heapCol[i] = col;
        _heapKey[i] = key;
    }

    private int PopMin(out double key)
    {
        int top = _heapCol[0];
        key = _heapKey[0];
        int n = --_heapCount;
        if (n > 0)
        {
            int lastCol = _heapCol[n];
            double lastKey = _heapKey[n];
            int i = 0;
            while (true)
            {
                int l = 2 * i + 1;
                if (l >= n) break;
                int r = l + 1;
                int m = r < n && _heapKey[r] < _heapKey[l] ? r : l;
                if (_heapKey[m] >= lastKey) break;
                _heapCol[i] = _heapCol[m];
                _heapKey[i] = _heapKey[m];
                i = m;
            }
            _heapCol[i] = lastCol;
            _heapKey[i] = lastKey;
        }
        return top;
    }
}
