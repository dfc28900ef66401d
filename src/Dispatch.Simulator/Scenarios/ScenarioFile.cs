using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// A scenario script: timed events layered on any trace. Times and places are relative to the
/// trace's own extent, couriers are picked by rule, so one file works on every trace.
/// <para>Times: <c>"peak"</c>, <c>"peak+30"</c>, <c>"peak-15"</c> (minutes from the busiest hour's middle),
/// <c>"start+60"</c>, <c>"end-30"</c> (from the first / last order placement), or a number in [0, 1]
/// (that fraction of the placement period).</para>
/// <para>Places: points as [fx, fy], fractions of the bounding box of the trace's restaurants and customers.</para>
/// </summary>
public sealed class ScenarioFile
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("seed")] public int Seed { get; set; } = 1;
    [JsonPropertyName("events")] public List<ScenarioEvent> Events { get; set; } = new();

    private static readonly JsonSerializerOptions Options = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and validates a scenario file; throws <see cref="InvalidDataException"/> naming the file and the event at fault.</summary>
    public static ScenarioFile Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"scenario file not found: {path}", path);
        ScenarioFile? s;
        try
        {
            s = JsonSerializer.Deserialize<ScenarioFile>(File.ReadAllText(path), Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid scenario: {e.Message}", e);
        }
        if (s is null) throw new InvalidDataException($"{path}: empty scenario");
        if (string.IsNullOrWhiteSpace(s.Name)) s.Name = Path.GetFileNameWithoutExtension(path);
        for (int i = 0; i < s.Events.Count; i++)
        {
            try { s.Events[i].Validate(); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path}: event {i + 1} ({s.Events[i].Kind}): {e.Message}", e); }
        }
        return s;
    }
}

/// <summary>One timed event of a scenario. Which fields apply depends on <see cref="Kind"/>.</summary>
public sealed class ScenarioEvent
{
    /// <summary>rain | congestion | closure | courier-offline | demand-surge | kitchen-delay | cancellations | delivery-failures | out-of-stock</summary>
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("from")] public JsonElement? From { get; set; }
    [JsonPropertyName("to")] public JsonElement? To { get; set; }
    [JsonPropertyName("at")] public JsonElement? At { get; set; }
    /// <summary>Speed factor (rain, congestion) or demand multiplier (demand-surge).</summary>
    [JsonPropertyName("factor")] public double? Factor { get; set; }
    /// <summary>Polygon of [fx, fy] points (congestion, closure area, demand-surge area).</summary>
    [JsonPropertyName("area")] public List<double[]>? Area { get; set; }
    /// <summary>Polyline of [fx, fy] points (closure).</summary>
    [JsonPropertyName("line")] public List<double[]>? Line { get; set; }
    /// <summary>courier-offline: busiest | random | nearest-center.</summary>
    [JsonPropertyName("couriers")] public string? Couriers { get; set; }
    /// <summary>courier-offline: how many; or a share of those on shift with <see cref="Share"/>.</summary>
    [JsonPropertyName("count")] public int? Count { get; set; }
    /// <summary>Share of couriers (courier-offline) or orders (kitchen-delay, cancellations) affected.</summary>
    [JsonPropertyName("share")] public double? Share { get; set; }
    /// <summary>kitchen-delay, out-of-stock: minutes added to the ready time; delivery-failures: minutes to re-make an order
    /// (absent: the engine's RemakeMinutes, and the engine is told no ready time).</summary>
    [JsonPropertyName("minutes")] public double? Minutes { get; set; }
    /// <summary>delivery-failures: share of the failures that are wrong deliveries (handed over, reported 5 minutes later).</summary>
    [JsonPropertyName("wrong")] public double? Wrong { get; set; }
    /// <summary>out-of-stock: share of the changed orders whose customer cancels 3 minutes after the change.</summary>
    [JsonPropertyName("cancel")] public double? Cancel { get; set; }

    public static readonly string[] Kinds = ["rain", "congestion", "closure", "courier-offline", "demand-surge", "kitchen-delay", "cancellations", "delivery-failures", "out-of-stock"];

    internal void Validate()
    {
        if (Array.IndexOf(Kinds, Kind) < 0) throw new InvalidDataException($"unknown kind '{Kind}'; expected one of {string.Join(", ", Kinds)}");
        bool windowed = Kind is "rain" or "congestion" or "closure" or "demand-surge" or "kitchen-delay" or "cancellations" or "delivery-failures" or "out-of-stock";
        if (windowed && (From is null || To is null)) throw new InvalidDataException("needs 'from' and 'to'");
        if (Kind == "courier-offline" && At is null) throw new InvalidDataException("needs 'at'");
        foreach (var t in new[] { From, To, At }) if (t is { } e) ParseTime(e, 0, 100, 50); // syntax check
        switch (Kind)
        {
            case "rain":
            case "congestion":
                if (Factor is not (> 0 and <= 4)) throw new InvalidDataException("'factor' (speed factor) must be in (0, 4]");
                if (Kind == "congestion") RequirePolygon(Area, "area");
                break;
            case "closure":
                if (Line is null && Area is null) throw new InvalidDataException("needs a 'line' or an 'area'");
                if (Line is not null) RequirePoints(Line, "line", 2);
                if (Area is not null) RequirePolygon(Area, "area");
                break;
            case "courier-offline":
                if (Couriers is not ("busiest" or "random" or "nearest-center")) throw new InvalidDataException("'couriers' must be busiest, random or nearest-center");
                if (Count is null && Share is null) throw new InvalidDataException("needs 'count' or 'share'");
                if (Count is < 1) throw new InvalidDataException("'count' must be at least 1");
                if (Share is not null and not (> 0 and <= 1)) throw new InvalidDataException("'share' must be in (0, 1]");
                break;
            case "demand-surge":
                if (Factor is not (>= 1 and <= 10)) throw new InvalidDataException("'factor' (demand multiplier) must be in [1, 10]");
                if (Area is not null) RequirePolygon(Area, "area");
                break;
            case "kitchen-delay":
                if (Minutes is not (> 0 and <= 240)) throw new InvalidDataException("'minutes' must be in (0, 240]");
                if (Share is not (> 0 and <= 1)) throw new InvalidDataException("'share' must be in (0, 1]");
                break;
            case "cancellations":
                if (Share is not (> 0 and <= 1)) throw new InvalidDataException("'share' must be in (0, 1]");
                break;
            case "delivery-failures":
                if (Share is not (> 0 and <= 1)) throw new InvalidDataException("'share' must be in (0, 1]");
                if (Minutes is not null and not (>= 0 and <= 240)) throw new InvalidDataException("'minutes' (to re-make an order) must be in [0, 240]");
                if (Wrong is not null and not (>= 0 and <= 1)) throw new InvalidDataException("'wrong' must be in [0, 1]");
                break;
            case "out-of-stock":
                if (Share is not (> 0 and <= 1)) throw new InvalidDataException("'share' must be in (0, 1]");
                if (Minutes is not (> 0 and <= 240)) throw new InvalidDataException("'minutes' must be in (0, 240]");
                if (Cancel is not null and not (>= 0 and <= 1)) throw new InvalidDataException("'cancel' must be in [0, 1]");
                break;
        }
    }

    private static void RequirePolygon(List<double[]>? pts, string name)
    {
        if (pts is null) throw new InvalidDataException($"needs '{name}'");
        RequirePoints(pts, name, 3);
    }

    private static void RequirePoints(List<double[]> pts, string name, int min)
    {
        if (pts.Count < min) throw new InvalidDataException($"'{name}' needs at least {min} points");
        foreach (var p in pts)
            if (p is null || p.Length != 2 || !double.IsFinite(p[0]) || !double.IsFinite(p[1]) || p[0] < -1 || p[0] > 2 || p[1] < -1 || p[1] > 2)
                throw new InvalidDataException($"'{name}' points must be [fx, fy] fractions of the trace's extent");
    }

    /// <summary>Resolves a time spec against a trace: its first and last placement and its peak minute.</summary>
    public static double ParseTime(JsonElement e, double start, double end, double peak)
    {
        if (e.ValueKind == JsonValueKind.Number)
        {
            double f = e.GetDouble();
            if (!(f >= 0 && f <= 1)) throw new InvalidDataException($"time {f} must be a fraction in [0, 1] (or a string like \"peak+30\")");
            return start + f * (end - start);
        }
        if (e.ValueKind != JsonValueKind.String) throw new InvalidDataException($"time must be a number or a string, got {e.ValueKind}");
        string s = e.GetString()!.Trim();
        foreach (var (prefix, origin) in new[] { ("peak", peak), ("start", start), ("end", end) })
        {
            if (!s.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string rest = s[prefix.Length..].Replace(" ", "", StringComparison.Ordinal);
            if (rest.Length == 0) return origin;
            if (double.TryParse(rest, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double off)) return origin + off;
            break;
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double frac) && frac is >= 0 and <= 1) return start + frac * (end - start);
        throw new InvalidDataException($"time '{s}' is not peak[+-N], start[+-N], end[+-N] or a fraction in [0, 1]");
    }
}
