using Dispatch.Travel;

namespace Dispatch.Spatial;

/// <summary>
/// A uniform grid over the points where candidate couriers become free, rebuilt each tick by a
/// counting sort into reused arrays (a grid beats a tree for points in a city, and rebuilding it is
/// O(n)). Queries return the k couriers that can reach a site earliest, searching rings of cells
/// outward and stopping once no farther ring can beat the k-th best.
/// </summary>
internal sealed class CourierGrid
{
    private int _n, _nx, _ny;
    private double _minX, _minY, _cell;
    private int[] _cellStart = new int[2];
    private int[] _items = [];
    private int[] _cellOf = [];

    private double[] _x = [], _y = [], _avail = [];

    /// <summary>Sizes the grid's arrays for <paramref name="n"/> couriers, outside the tick, so that
    /// <see cref="Build"/> does not grow them (except for very elongated layouts).</summary>
    public void EnsureCapacity(int n)
    {
        if (_items.Length < n) { _items = new int[n]; _cellOf = new int[n]; }
        int cells = n + 2 * (int)Math.Ceiling(Math.Sqrt(n)) + 2;
        if (_cellStart.Length < cells) _cellStart = new int[cells];
    }

    /// <summary>Builds the grid over <paramref name="n"/> points (slot i at x[i], y[i], free at avail[i]).</summary>
    public void Build(double[] x, double[] y, double[] avail, int n)
    {
        _x = x; _y = y; _avail = avail; _n = n;
        if (_items.Length < n) { _items = new int[Math.Max(n, _items.Length * 2)]; _cellOf = new int[_items.Length]; }
        if (n == 0) { _nx = _ny = 0; return; }
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        for (int i = 0; i < n; i++)
        {
            double px = x[i], py = y[i];
            if (px < minX) minX = px;
            if (px > maxX) maxX = px;
            if (py < minY) minY = py;
            if (py > maxY) maxY = py;
        }
        double w = Math.Max(maxX - minX, 1e-9), h = Math.Max(maxY - minY, 1e-9);
        // About two couriers per cell.
        double cells = Math.Max(1, n / 2.0);
        double cell = Math.Sqrt(w * h / cells);
        if (!(cell > 0)) cell = Math.Max(w, h);
        int nx = Math.Clamp((int)(w / cell) + 1, 1, 1024), ny = Math.Clamp((int)(h / cell) + 1, 1, 1024);
        cell = Math.Max(w / nx, h / ny) * 1.000001;
        nx = Math.Clamp((int)(w / cell) + 1, 1, 1024);
        ny = Math.Clamp((int)(h / cell) + 1, 1, 1024);
        _nx = nx; _ny = ny; _minX = minX; _minY = minY; _cell = cell;
        int total = nx * ny;
        if (_cellStart.Length < total + 1) _cellStart = new int[Math.Max(total + 1, _cellStart.Length * 2)];
        Array.Clear(_cellStart, 0, total + 1);
        for (int i = 0; i < n; i++)
        {
            int c = CellIndex(x[i], y[i]);
            _cellOf[i] = c;
            _cellStart[c + 1]++;
        }
        for (int c = 0; c < total; c++) _cellStart[c + 1] += _cellStart[c];
        // Place items; use a running cursor per cell stored temporarily in the start array shifted by one.
        for (int i = 0; i < n; i++)
        {
            int c = _cellOf[i];
            _items[_cellStart[c]++] = i;
        }
        for (int c = total; c > 0; c--) _cellStart[c] = _cellStart[c - 1];
        _cellStart[0] = 0;
    }

    /// <summary>The slots of the last <see cref="Build"/> by cell (rows of cells, then columns; by slot within a cell):
    /// points near each other are mostly near each other here too.</summary>
    public ReadOnlySpan<int> InCellOrder => _items.AsSpan(0, _n);

    /// <summary>The cell of the last <see cref="Build"/> that holds (px, py), clamped to the grid (0 for an empty grid):
    /// with <see cref="InCellOrder"/>, a way to put other points (sites) in the same order as the couriers.</summary>
    public int CellOf(double px, double py) => _nx == 0 ? 0 : CellIndex(px, py);

    private int CellIndex(double px, double py)
    {
        int cx = Math.Clamp((int)((px - _minX) / _cell), 0, _nx - 1);
        int cy = Math.Clamp((int)((py - _minY) / _cell), 0, _ny - 1);
        return cy * _nx + cx;
    }

    /// <summary>
    /// Writes up to k slots with the earliest arrival at (sx, sy) into <paramref name="slots"/> and
    /// their arrival times into <paramref name="arrivals"/>, sorted by arrival. Returns how many.
    /// </summary>
    public int Nearest<TTravel>(ref TTravel travel, double sx, double sy, double now, int k, Span<int> slots, Span<double> arrivals)
        where TTravel : struct, ITravelTime
    {
        if (_n == 0) return 0;
        int found = 0;
        int cx = Math.Clamp((int)((sx - _minX) / _cell), 0, _nx - 1);
        int cy = Math.Clamp((int)((sy - _minY) / _cell), 0, _ny - 1);
        int maxRing = Math.Max(Math.Max(cx, _nx - 1 - cx), Math.Max(cy, _ny - 1 - cy));
        for (int r = 0; r <= maxRing; r++)
        {
            if (found == k && r >= 2)
            {
                // Every point in ring r is at least (r - 1) cells away along x or y.
                double lb = travel.Minutes(sx, sy, sx + (r - 1) * _cell, sy);
                if (now + lb >= arrivals[k - 1]) break;
            }
            int x0 = cx - r, x1 = cx + r, y0 = cy - r, y1 = cy + r;
            for (int gy = Math.Max(y0, 0); gy <= Math.Min(y1, _ny - 1); gy++)
            {
                bool edgeRow = gy == y0 || gy == y1;
                int step = edgeRow ? 1 : Math.Max(1, x1 - x0);
                for (int gx = x0; gx <= x1; gx += step)
                {
                    if (gx < 0 || gx >= _nx) continue;
                    int c = gy * _nx + gx;
                    for (int t = _cellStart[c]; t < _cellStart[c + 1]; t++)
                    {
                        int i = _items[t];
                        double arr = _avail[i] + travel.Minutes(_x[i], _y[i], sx, sy);
                        if (found < k)
                        {
                            int p = found++;
                            while (p > 0 && arrivals[p - 1] > arr) { arrivals[p] = arrivals[p - 1]; slots[p] = slots[p - 1]; p--; }
                            arrivals[p] = arr; slots[p] = i;
                        }
                        else if (arr < arrivals[k - 1])
                        {
                            int p = k - 1;
                            while (p > 0 && arrivals[p - 1] > arr) { arrivals[p] = arrivals[p - 1]; slots[p] = slots[p - 1]; p--; }
                            arrivals[p] = arr; slots[p] = i;
                        }
                    }
                }
            }
        }
        return found;
    }
}
