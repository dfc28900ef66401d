using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;

namespace Dispatch.Traffic;

/// <summary>
/// The traffic picture: congestion zones with time windows, road closures, and a citywide factor
/// (rain). Queries never touch geometry: when the picture changes (<see cref="Update"/> finds that
/// the set of active zones, closures or the citywide factor changed) the model rasterises it into
/// a grid of slowness (1 / speed factor) and closure flags, using an STRtree over the zones and
/// prepared geometries; a query then walks the cells its straight leg crosses. That walk is the
/// documented approximation: travel time = base time x length-weighted mean slowness of the cells
/// crossed + a detour penalty per closure crossed. Queries allocate nothing.
/// <para>
/// The picture ahead: definitions are announced with their windows, so the model also rasterises the pictures of the
/// next few times the active set will change (<see cref="AheadPictures"/> of them, each from its start until the next),
/// and <see cref="MeanSlownessAt"/> answers a leg that starts then. A promise made before the rain or a jam knows the
/// drives after its onset are in it.
/// </para>
/// </summary>
public sealed class TrafficModel
{
    private readonly List<CongestionZone> _zones = new();
    private readonly List<RoadClosure> _closures = new();
    private readonly List<(double Factor, double From, double To)> _citywide = new();
    // Each definition's sequence number in the order added: the active set's signature names definitions by it,
    // so forgetting ended ones (RemoveEnded) does not change the signature of those still there.
    private readonly List<ulong> _zoneSeq = new(), _closureSeq = new(), _citywideSeq = new();
    private ulong _nextSeq;
    private readonly double _minX, _minY, _cell;
    private readonly int _nx, _ny;
    private readonly float[] _slowness;
    private readonly bool[] _closed;
    private ulong _activeSignature = ulong.MaxValue;
    private bool _dirty = true;
    private double _citySlowness = 1;

    /// <summary>Pictures rasterised ahead: the next times the active set changes after the last update.</summary>
    public const int AheadPictures = 4;
    private readonly double[] _aheadFrom = new double[AheadPictures];
    private readonly double[] _aheadCity = new double[AheadPictures];
    private readonly ulong[] _aheadSet = new ulong[AheadPictures]; // the active set each picture was rasterised for
    private float[][]? _aheadSlowness; // allocated when a change is first announced: a model without one pays nothing
    private bool[][]? _aheadClosed;
    private int _aheadCount;
    private ulong _aheadSignature = ulong.MaxValue;

    /// <summary>Creates a model over a bounding box, rasterised in square cells of <paramref name="cellSize"/>.</summary>
    public TrafficModel(double minX, double minY, double maxX, double maxY, double cellSize, double closureDetourMinutes = 10)
    {
        if (!double.IsFinite(minX) || !double.IsFinite(minY) || !double.IsFinite(maxX) || !double.IsFinite(maxY) || maxX <= minX || maxY <= minY)
            throw new ArgumentException($"bounding box ({minX}, {minY})-({maxX}, {maxY}) must be finite and non-empty");
        if (!(cellSize > 0) || !double.IsFinite(cellSize)) throw new ArgumentOutOfRangeException(nameof(cellSize), cellSize, "cell size must be positive");
        if (!(closureDetourMinutes >= 0) || !double.IsFinite(closureDetourMinutes)) throw new ArgumentOutOfRangeException(nameof(closureDetourMinutes), closureDetourMinutes, "detour must be >= 0");
        _minX = minX; _minY = minY; _cell = cellSize;
        _nx = Math.Max(1, (int)Math.Ceiling((maxX - minX) / cellSize));
        _ny = Math.Max(1, (int)Math.Ceiling((maxY - minY) / cellSize));
        if ((long)_nx * _ny > 4_000_000) throw new ArgumentOutOfRangeException(nameof(cellSize), cellSize, $"grid of {_nx} x {_ny} cells is too fine; use larger cells");
        _slowness = new float[_nx * _ny];
        _closed = new bool[_nx * _ny];
        Array.Fill(_slowness, 1f);
        ClosureDetourMinutes = closureDetourMinutes;
    }

    /// <summary>Minutes added per closure crossed by a leg.</summary>
    public double ClosureDetourMinutes { get; }

    /// <summary>Zones added so far.</summary>
    public IReadOnlyList<CongestionZone> Zones => _zones;

    /// <summary>Closures added so far.</summary>
    public IReadOnlyList<RoadClosure> Closures => _closures;

    /// <summary>Number of picture changes applied; callers re-plan when it moves.</summary>
    public int Version { get; private set; }

    /// <summary>Adds a congestion zone (applies from the next <see cref="Update"/>).</summary>
    public void AddZone(CongestionZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(zone.Area);
        if (!(zone.SpeedFactor > 0 && zone.SpeedFactor <= 4)) throw new ArgumentOutOfRangeException(nameof(zone), zone.SpeedFactor, $"zone '{zone.Name}': speed factor must be in (0, 4]");
        CheckWindow(zone.From, zone.To, zone.Name);
        if (zone.Area is not (Polygon or MultiPolygon)) throw new ArgumentException($"zone '{zone.Name}': area must be a polygon, got {zone.Area.GeometryType}");
        if (!zone.Area.IsValid) throw new ArgumentException($"zone '{zone.Name}': polygon is not valid");
        _zones.Add(zone);
        _zoneSeq.Add(++_nextSeq);
        _dirty = true;
    }

    /// <summary>Adds a road closure (applies from the next <see cref="Update"/>).</summary>
    public void AddClosure(RoadClosure closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        ArgumentNullException.ThrowIfNull(closure.Where);
        CheckWindow(closure.From, closure.To, closure.Name);
        if (closure.Where.IsEmpty) throw new ArgumentException($"closure '{closure.Name}': geometry is empty");
        _closures.Add(closure);
        _closureSeq.Add(++_nextSeq);
        _dirty = true;
    }

    /// <summary>Sets a citywide speed factor for a window (rain: e.g. 0.7). Overlapping windows multiply.</summary>
    public void AddCitywideFactor(double factor, double from, double to)
    {
        if (!(factor > 0 && factor <= 4)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "citywide speed factor must be in (0, 4]");
        CheckWindow(from, to, "citywide");
        _citywide.Add((factor, from, to));
        _citywideSeq.Add(++_nextSeq);
        _dirty = true;
    }

    private static void CheckWindow(double from, double to, string name)
    {
        if (double.IsNaN(from) || double.IsNaN(to) || double.IsInfinity(from) || to <= from)
            throw new ArgumentOutOfRangeException(nameof(from), $"'{name}': window [{from}, {to}) must be finite at its start and non-empty");
    }

    /// <summary>The time from which a leg may take other minutes than in the picture now: the next change of the
    /// active set announced (after the last <see cref="Update"/>); +infinity when none is.</summary>
    public double ChangesFrom => _aheadCount > 0 ? _aheadFrom[0] : double.PositiveInfinity;

    /// <summary>
    /// Brings the grid to time <paramref name="now"/>. Returns true when the picture changed (a zone,
    /// closure or citywide factor started or ended, or one was added): travel times changed, re-plan.
    /// </summary>
    public bool Update(double now)
    {
        // The active definitions by sequence number: the same set gives the same signature.
        ulong sig = SignatureAt(now);
        UpdateAhead(now);
        if (!_dirty && sig == _activeSignature) return false;
        _dirty = false;
        _activeSignature = sig;
        Rebuild(now, _slowness, _closed, out _citySlowness);
        Version++;
        return true;
    }

    /// <summary>The active set at <paramref name="t"/>, by sequence numbers (as <see cref="Update"/> signs it).</summary>
    private ulong SignatureAt(double t)
    {
        ulong sig = 14695981039346656037UL;
        for (int i = 0; i < _zones.Count; i++) if (_zones[i].From <= t && t < _zones[i].To) sig = Mix(sig, _zoneSeq[i]);
        for (int i = 0; i < _closures.Count; i++) if (_closures[i].From <= t && t < _closures[i].To) sig = Mix(sig, _closureSeq[i]);
        for (int i = 0; i < _citywide.Count; i++) if (_citywide[i].From <= t && t < _citywide[i].To) sig = Mix(sig, _citywideSeq[i]);
        return sig;
    }

    /// <summary>
    /// Brings the pictures ahead to time <paramref name="now"/>: the first <see cref="AheadPictures"/> times after it at
    /// which a window starts or ends, each rasterised as the picture from then on. A picture already rasterised for the
    /// same time and active set is kept (as the times move forward, the list shifts), so each change is rasterised
    /// once; when nothing changed this is a scan of the definitions, allocating nothing.
    /// </summary>
    private void UpdateAhead(double now)
    {
        Span<double> times = stackalloc double[AheadPictures];
        int n = 0;
        for (int i = 0; i < _zones.Count; i++) { Boundary(times, ref n, now, _zones[i].From); Boundary(times, ref n, now, _zones[i].To); }
        for (int i = 0; i < _closures.Count; i++) { Boundary(times, ref n, now, _closures[i].From); Boundary(times, ref n, now, _closures[i].To); }
        for (int i = 0; i < _citywide.Count; i++) { Boundary(times, ref n, now, _citywide[i].From); Boundary(times, ref n, now, _citywide[i].To); }
        ulong sig = Mix(14695981039346656037UL, (ulong)n);
        for (int k = 0; k < n; k++) sig = Mix(Mix(sig, (ulong)BitConverter.DoubleToInt64Bits(times[k])), SignatureAt(times[k]));
        // The times and the set active at each: a definition added that changes neither changes no picture ahead.
        if (sig == _aheadSignature) return;
        _aheadSignature = sig;
        if (n > 0 && _aheadSlowness is null)
        {
            _aheadSlowness = new float[AheadPictures][];
            _aheadClosed = new bool[AheadPictures][];
            for (int k = 0; k < AheadPictures; k++) { _aheadSlowness[k] = new float[_nx * _ny]; _aheadClosed[k] = new bool[_nx * _ny]; }
        }
        int old = _aheadCount;
        for (int k = 0; k < n; k++)
        {
            ulong set = SignatureAt(times[k]);
            int j = k;
            while (j < old && !(_aheadFrom[j] == times[k] && _aheadSet[j] == set)) j++;
            if (j < old)
            {
                if (j != k) Swap(k, j); // slot k's picture moves to j, still unused there or rebuilt later
                continue;
            }
            _aheadFrom[k] = times[k];
            _aheadSet[k] = set;
            Rebuild(times[k], _aheadSlowness![k], _aheadClosed![k], out _aheadCity[k]);
        }
        _aheadCount = n;
    }

    private void Swap(int a, int b)
    {
        (_aheadFrom[a], _aheadFrom[b]) = (_aheadFrom[b], _aheadFrom[a]);
        (_aheadCity[a], _aheadCity[b]) = (_aheadCity[b], _aheadCity[a]);
        (_aheadSet[a], _aheadSet[b]) = (_aheadSet[b], _aheadSet[a]);
        (_aheadSlowness![a], _aheadSlowness[b]) = (_aheadSlowness[b], _aheadSlowness[a]);
        (_aheadClosed![a], _aheadClosed[b]) = (_aheadClosed[b], _aheadClosed[a]);
    }

    /// <summary>Keeps in <paramref name="times"/> (ascending, distinct) the earliest boundaries after <paramref name="now"/>.</summary>
    private static void Boundary(Span<double> times, ref int n, double now, double t)
    {
        if (!(t > now) || double.IsPositiveInfinity(t)) return;
        int at = 0;
        while (at < n && times[at] < t) at++;
        if (at < n && times[at] == t) return;
        if (at >= times.Length) return;
        int last = Math.Min(n, times.Length - 1);
        for (int j = last; j > at; j--) times[j] = times[j - 1];
        times[at] = t;
        if (n < times.Length) n++;
    }

    private static ulong Mix(ulong h, ulong v) => (h ^ v) * 1099511628211UL;

    /// <summary>
    /// Forgets the zones, closures and citywide factors whose window ended at or before <paramref name="now"/>: for a
    /// model only ever moved forward in time they can never apply again, so a picture fed events for months holds
    /// only those still to come or under way. Changes no travel time: the next <see cref="Update"/> at
    /// <paramref name="now"/> or later sees the same active set as it would have. Returns how many were forgotten;
    /// allocates nothing.
    /// </summary>
    public int RemoveEnded(double now)
    {
        int removed = 0;
        // Back to front, so removing one moves none still to visit; the lists are short (what is under way or to come).
        for (int i = _zones.Count - 1; i >= 0; i--)
            if (_zones[i].To <= now) { _zones.RemoveAt(i); _zoneSeq.RemoveAt(i); removed++; }
        for (int i = _closures.Count - 1; i >= 0; i--)
            if (_closures[i].To <= now) { _closures.RemoveAt(i); _closureSeq.RemoveAt(i); removed++; }
        for (int i = _citywide.Count - 1; i >= 0; i--)
            if (_citywide[i].To <= now) { _citywide.RemoveAt(i); _citywideSeq.RemoveAt(i); removed++; }
        return removed;
    }

    /// <summary>Rasterises the picture at <paramref name="now"/> into <paramref name="slownessGrid"/> and
    /// <paramref name="closedGrid"/>, with its citywide slowness.</summary>
    private void Rebuild(double now, float[] slownessGrid, bool[] closedGrid, out double citySlowness)
    {
        double city = 1;
        foreach (var (f, from, to) in _citywide) if (from <= now && now < to) city *= f;
        citySlowness = 1.0 / city;
        Array.Fill(slownessGrid, (float)citySlowness);
        Array.Clear(closedGrid);

        var tree = new STRtree<(IPreparedGeometry Geom, double Factor)>();
        int active = 0;
        foreach (var z in _zones)
        {
            if (!(z.From <= now && now < z.To)) continue;
            tree.Insert(z.Area.EnvelopeInternal, (PreparedGeometryFactory.Prepare(z.Area), z.SpeedFactor));
            active++;
        }
        var factory = new GeometryFactory();
        if (active > 0)
        {
            tree.Build();
            for (int cy = 0; cy < _ny; cy++)
            {
                for (int cx = 0; cx < _nx; cx++)
                {
                    double x = _minX + (cx + 0.5) * _cell, y = _minY + (cy + 0.5) * _cell;
                    var center = factory.CreatePoint(new Coordinate(x, y));
                    double factor = double.NaN;
                    // Overlapping zones: the slowest one wins.
                    foreach (var (geom, f) in tree.Query(center.EnvelopeInternal))
                        if ((double.IsNaN(factor) || f < factor) && geom.Contains(center)) factor = f;
                    if (!double.IsNaN(factor)) slownessGrid[cy * _nx + cx] = (float)(citySlowness / factor);
                }
            }
        }
        foreach (var c in _closures)
        {
            if (!(c.From <= now && now < c.To)) continue;
            var prepared = PreparedGeometryFactory.Prepare(c.Where);
            var env = c.Where.EnvelopeInternal;
            int x0 = CellX(env.MinX), x1 = CellX(env.MaxX), y0 = CellY(env.MinY), y1 = CellY(env.MaxY);
            for (int cy = y0; cy <= y1; cy++)
                for (int cx = x0; cx <= x1; cx++)
                {
                    var box = factory.ToGeometry(new Envelope(_minX + cx * _cell, _minX + (cx + 1) * _cell, _minY + cy * _cell, _minY + (cy + 1) * _cell));
                    if (prepared.Intersects(box)) closedGrid[cy * _nx + cx] = true;
                }
        }
    }

    private int CellX(double x) => Math.Clamp((int)Math.Floor((x - _minX) / _cell), 0, _nx - 1);
    private int CellY(double y) => Math.Clamp((int)Math.Floor((y - _minY) / _cell), 0, _ny - 1);

    /// <summary>Speed factor at a point now (after the last <see cref="Update"/>): 1 normal, 0.5 half speed.</summary>
    public double SpeedFactorAt(double x, double y)
    {
        if (x < _minX || y < _minY || x >= _minX + _nx * _cell || y >= _minY + _ny * _cell) return 1.0 / _citySlowness;
        return 1.0 / _slowness[CellY(y) * _nx + CellX(x)];
    }

    /// <summary>
    /// Walks the cells the straight leg from (x1, y1) to (x2, y2) crosses (Amanatides-Woo traversal):
    /// returns the length-weighted mean slowness and, in <paramref name="closuresCrossed"/>, how many runs
    /// of closed cells it enters. Outside the grid the citywide factor applies. Allocates nothing.
    /// </summary>
    public double MeanSlowness(double x1, double y1, double x2, double y2, out int closuresCrossed) =>
        MeanSlowness(_slowness, _closed, _citySlowness, x1, y1, x2, y2, out closuresCrossed);

    /// <summary>
    /// As <see cref="MeanSlowness(double, double, double, double, out int)"/>, for a leg that starts at
    /// <paramref name="at"/>: in the picture of the latest announced change at or before it (see
    /// <see cref="AheadPictures"/>; past the last one rasterised, that one), the picture now before
    /// <see cref="ChangesFrom"/>. Allocates nothing.
    /// </summary>
    public double MeanSlownessAt(double at, double x1, double y1, double x2, double y2, out int closuresCrossed)
    {
        int k = _aheadCount - 1;
        while (k >= 0 && _aheadFrom[k] > at) k--;
        return k < 0 ? MeanSlowness(x1, y1, x2, y2, out closuresCrossed)
            : MeanSlowness(_aheadSlowness![k], _aheadClosed![k], _aheadCity[k], x1, y1, x2, y2, out closuresCrossed);
    }

    private double MeanSlowness(float[] slownessGrid, bool[] closedGrid, double citySlowness, double x1, double y1, double x2, double y2, out int closuresCrossed)
    {
        closuresCrossed = 0;
        double dx = x2 - x1, dy = y2 - y1;
        double len = Math.Sqrt(dx * dx + dy * dy);
        double maxX = _minX + _nx * _cell, maxY = _minY + _ny * _cell;
        if (len == 0)
        {
            if (x1 < _minX || y1 < _minY || x1 >= maxX || y1 >= maxY) return citySlowness;
            return slownessGrid[CellY(y1) * _nx + CellX(x1)];
        }
        // Clip the leg to the grid (Liang-Barsky); the parts outside run at the citywide factor.
        double t0 = 0, t1 = 1;
        if (!Clip(-dx, x1 - _minX, ref t0, ref t1) || !Clip(dx, maxX - x1, ref t0, ref t1) ||
            !Clip(-dy, y1 - _minY, ref t0, ref t1) || !Clip(dy, maxY - y1, ref t0, ref t1))
            return citySlowness;
        double outside = (1 - (t1 - t0)) * citySlowness;

        double sx = x1 + t0 * dx, sy = y1 + t0 * dy;
        int cx = CellX(sx), cy = CellY(sy);
        int stepX = dx > 0 ? 1 : dx < 0 ? -1 : 0, stepY = dy > 0 ? 1 : dy < 0 ? -1 : 0;
        // Parametric distance (in units of the whole leg) to the next vertical / horizontal cell border.
        double tMaxX = stepX == 0 ? double.PositiveInfinity : ((_minX + (cx + (stepX > 0 ? 1 : 0)) * _cell) - x1) / dx;
        double tMaxY = stepY == 0 ? double.PositiveInfinity : ((_minY + (cy + (stepY > 0 ? 1 : 0)) * _cell) - y1) / dy;
        double tDeltaX = stepX == 0 ? double.PositiveInfinity : _cell / Math.Abs(dx);
        double tDeltaY = stepY == 0 ? double.PositiveInfinity : _cell / Math.Abs(dy);
        double t = t0, acc = 0;
        bool inClosed = false;
        int guard = _nx + _ny + 4;
        while (t < t1 && guard-- > 0)
        {
            double next = Math.Min(Math.Min(tMaxX, tMaxY), t1);
            int idx = cy * _nx + cx;
            double span = next - t;
            acc += span * slownessGrid[idx];
            // A cell the leg only touches (zero length, at a corner) neither slows it nor closes it.
            if (span > 1e-12)
            {
                bool closed = closedGrid[idx];
                if (closed && !inClosed) closuresCrossed++;
                inClosed = closed;
            }
            t = next;
            if (t >= t1) break;
            // Through an exact corner, step both axes at once rather than visiting a side cell.
            if (tMaxX < tMaxY) { cx += stepX; tMaxX += tDeltaX; }
            else if (tMaxY < tMaxX) { cy += stepY; tMaxY += tDeltaY; }
            else { cx += stepX; tMaxX += tDeltaX; cy += stepY; tMaxY += tDeltaY; }
            if (cx < 0 || cy < 0 || cx >= _nx || cy >= _ny) break;
        }
        return acc + outside + Math.Max(0, t1 - t) * citySlowness;
    }

    private static bool Clip(double p, double q, ref double t0, ref double t1)
    {
        if (p == 0) return q >= 0;
        double r = q / p;
        if (p < 0) { if (r > t1) return false; if (r > t0) t0 = r; }
        else { if (r < t0) return false; if (r < t1) t1 = r; }
        return true;
    }
}
