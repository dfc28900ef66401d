using System.Text.Json;
using Dispatch.Protocol;

namespace Dispatch.Server.LiveView;

/// <summary>
/// The page's actions as the protocol's own commands: one JSON body each, turned into the same <see cref="Command"/> a
/// client would send (and then posted, routed and journaled the same way). Only these six types: the page cannot send
/// anything else. Each field is checked here so a bad body is refused naming its field; what the engine itself checks
/// (an unknown order, a factor out of range) comes back as its own error.
/// </summary>
internal static class LiveActions
{
    /// <summary>The action names of the URL <c>/api/actions/{name}</c>.</summary>
    public static readonly string[] Names = ["cancel-order", "courier-off-shift", "ready-time", "closure", "congestion", "citywide"];

    /// <param name="action">The action's name.</param>
    /// <param name="body">The JSON body.</param>
    /// <param name="now">Engine time now: a traffic window without "from" starts now.</param>
    /// <param name="newId">An id for a zone or closure the body does not name.</param>
    public static Command Parse(string action, JsonElement body, double now, long newId)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new LiveActionException("body", "must be a JSON object");
        return action switch
        {
            "cancel-order" => Command.CancelOrder(0, Id(body, "orderId")),
            "courier-off-shift" => Command.CourierOffShift(0, Id(body, "courierId")),
            "ready-time" => Command.ChangeReadyTime(0, Id(body, "orderId"), Number(body, "readyAt")),
            "closure" => Command.AddClosure(0, OptionalId(body, "closureId", newId), From(body, now), To(body),
                Kind(body), Points(body, Kind(body) == WireClosureKind.Line ? 2 : 3)),
            "congestion" => Command.AddCongestionZone(0, OptionalId(body, "zoneId", newId), Number(body, "speedFactor"), From(body, now), To(body), Points(body, 3)),
            "citywide" => Command.SetCitywideFactor(0, Number(body, "speedFactor"), From(body, now), To(body)),
            _ => throw new LiveActionException("action", $"unknown action '{action}'; one of {string.Join(", ", Names)}"),
        };
    }

    private static long Id(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v)) throw new LiveActionException(name, "is required");
        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long s)) return s;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long id)) throw new LiveActionException(name, "must be an integer id");
        return id;
    }

    private static long OptionalId(JsonElement body, string name, long fallback) =>
        body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Id(body, name) : fallback;

    private static double Number(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v)) throw new LiveActionException(name, "is required");
        return Finite(v, name);
    }

    private static double Finite(JsonElement v, string name)
    {
        double d;
        if (v.ValueKind == JsonValueKind.Number) d = v.GetDouble();
        else if (v.ValueKind != JsonValueKind.String || !double.TryParse(v.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out d))
            throw new LiveActionException(name, "must be a number");
        if (!double.IsFinite(d)) throw new LiveActionException(name, "must be a finite number");
        return d;
    }

    private static double From(JsonElement body, double now) =>
        body.TryGetProperty("from", out var v) && v.ValueKind != JsonValueKind.Null ? Finite(v, "from") : now;

    /// <summary>Absent or null: open-ended (until the window is replaced).</summary>
    private static double To(JsonElement body) =>
        body.TryGetProperty("to", out var v) && v.ValueKind != JsonValueKind.Null ? Finite(v, "to") : double.PositiveInfinity;

    private static WireClosureKind Kind(JsonElement body)
    {
        if (!body.TryGetProperty("kind", out var v) || v.ValueKind == JsonValueKind.Null) return WireClosureKind.Polygon;
        return v.GetString() switch
        {
            "polygon" => WireClosureKind.Polygon,
            "line" => WireClosureKind.Line,
            _ => throw new LiveActionException("kind", "must be \"polygon\" or \"line\""),
        };
    }

    private static double[] Points(JsonElement body, int minPoints)
    {
        if (!body.TryGetProperty("points", out var v)) throw new LiveActionException("points", "is required");
        if (v.ValueKind != JsonValueKind.Array) throw new LiveActionException("points", "must be an array of numbers x0, y0, x1, y1, ...");
        int n = v.GetArrayLength();
        if (n % 2 != 0) throw new LiveActionException("points", $"has {n} numbers: x, y pairs need an even count");
        if (n / 2 < minPoints) throw new LiveActionException("points", $"has {n / 2} points; at least {minPoints} needed");
        if (n > 2000) throw new LiveActionException("points", $"has {n / 2} points; at most 1000");
        var pts = new double[n];
        int i = 0;
        foreach (var p in v.EnumerateArray()) pts[i++] = Finite(p, $"points[{i}]");
        return pts;
    }
}
