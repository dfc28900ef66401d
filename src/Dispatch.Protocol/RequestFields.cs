using MessagePack;

namespace Dispatch.Protocol;

/// <summary>What a request field holds on the wire.</summary>
internal enum FieldKind : byte { Int32, Int64, Number, Bool, StringOrNil, Points, OptionalNumber, NumberOrNil, OptionalStringOrNil, OptionalBool }

/// <summary>One field of a request after [type, requestId]: its name as docs/protocol.md gives it, and its kind.</summary>
internal readonly record struct RequestField(string Name, FieldKind Kind)
{
    /// <summary>True for trailing fields a request may leave out (PlaceOrder's terms, Hello's token, GetServerStats' collect).</summary>
    public bool IsOptional => Kind is FieldKind.OptionalNumber or FieldKind.OptionalStringOrNil or FieldKind.OptionalBool;
}

/// <summary>
/// The fields of every request type, in wire order, as docs/protocol.md lists them: the one list of
/// them. <see cref="CommandCodec.FieldCount"/> reads how many a type requires from it, and when a
/// request fails to decode, <see cref="Diagnose"/> walks the payload again with it to say which field
/// is at fault and what it should have been.
/// </summary>
internal static class RequestFields
{
    /// <summary>Request tags are below 64 (replies and pushes from 64 on).</summary>
    private const int Tags = 64;

    private static readonly RequestField[]?[] ByType = BuildTable();

    /// <summary>Fields each type requires (the optional trailing ones left out); -1 for a tag that is not a request.</summary>
    private static readonly int[] Required = BuildRequired();

    /// <summary>The fields of a request type, in wire order; null for a tag that is not a request.</summary>
    public static RequestField[]? Of(MessageType type) => (uint)type < Tags ? ByType[(int)type] : null;

    /// <summary>How many fields after [type, requestId] the type requires, or -1 when it is not a request.</summary>
    public static int RequiredCount(MessageType type) => (uint)type < Tags ? Required[(int)type] : -1;

    private static RequestField[]?[] BuildTable()
    {
        var table = new RequestField[]?[Tags];
        for (int t = 0; t < Tags; t++) table[t] = Declared((MessageType)t);
        return table;
    }

    private static int[] BuildRequired()
    {
        var required = new int[Tags];
        for (int t = 0; t < Tags; t++)
        {
            int n = -1;
            if (ByType[t] is { } fields)
            {
                n = 0;
                foreach (var f in fields) if (!f.IsOptional) n++;
            }
            required[t] = n;
        }
        return required;
    }

    private static RequestField[]? Declared(MessageType type) => type switch
    {
        MessageType.Ping or MessageType.GetCounts or MessageType.GetMetrics => [],
        MessageType.GetServerStats => [new("collect", FieldKind.OptionalBool)],
        MessageType.Hello => [new("version", FieldKind.Int32), new("clientName", FieldKind.StringOrNil), new("subscribe", FieldKind.Bool), new("token", FieldKind.OptionalStringOrNil)],
        MessageType.Subscribe => [new("on", FieldKind.Bool)],
        MessageType.AddSite => [new("siteId", FieldKind.Int64), new("x", FieldKind.Number), new("y", FieldKind.Number)],
        MessageType.PlaceOrder =>
        [
            new("orderId", FieldKind.Int64), new("siteId", FieldKind.Int64), new("dropX", FieldKind.Number), new("dropY", FieldKind.Number),
            new("placedAt", FieldKind.Number), new("readyAt", FieldKind.Number), new("size", FieldKind.Int32),
            new("pickupBy", FieldKind.OptionalNumber), new("deliverAfter", FieldKind.OptionalNumber), new("deliverBy", FieldKind.OptionalNumber),
            new("pickupServiceMinutes", FieldKind.OptionalNumber), new("dropoffServiceMinutes", FieldKind.OptionalNumber),
        ],
        MessageType.ChangeReadyTime => [new("orderId", FieldKind.Int64), new("readyAt", FieldKind.Number)],
        MessageType.CancelOrder => [new("orderId", FieldKind.Int64)],
        MessageType.CourierOnShift =>
        [
            new("courierId", FieldKind.Int64), new("x", FieldKind.Number), new("y", FieldKind.Number),
            new("shiftStart", FieldKind.Number), new("shiftEnd", FieldKind.Number), new("capacity", FieldKind.Int32),
        ],
        MessageType.CourierOffShift => [new("courierId", FieldKind.Int64)],
        MessageType.UpdateCourierPosition => [new("courierId", FieldKind.Int64), new("x", FieldKind.Number), new("y", FieldKind.Number)],
        MessageType.ConfirmPickup or MessageType.ConfirmDropoff => [new("orderId", FieldKind.Int64), new("at", FieldKind.Number)],
        MessageType.Tick => [new("now", FieldKind.Number)],
        MessageType.DeliveryFailed =>
        [
            new("orderId", FieldKind.Int64), new("at", FieldKind.Number), new("reason", FieldKind.Int32), new("returned", FieldKind.Bool),
            new("remadeReadyAt", FieldKind.NumberOrNil),
        ],
        MessageType.WrongOrderDelivered => [new("orderId", FieldKind.Int64), new("at", FieldKind.Number), new("remadeReadyAt", FieldKind.NumberOrNil)],
        MessageType.OrderChanged => [new("orderId", FieldKind.Int64), new("newReadyAt", FieldKind.NumberOrNil), new("newSize", FieldKind.Int32)],
        MessageType.AddCongestionZone =>
        [
            new("zoneId", FieldKind.Int64), new("speedFactor", FieldKind.Number), new("from", FieldKind.Number), new("to", FieldKind.Number),
            new("points", FieldKind.Points),
        ],
        MessageType.AddClosure =>
        [
            new("closureId", FieldKind.Int64), new("from", FieldKind.Number), new("to", FieldKind.Number), new("kind", FieldKind.Int32),
            new("points", FieldKind.Points),
        ],
        MessageType.SetCitywideFactor => [new("speedFactor", FieldKind.Number), new("from", FieldKind.Number), new("to", FieldKind.Number)],
        MessageType.QuoteDropoff => [new("siteId", FieldKind.Int64), new("dropX", FieldKind.Number), new("dropY", FieldKind.Number), new("readyAt", FieldKind.Number)],
        MessageType.GetOrder => [new("orderId", FieldKind.Int64)],
        MessageType.GetCourier => [new("courierId", FieldKind.Int64)],
        _ => null,
    };

    /// <summary>
    /// Walks a request that failed to decode and names the first field that is not what its type
    /// needs ("PlaceOrder field dropX (#5): expected a number, found String"), or null when every
    /// field reads (the failure was elsewhere).
    /// </summary>
    public static string? Diagnose(MessagePackReader r, MessageType type)
    {
        try
        {
            int count = r.ReadArrayHeader();
            r.Skip();                                          // the type tag, already read once
            if (r.NextMessagePackType != MessagePackType.Integer || !Fits(ref r, FieldKind.Int64, unsigned32: true))
                return "requestId (#2): expected an integer from 1 to 4294967295";
            var fields = Of(type) ?? [];
            for (int i = 0; i < fields.Length && i < count - 2; i++)
            {
                var f = fields[i];
                string? problem = Check(ref r, f.Kind);
                if (problem is not null) return $"{type} field {f.Name} (#{i + 3}): {problem}";
            }
            return null;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Reads an integer of the kind's width; false when it does not fit.</summary>
    private static bool Fits(ref MessagePackReader r, FieldKind kind, bool unsigned32 = false)
    {
        try
        {
            if (unsigned32) r.ReadUInt32();
            else if (kind == FieldKind.Int32) r.ReadInt32();
            else r.ReadInt64();
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static string? Check(ref MessagePackReader r, FieldKind kind)
    {
        var next = r.NextMessagePackType;
        switch (kind)
        {
            case FieldKind.Int32:
                if (next != MessagePackType.Integer) return $"expected an integer, found {next}";
                return Fits(ref r, kind) ? null : "expected an integer that fits in 32 bits";
            case FieldKind.Int64:
                if (next != MessagePackType.Integer) return $"expected an integer, found {next}";
                return Fits(ref r, kind) ? null : "expected an integer that fits in a signed 64-bit id";
            case FieldKind.Number:
            case FieldKind.OptionalNumber:
            case FieldKind.NumberOrNil:
                bool nilOk = kind != FieldKind.Number;
                if (nilOk && r.TryReadNil()) return null;
                if (next is not (MessagePackType.Integer or MessagePackType.Float))
                    return nilOk ? $"expected a number or nil, found {next}" : $"expected a number, found {next}";
                r.Skip();
                return null;
            case FieldKind.Bool:
            case FieldKind.OptionalBool:
                if (next != MessagePackType.Boolean) return $"expected true or false, found {next}";
                r.Skip();
                return null;
            case FieldKind.StringOrNil:
            case FieldKind.OptionalStringOrNil:
                if (next is not (MessagePackType.String or MessagePackType.Nil)) return $"expected a string or nil, found {next}";
                r.Skip();
                return null;
            default:
                if (next != MessagePackType.Array) return $"expected an array of numbers, found {next}";
                int n = r.ReadArrayHeader();
                for (int k = 0; k < n; k++)
                {
                    var t = r.NextMessagePackType;
                    if (t is not (MessagePackType.Integer or MessagePackType.Float)) return $"element {k} of the coordinates: expected a number, found {t}";
                    r.Skip();
                }
                return null;
        }
    }
}
