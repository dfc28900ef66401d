using System.Buffers;
using Dispatch.Protocol;
using Dispatch.Engine;
using Dispatch.Traffic;
using Dispatch.Travel;
using MessagePack;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;

namespace Dispatch.Hosting;

/// <summary>
/// The traffic picture an engine host keeps: the engine's <see cref="TrafficModel"/> plus what the model
/// does not keep and a host needs: the definitions as they arrived (the model holds geometries, not the
/// commands; a server snapshot stores the commands and re-adds them), the ids in use, and when the
/// model was last brought up to date. Validates traffic commands completely before touching the model,
/// so a refused command changes nothing: the server and every replay of its commands refuse the same
/// ones. Engine thread only.
/// </summary>
public sealed class TrafficPicture
{
    private const int SectionVersion = 1;
    private static readonly GeometryFactory Geometry = new();
    private readonly List<Command> _definitions = new();
    private readonly HashSet<long> _zoneIds = new(), _closureIds = new();
    private int _definitionsAtLastUpdate;
    private double _lastUpdate = double.NaN;

    public TrafficPicture(TrafficSettings settings)
    {
        Settings = settings;
        Model = new TrafficModel(settings.MinX, settings.MinY, settings.MaxX, settings.MaxY, settings.CellSize, settings.ClosureDetourMinutes);
    }

    public TrafficSettings Settings { get; }

    public TrafficModel Model { get; }

    /// <summary>
    /// False until the first zone, closure or citywide factor is added: until then travel is the base
    /// rule alone (no grid walk per leg) and ticks do not update the model, exactly as a server without
    /// traffic support.
    /// </summary>
    public bool Engaged { get; private set; }

    /// <summary>Definitions added and not yet ended (see <see cref="Update"/>), in order.</summary>
    public IReadOnlyList<Command> Definitions => _definitions;

    /// <summary>Validates a traffic command and adds it to the model. Throws <see cref="DispatchException"/> (nothing changed) on refusal.</summary>
    public void Apply(in Command command)
    {
        var c = command; // a copy: the lambdas below capture it
        switch (c.Type)
        {
            case MessageType.AddCongestionZone:
            {
                string what = $"congestion zone {c.Id}";
                if (_zoneIds.Contains(c.Id)) Refuse(DispatchError.DuplicateId, $"{what} already exists");
                RequireFactor(c.X, what);
                RequireWindow(c.T1, c.T2, what);
                var polygon = BuildPolygon(c.Points, what);
                AddToModel(() => Model.AddZone(new CongestionZone(polygon, c.X, c.T1, c.T2, what)), what);
                _zoneIds.Add(c.Id);
                break;
            }
            case MessageType.AddClosure:
            {
                string what = $"closure {c.Id}";
                if (_closureIds.Contains(c.Id)) Refuse(DispatchError.DuplicateId, $"{what} already exists");
                RequireWindow(c.T1, c.T2, what);
                NetTopologySuite.Geometries.Geometry where = (WireClosureKind)c.Count switch
                {
                    WireClosureKind.Line => BuildLine(c.Points, what),
                    WireClosureKind.Polygon => BuildPolygon(c.Points, what),
                    _ => throw new DispatchException(DispatchError.InvalidValue, $"{what}: kind must be 0 (line) or 1 (polygon), got {c.Count}"),
                };
                AddToModel(() => Model.AddClosure(new RoadClosure(where, c.T1, c.T2, what)), what);
                _closureIds.Add(c.Id);
                break;
            }
            case MessageType.SetCitywideFactor:
                RequireFactor(c.X, "citywide factor");
                RequireWindow(c.T1, c.T2, "citywide factor");
                AddToModel(() => Model.AddCitywideFactor(c.X, c.T1, c.T2), "citywide factor");
                break;
            default:
                throw new ArgumentException($"{c.Type} is not a traffic event", nameof(c));
        }
        _definitions.Add(c with { RequestId = 0 });
        Engaged = true;
    }

    /// <summary>
    /// Brings the model to <paramref name="now"/> (the tick's time): true when the picture changed (a
    /// definition was added or a window opened or closed), so travel times changed. Always false while
    /// nothing was ever added. Definitions whose window has ended by <paramref name="now"/> are forgotten first
    /// (ticks only move forward, so they can never apply again): the picture, its snapshot section and the work
    /// of each update follow the traffic still to come, not every event ever reported, and an ended zone's or
    /// closure's id may be used again.
    /// </summary>
    public bool Update(double now)
    {
        if (!Engaged) return false;
        ForgetEnded(now);
        _lastUpdate = now;
        _definitionsAtLastUpdate = _definitions.Count;
        return Model.Update(now);
    }

    /// <summary>Drops the definitions ended by <paramref name="now"/>, here and in the model; allocates nothing (ticks call it).</summary>
    private void ForgetEnded(double now)
    {
        int kept = 0;
        for (int i = 0; i < _definitions.Count; i++)
        {
            var c = _definitions[i];
            if (c.T2 <= now)
            {
                if (c.Type == MessageType.AddCongestionZone) _zoneIds.Remove(c.Id);
                else if (c.Type == MessageType.AddClosure) _closureIds.Remove(c.Id);
                continue;
            }
            _definitions[kept++] = c;
        }
        if (kept == _definitions.Count) return;
        _definitions.RemoveRange(kept, _definitions.Count - kept);
        Model.RemoveEnded(now);
    }

    // ------------------------------------------------------------------ snapshot section

    /// <summary>
    /// The picture as a MessagePack value: <c>[version, lastUpdate (NaN = never), definitions added before
    /// it, [request arrays as on the wire, rid 0]]</c>. Restoring re-adds the definitions in order and
    /// repeats the last update between them, which leaves the model exactly as it is here (same active
    /// set, same pending additions), so the next tick decides as it would have without the restart.
    /// </summary>
    public byte[] SaveSection()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(4);
        w.Write(SectionVersion);
        w.Write(_lastUpdate);
        w.Write(_definitionsAtLastUpdate);
        w.WriteArrayHeader(_definitions.Count);
        foreach (var c in _definitions) CommandCodec.Write(ref w, c);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Rebuilds a picture from <see cref="SaveSection"/>'s bytes. Throws InvalidDataException on anything inconsistent.</summary>
    public static TrafficPicture LoadSection(ReadOnlyMemory<byte> section, TrafficSettings settings)
    {
        var picture = new TrafficPicture(settings);
        try
        {
            var r = new MessagePackReader(section);
            if (r.ReadArrayHeader() < 4) throw new InvalidDataException("traffic section: too few fields");
            int version = r.ReadInt32();
            if (version != SectionVersion) throw new InvalidDataException($"traffic section version {version}, this server reads {SectionVersion}");
            double lastUpdate = r.ReadDouble();
            int beforeUpdate = r.ReadInt32();
            int n = r.ReadArrayHeader();
            if (beforeUpdate < 0 || beforeUpdate > n || (double.IsNaN(lastUpdate) && beforeUpdate > 0))
                throw new InvalidDataException($"traffic section: {beforeUpdate} definitions before the last update of {n}");
            for (int i = 0; i < n; i++)
            {
                if (i == beforeUpdate && !double.IsNaN(lastUpdate)) picture.Update(lastUpdate);
                var c = CommandCodec.Read(ref r);
                if (!c.IsTrafficEvent) throw new InvalidDataException($"traffic section: definition {i} is a {c.Type}");
                picture.Apply(c);
            }
            if (n == beforeUpdate && !double.IsNaN(lastUpdate)) picture.Update(lastUpdate);
        }
        catch (Exception ex) when (ex is ProtocolException or DispatchException or MessagePackSerializationException or EndOfStreamException)
        {
            throw new InvalidDataException("traffic section: " + ex.Message, ex);
        }
        return picture;
    }

    // ------------------------------------------------------------------ validation

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Refuse(DispatchError error, string message) => throw new DispatchException(error, message);

    private static void RequireFactor(double factor, string what)
    {
        if (!(factor > 0 && factor <= 4)) Refuse(DispatchError.InvalidValue, $"{what}: speed factor must be in (0, 4] (0.4 = 40% of normal speed), got {factor}");
    }

    private static void RequireWindow(double from, double to, string what)
    {
        if (!double.IsFinite(from) || from < 0 || from > DispatchEngine<EuclideanCeilMinutes>.MaxTime)
            Refuse(DispatchError.InvalidValue, $"{what}: window start must be a finite time in [0, {DispatchEngine<EuclideanCeilMinutes>.MaxTime}] minutes, got {from}");
        if (double.IsNaN(to)) Refuse(DispatchError.InvalidValue, $"{what}: window end is NaN (use +infinity for open-ended)");
        if (to <= from) Refuse(DispatchError.InvalidValue, $"{what}: inverted or empty window [{from}, {to}): the end must be after the start");
    }

    private static Coordinate[] Coordinates(double[]? points, int minPoints, string what, string shape)
    {
        points ??= [];
        if (points.Length % 2 != 0) Refuse(DispatchError.InvalidValue, $"{what}: {points.Length} coordinates is an odd count; send x, y pairs");
        int n = points.Length / 2;
        if (n > ProtocolConstants.MaxTrafficPoints) Refuse(DispatchError.InvalidValue, $"{what}: {n} points; at most {ProtocolConstants.MaxTrafficPoints} are accepted");
        var coords = new Coordinate[n];
        for (int i = 0; i < n; i++)
        {
            double x = points[2 * i], y = points[2 * i + 1];
            if (!double.IsFinite(x) || !double.IsFinite(y) || Math.Abs(x) > DispatchEngine<EuclideanCeilMinutes>.MaxCoordinate || Math.Abs(y) > DispatchEngine<EuclideanCeilMinutes>.MaxCoordinate)
                Refuse(DispatchError.InvalidValue, $"{what}: point {i} ({x}, {y}) must be finite and within {DispatchEngine<EuclideanCeilMinutes>.MaxCoordinate}");
            coords[i] = new Coordinate(x, y);
        }
        int distinct = coords.Select(p => (p.X, p.Y)).Distinct().Count();
        if (distinct < minPoints) Refuse(DispatchError.InvalidValue, $"{what}: a {shape} needs at least {minPoints} distinct points, got {distinct}");
        return coords;
    }

    private static Polygon BuildPolygon(double[]? points, string what)
    {
        var coords = Coordinates(points, 3, what, "polygon");
        if (!coords[0].Equals2D(coords[^1])) coords = [.. coords, coords[0].Copy()];
        Polygon polygon;
        try
        {
            polygon = Geometry.CreatePolygon(coords);
        }
        catch (ArgumentException ex)
        {
            throw new DispatchException(DispatchError.InvalidValue, $"{what}: not a polygon ({ex.Message})");
        }
        var error = new IsValidOp(polygon).ValidationError;
        if (error is not null) Refuse(DispatchError.InvalidValue, $"{what}: invalid polygon: {error.Message} at ({error.Coordinate?.X}, {error.Coordinate?.Y})");
        if (!(polygon.Area > 0)) Refuse(DispatchError.InvalidValue, $"{what}: polygon has no area");
        return polygon;
    }

    private static LineString BuildLine(double[]? points, string what)
    {
        var coords = Coordinates(points, 2, what, "line");
        try
        {
            return Geometry.CreateLineString(coords);
        }
        catch (ArgumentException ex)
        {
            throw new DispatchException(DispatchError.InvalidValue, $"{what}: not a line ({ex.Message})");
        }
    }

    private static void AddToModel(Action add, string what)
    {
        try
        {
            add();
        }
        catch (ArgumentException ex)
        {
            // Validation above is meant to catch everything the model refuses; this is the backstop.
            throw new DispatchException(DispatchError.InvalidValue, $"{what}: {ex.Message}");
        }
    }
}
