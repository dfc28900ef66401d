using MessagePack;

namespace Dispatch.Protocol;

/// <summary>
/// The command trace file (<c>.dispatchtrace</c>) a server writes with <c>--record</c>: a plain
/// sequence of MessagePack values, no framing of its own. First a header
/// <c>["dispatch-trace", version:int, settings:map]</c>, then one record per accepted engine
/// command: <c>[wallUnixMs:int, engineTime:float64, request]</c>, where <c>request</c> is the
/// protocol's request array exactly as <see cref="CommandCodec.Write"/> encodes it. Readers ignore
/// unknown settings keys and extra trailing record elements. See docs/protocol.md, "Command traces".
/// </summary>
public static class CommandTraceFormat
{
    /// <summary>The first element of the header array.</summary>
    public const string Magic = "dispatch-trace";

    /// <summary>The format version this library writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The usual file extension.</summary>
    public const string FileExtension = ".dispatchtrace";

    /// <summary>A record is a few dozen bytes (a traffic polygon at most about 180 KB); a value longer than this is corruption, not a command.</summary>
    public const int MaxRecordBytes = 1024 * 1024;

    /// <summary>The header is a few hundred bytes; longer is corruption.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>The header keys the server itself writes (<see cref="TraceHeader"/>'s own properties); the engine settings come on top.</summary>
    private const int ServerKeys = 13;

    /// <summary>Writes the header value.</summary>
    public static void WriteHeader(ref MessagePackWriter w, TraceHeader header)
    {
        w.WriteArrayHeader(3);
        w.Write(Magic);
        w.Write(Version);
        w.WriteMapHeader(ServerKeys + header.EngineSettings.Count);
        w.Write("createdUnixMs"); w.Write(header.CreatedUnixMs);
        w.Write("serverName"); w.Write(header.ServerName);
        w.Write("clock"); w.Write(header.Clock.ToString());
        w.Write("clockRate"); w.Write(header.ClockRate);
        w.Write("travel"); w.Write(header.Travel);
        w.Write("metersPerMinute"); w.Write(header.MetersPerMinute);
        w.Write("haversineKmh"); w.Write(header.HaversineKmh);
        w.Write("detourFactor"); w.Write(header.DetourFactor);
        // Where "profile" ... "tickIntervalMinutes" always stood: in DispatchOptions order those six come first, under
        // the same keys and MessagePack types, so older readers find them as before and skip the settings added since.
        foreach (var (key, value) in header.EngineSettings)
        {
            w.Write(key);
            WriteSettingValue(ref w, key, value);
        }
        w.Write("journalEpochUnixMs"); w.Write(header.JournalEpochUnixMs);
        w.Write("priorRecords"); w.Write(header.PriorRecords);
        w.Write("trafficBounds"); w.Write(header.TrafficBounds);
        w.Write("trafficCellSize"); w.Write(header.TrafficCellSize);
        w.Write("closureDetourMinutes"); w.Write(header.ClosureDetourMinutes);
    }

    /// <summary>Writes one record: the command, the wall-clock time it was accepted, the engine time it was applied at.</summary>
    public static void WriteRecord(ref MessagePackWriter w, long wallUnixMs, double engineTime, in Command command)
    {
        w.WriteArrayHeader(3);
        w.Write(wallUnixMs);
        w.Write(engineTime);
        CommandCodec.Write(ref w, command);
    }

    /// <summary>Decodes the header value at the reader's position. Throws <see cref="TraceFormatException"/> when it is not one.</summary>
    public static TraceHeader ReadHeader(ref MessagePackReader r)
    {
        if (r.NextMessagePackType != MessagePackType.Array)
            throw new TraceFormatException($"not a dispatch trace: the file must start with the MessagePack array [\"{Magic}\", version, settings], found {r.NextMessagePackType}", 0);
        int n = r.ReadArrayHeader();
        if (n < 3 || r.NextMessagePackType != MessagePackType.String)
            throw new TraceFormatException($"not a dispatch trace: the first value is not [\"{Magic}\", version, settings]", 0);
        string? magic = r.ReadString();
        if (magic != Magic) throw new TraceFormatException($"not a dispatch trace: magic \"{magic}\", expected \"{Magic}\"", 0);
        int version = r.ReadInt32();
        if (version != Version) throw new TraceFormatException($"trace format version {version}; this reader understands version {Version}", 0);

        var h = new TraceHeader();
        int keys = r.ReadMapHeader();
        for (int i = 0; i < keys; i++)
        {
            string? key = r.ReadString();
            switch (key)
            {
                case "createdUnixMs": h.CreatedUnixMs = r.ReadInt64(); break;
                case "serverName": h.ServerName = MessagePackFields.ReadStringOrNil(ref r) ?? ""; break;
                case "clock":
                    string clock = MessagePackFields.ReadStringOrNil(ref r) ?? "";
                    h.Clock = Enum.TryParse<ClockMode>(clock, ignoreCase: true, out var mode)
                        ? mode
                        : throw new TraceFormatException($"unknown clock mode \"{clock}\" in the trace header", 0);
                    break;
                case "clockRate": h.ClockRate = MessagePackFields.ReadNumber(ref r); break;
                case "travel": h.Travel = MessagePackFields.ReadStringOrNil(ref r) ?? h.Travel; break;
                case "metersPerMinute": h.MetersPerMinute = MessagePackFields.ReadNumber(ref r); break;
                case "haversineKmh": h.HaversineKmh = MessagePackFields.ReadNumber(ref r); break;
                case "detourFactor": h.DetourFactor = MessagePackFields.ReadNumber(ref r); break;
                case "journalEpochUnixMs": h.JournalEpochUnixMs = r.ReadInt64(); break;
                case "priorRecords": h.PriorRecords = r.ReadInt64(); break;
                case "trafficBounds": h.TrafficBounds = MessagePackFields.ReadStringOrNil(ref r) ?? h.TrafficBounds; break;
                case "trafficCellSize": h.TrafficCellSize = MessagePackFields.ReadNumber(ref r); break;
                case "closureDetourMinutes": h.ClosureDetourMinutes = MessagePackFields.ReadNumber(ref r); break;
                default: ReadEngineSetting(ref r, key, h.EngineSettings); break;
            }
        }
        MessagePackFields.SkipRest(ref r, n - 3);
        return h;
    }

    /// <summary>Writes one engine setting's value: a double, an integer, a flag or a name.</summary>
    private static void WriteSettingValue(ref MessagePackWriter w, string key, object value)
    {
        switch (value)
        {
            case double d: w.Write(d); break;
            case long l: w.Write(l); break;
            case int i: w.Write(i); break;
            case bool b: w.Write(b); break;
            case string t: w.Write(t); break;
            default: throw new ArgumentException($"engine setting {key}: a trace header holds numbers, flags and names, not {value.GetType().Name}", nameof(value));
        }
    }

    /// <summary>
    /// A key this reader does not interpret itself is an engine setting (or one a later writer added): scalar values
    /// are kept for whoever knows the engine (Dispatch.Hosting), nil and anything else are skipped.
    /// </summary>
    private static void ReadEngineSetting(ref MessagePackReader r, string? key, Dictionary<string, object> into)
    {
        object? value = r.NextMessagePackType switch
        {
            MessagePackType.Float => r.ReadDouble(),
            MessagePackType.Integer => r.ReadInt64(),
            MessagePackType.Boolean => r.ReadBoolean(),
            MessagePackType.String => r.ReadString(),
            _ => null,
        };
        if (value is null) r.Skip();
        else if (key is not null) into[key] = value;
    }

    /// <summary>Decodes one record at the reader's position. Throws <see cref="ProtocolException"/> or <see cref="MessagePackSerializationException"/> on a malformed one.</summary>
    public static TraceRecord ReadRecord(ref MessagePackReader r)
    {
        if (r.NextMessagePackType != MessagePackType.Array)
            throw new MessagePackSerializationException($"a record must be the array [wallUnixMs, engineTime, request], found {r.NextMessagePackType}");
        int n = r.ReadArrayHeader();
        if (n < 3) throw new MessagePackSerializationException($"a record must be the array [wallUnixMs, engineTime, request], found an array of {n}");
        long wall = r.ReadInt64();
        double engineTime = MessagePackFields.ReadNumber(ref r);
        var command = CommandCodec.Read(ref r);
        MessagePackFields.SkipRest(ref r, n - 3);
        return new TraceRecord(wall, engineTime, command);
    }
}

/// <summary>One recorded command.</summary>
/// <param name="WallUnixMs">Wall-clock time (UTC, Unix milliseconds) when the server applied it.</param>
/// <param name="EngineTime">Engine time (minutes) it was applied at; for a Tick, the tick's time.</param>
/// <param name="Command">The request as the client sent it (request id included).</param>
public readonly record struct TraceRecord(long WallUnixMs, double EngineTime, Command Command);

/// <summary>
/// The trace header: the server settings that decide what the engine does with the commands
/// (travel rule and speed, traffic grid, every engine setting) and where the trace starts. Travel and
/// profile are names (<c>Euclidean</c>/<c>Haversine</c>, <c>Mdrp</c>/<c>General</c>/<c>Greedy</c>) so the
/// file does not depend on the engine's enums.
/// </summary>
public sealed class TraceHeader
{
    /// <summary>When the recording started (UTC, Unix milliseconds).</summary>
    public long CreatedUnixMs { get; set; }

    /// <summary>The server's name (HelloOk).</summary>
    public string ServerName { get; set; } = "";

    /// <summary>The server's clock mode.</summary>
    public ClockMode Clock { get; set; } = ClockMode.Wall;

    /// <summary>Engine minutes per wall minute (wall clock).</summary>
    public double ClockRate { get; set; } = 1;

    /// <summary>Travel rule: <c>Euclidean</c> or <c>Haversine</c>.</summary>
    public string Travel { get; set; } = "Euclidean";

    /// <summary>Speed of the Euclidean rule, metres per minute.</summary>
    public double MetersPerMinute { get; set; } = 320;

    /// <summary>Speed of the Haversine rule, km/h.</summary>
    public double HaversineKmh { get; set; } = 20;

    /// <summary>Detour factor of the Haversine rule.</summary>
    public double DetourFactor { get; set; } = 1.3;

    /// <summary>
    /// The engine's settings (<c>DispatchOptions</c>), keyed by the camelCase of each property name, values as
    /// written: <see cref="double"/>, <see cref="long"/> (or <see cref="int"/> when writing), <see cref="bool"/> or
    /// <see cref="string"/> (the profile's name). When read, every key this class does not hold itself lands here;
    /// a setting absent (older traces carry only profile, service, click-to-door and tick settings) is the engine's
    /// default. <c>Dispatch.Hosting.TraceEngineSettings</c> converts to and from <c>DispatchOptions</c>; this library
    /// does not know the engine.
    /// </summary>
    public Dictionary<string, object> EngineSettings { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The journal's clock epoch (Unix ms): engine minute 0 on the wall clock.</summary>
    public long JournalEpochUnixMs { get; set; }

    /// <summary>
    /// Journal records the server replayed before recording started. 0 means the trace holds every
    /// command since the engine was empty, so replaying it alone rebuilds the server's state.
    /// </summary>
    public long PriorRecords { get; set; }

    /// <summary>The traffic grid's area, <c>minX,minY,maxX,maxY</c> (server option TrafficBounds; older traces: the default).</summary>
    public string TrafficBounds { get; set; } = "-50000,-50000,50000,50000";

    /// <summary>The traffic grid's cell size (server option TrafficCellSize).</summary>
    public double TrafficCellSize { get; set; } = 250;

    /// <summary>Minutes added per closure a leg crosses (server option ClosureDetourMinutes).</summary>
    public double ClosureDetourMinutes { get; set; } = 10;
}

/// <summary>A trace whose header is unusable (not a trace, another version, cut short).</summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TraceFormatException(string message, long offset, Exception? inner = null) : base(message, inner) => Offset = offset;

    /// <summary>Byte offset of the problem in the file.</summary>
    public long Offset { get; }
}
