using System.Buffers;
using MessagePack;
using static Dispatch.Protocol.MessagePackFields;

namespace Dispatch.Protocol;

/// <summary>
/// Encodes and decodes requests: a MessagePack array [type, requestId, ...fields], by hand with
/// MessagePackWriter/Reader (no reflection, no per-message allocation, and an error message that
/// names the field at fault). Trailing elements beyond those a type needs are ignored, so a newer
/// client can append fields. Nothing here recurses into untrusted nesting.
/// </summary>
public static class CommandCodec
{
    /// <summary>Number of fields after [type, rid] for each request type (its optional trailing ones not
    /// counted), or -1 for a type that is not a request; from <see cref="RequestFields"/>.</summary>
    public static int FieldCount(MessageType type) => RequestFields.RequiredCount(type);

    /// <summary>Writes one request as a MessagePack array (no frame prefix).</summary>
    public static void Write(ref MessagePackWriter w, in Command c)
    {
        int n = FieldCount(c.Type);
        if (n < 0) throw new ArgumentException($"{c.Type} is not a request type", nameof(c));
        // An order's terms trail its fields only when it has some, so orders without them (and the
        // journals and traces holding them) stay byte for byte as before.
        bool terms = c.Type == MessageType.PlaceOrder && c.Terms is not null;
        // Hello's token, likewise, only when there is one: a Hello without it is the five-element array it always was.
        bool token = c.Type == MessageType.Hello && c.Token is not null;
        // GetServerStats' collect flag only when set: the plain request stays [35, rid].
        bool collect = c.Type == MessageType.GetServerStats && c.Flag;
        w.WriteArrayHeader(2 + n + (terms ? OrderTerms.WireFields : 0) + (token ? 1 : 0) + (collect ? 1 : 0));
        w.Write((int)c.Type);
        w.Write(c.RequestId);
        switch (c.Type)
        {
            case MessageType.Hello:
                w.Write((int)c.Id); w.Write(c.Text); w.Write(c.Flag);
                if (token) w.Write(c.Token);
                break;
            case MessageType.Subscribe: w.Write(c.Flag); break;
            case MessageType.GetServerStats: if (collect) w.Write(true); break;
            case MessageType.AddSite: w.Write(c.Id); w.Write(c.X); w.Write(c.Y); break;
            case MessageType.PlaceOrder:
                w.Write(c.Id); w.Write(c.Other); w.Write(c.X); w.Write(c.Y); w.Write(c.T1); w.Write(c.T2); w.Write(c.Count);
                if (c.Terms is { } t) WriteTerms(ref w, t);
                break;
            case MessageType.ChangeReadyTime: w.Write(c.Id); w.Write(c.T1); break;
            case MessageType.CourierOnShift: w.Write(c.Id); w.Write(c.X); w.Write(c.Y); w.Write(c.T1); w.Write(c.T2); w.Write(c.Count); break;
            case MessageType.UpdateCourierPosition: w.Write(c.Id); w.Write(c.X); w.Write(c.Y); break;
            case MessageType.ConfirmPickup or MessageType.ConfirmDropoff: w.Write(c.Id); w.Write(c.T1); break;
            case MessageType.Tick: w.Write(c.T1); break;
            // nil stands for NaN ("not given"): any client can say so without writing a NaN.
            case MessageType.DeliveryFailed: w.Write(c.Id); w.Write(c.T1); w.Write(c.Count); w.Write(c.Flag); WriteNumberOrNil(ref w, c.T2, double.NaN); break;
            case MessageType.WrongOrderDelivered: w.Write(c.Id); w.Write(c.T1); WriteNumberOrNil(ref w, c.T2, double.NaN); break;
            case MessageType.OrderChanged: w.Write(c.Id); WriteNumberOrNil(ref w, c.T1, double.NaN); w.Write(c.Count); break;
            case MessageType.AddCongestionZone: w.Write(c.Id); w.Write(c.X); w.Write(c.T1); w.Write(c.T2); WritePoints(ref w, c.Points); break;
            case MessageType.AddClosure: w.Write(c.Id); w.Write(c.T1); w.Write(c.T2); w.Write(c.Count); WritePoints(ref w, c.Points); break;
            case MessageType.SetCitywideFactor: w.Write(c.X); w.Write(c.T1); w.Write(c.T2); break;
            case MessageType.QuoteDropoff: w.Write(c.Id); w.Write(c.X); w.Write(c.Y); w.Write(c.T1); break;
            case MessageType.CancelOrder or MessageType.CourierOffShift or MessageType.GetOrder or MessageType.GetCourier: w.Write(c.Id); break;
        }
    }

    /// <summary>Writes one request as a whole frame (prefix included) into <paramref name="output"/>.</summary>
    public static void WriteFrame(FrameBuffer output, in Command c, int maxPayloadBytes = int.MaxValue)
    {
        output.BeginFrame();
        try
        {
            var w = new MessagePackWriter(output);
            Write(ref w, c);
            w.Flush();
            output.EndFrame(maxPayloadBytes);
        }
        catch
        {
            output.CancelFrame();
            throw;
        }
    }

    /// <summary>Decodes one request from a frame payload. Throws <see cref="ProtocolException"/> with the code to reply with.</summary>
    public static Command Read(in ReadOnlySequence<byte> payload)
    {
        var r = new MessagePackReader(payload);
        return Read(ref r);
    }

    /// <summary>Decodes one request at the reader's position (the journal stores requests this way too).</summary>
    public static Command Read(ref MessagePackReader r)
    {
        var start = r;   // a copy of the position (a struct), for naming the field should decoding fail
        uint rid = 0;
        MessageType type = 0;
        try
        {
            if (r.NextMessagePackType != MessagePackType.Array)
                throw new ProtocolException(ErrorCode.MalformedMessage, 0, $"a frame must hold a MessagePack array [type, requestId, ...], found {r.NextMessagePackType}");
            int count = r.ReadArrayHeader();
            if (count < 2) throw new ProtocolException(ErrorCode.MalformedMessage, 0, $"a frame must hold at least [type, requestId], found an array of {count}");
            type = (MessageType)r.ReadInt32();
            rid = r.ReadUInt32();
            int need = FieldCount(type);
            if (need < 0) throw new ProtocolException(ErrorCode.UnknownMessageType, rid, $"unknown request type {(int)type}");
            if (count - 2 < need)
                throw new ProtocolException(ErrorCode.MalformedMessage, rid, $"{type} needs {need} fields after [type, requestId], got {count - 2}");
            // Extra trailing fields (count - 2 - need) are left unread: a frame holds one message, so nothing follows them.
            return type switch
            {
                MessageType.Hello => Command.Hello(rid, ReadStringAfterVersion(ref r, out int version) ?? "", r.ReadBoolean(), version,
                    count - 2 > need ? ReadStringOrNil(ref r) : null),
                MessageType.Ping => Command.Ping(rid),
                MessageType.Subscribe => Command.Subscribe(rid, r.ReadBoolean()),
                MessageType.AddSite => Command.AddSite(rid, r.ReadInt64(), ReadNumber(ref r), ReadNumber(ref r)),
                MessageType.PlaceOrder => Command.PlaceOrder(rid, r.ReadInt64(), r.ReadInt64(), ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), r.ReadInt32(),
                    count - 2 > need ? ReadTerms(ref r, count - 2 - need) : null),
                MessageType.ChangeReadyTime => Command.ChangeReadyTime(rid, r.ReadInt64(), ReadNumber(ref r)),
                MessageType.CancelOrder => Command.CancelOrder(rid, r.ReadInt64()),
                MessageType.CourierOnShift => Command.CourierOnShift(rid, r.ReadInt64(), ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), r.ReadInt32()),
                MessageType.CourierOffShift => Command.CourierOffShift(rid, r.ReadInt64()),
                MessageType.UpdateCourierPosition => Command.UpdateCourierPosition(rid, r.ReadInt64(), ReadNumber(ref r), ReadNumber(ref r)),
                MessageType.ConfirmPickup => Command.ConfirmPickup(rid, r.ReadInt64(), ReadNumber(ref r)),
                MessageType.ConfirmDropoff => Command.ConfirmDropoff(rid, r.ReadInt64(), ReadNumber(ref r)),
                MessageType.Tick => Command.Tick(rid, ReadNumber(ref r)),
                MessageType.DeliveryFailed => Command.DeliveryFailed(rid, r.ReadInt64(), ReadNumber(ref r), r.ReadInt32(), r.ReadBoolean(), ReadNumberOrNaN(ref r)),
                MessageType.WrongOrderDelivered => Command.WrongOrderDelivered(rid, r.ReadInt64(), ReadNumber(ref r), ReadNumberOrNaN(ref r)),
                MessageType.OrderChanged => Command.OrderChanged(rid, r.ReadInt64(), ReadNumberOrNaN(ref r), r.ReadInt32()),
                MessageType.AddCongestionZone => Command.AddCongestionZone(rid, r.ReadInt64(), ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), ReadPoints(ref r, rid)),
                MessageType.AddClosure => Command.AddClosure(rid, r.ReadInt64(), ReadNumber(ref r), ReadNumber(ref r), (WireClosureKind)r.ReadInt32(), ReadPoints(ref r, rid)),
                MessageType.SetCitywideFactor => Command.SetCitywideFactor(rid, ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r)),
                MessageType.QuoteDropoff => Command.QuoteDropoff(rid, r.ReadInt64(), ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r)),
                MessageType.GetOrder => Command.GetOrder(rid, r.ReadInt64()),
                MessageType.GetCourier => Command.GetCourier(rid, r.ReadInt64()),
                MessageType.GetCounts => Command.GetCounts(rid),
                MessageType.GetMetrics => Command.GetMetrics(rid),
                MessageType.GetServerStats => Command.GetServerStats(rid, count - 2 > need && r.ReadBoolean()),
                _ => throw new ProtocolException(ErrorCode.UnknownMessageType, rid, $"unknown request type {(int)type}"),
            };
        }
        catch (ProtocolException) { throw; }
        // Any other failure while reading untrusted bytes (wrong MessagePack type, truncated value,
        // integer overflow, invalid UTF-8) means the same thing to the peer: a malformed message.
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            string what = type == 0 ? "frame" : type.ToString();
            // Name the field at fault: walk the payload again from its start with the field table.
            string detail = type == 0 ? ex.Message : RequestFields.Diagnose(start, type) ?? ex.Message;
            throw new ProtocolException(ErrorCode.MalformedMessage, rid, $"malformed {what}: {detail}", ex);
        }
    }

    private static void WriteTerms(ref MessagePackWriter w, OrderTerms t)
    {
        WriteNumberOrNil(ref w, t.PickupBy, double.PositiveInfinity);
        WriteNumberOrNil(ref w, t.DeliverAfter, 0);
        WriteNumberOrNil(ref w, t.DeliverBy, double.PositiveInfinity);
        WriteNumberOrNil(ref w, t.PickupServiceMinutes, double.NaN);
        WriteNumberOrNil(ref w, t.DropoffServiceMinutes, double.NaN);
    }

    /// <summary>nil for a field's "none" value, so any client can leave it out with nil.</summary>
    private static void WriteNumberOrNil(ref MessagePackWriter w, double value, double none)
    {
        if (value.Equals(none)) w.WriteNil();
        else w.Write(value);
    }

    /// <summary>
    /// PlaceOrder's optional trailing fields, in order: pickupBy, deliverAfter, deliverBy,
    /// pickupServiceMinutes, dropoffServiceMinutes; nil or absent for "none". Fields past them are
    /// left unread like any extra trailing field.
    /// </summary>
    private static OrderTerms ReadTerms(ref MessagePackReader r, int available)
    {
        var t = OrderTerms.None;
        int n = Math.Min(available, OrderTerms.WireFields);
        if (n > 0 && ReadNumberOrNil(ref r, out double pickupBy)) t = t with { PickupBy = pickupBy };
        if (n > 1 && ReadNumberOrNil(ref r, out double deliverAfter)) t = t with { DeliverAfter = deliverAfter };
        if (n > 2 && ReadNumberOrNil(ref r, out double deliverBy)) t = t with { DeliverBy = deliverBy };
        if (n > 3 && ReadNumberOrNil(ref r, out double pickupService)) t = t with { PickupServiceMinutes = pickupService };
        if (n > 4 && ReadNumberOrNil(ref r, out double dropoffService)) t = t with { DropoffServiceMinutes = dropoffService };
        return t;
    }

    private static bool ReadNumberOrNil(ref MessagePackReader r, out double value)
    {
        if (r.TryReadNil()) { value = 0; return false; }
        value = ReadNumber(ref r);
        return true;
    }

    /// <summary>A number, or nil read as NaN ("not given").</summary>
    private static double ReadNumberOrNaN(ref MessagePackReader r) => ReadNumberOrNil(ref r, out double v) ? v : double.NaN;

    private static void WritePoints(ref MessagePackWriter w, double[]? points)
    {
        if (points is null) { w.WriteArrayHeader(0); return; }
        w.WriteArrayHeader(points.Length);
        foreach (double v in points) w.Write(v);
    }

    /// <summary>
    /// A flat array of coordinates. The count is checked before anything is allocated: more than
    /// <see cref="ProtocolConstants.MaxTrafficPoints"/> points is refused with InvalidValue (the frame
    /// was well formed, the geometry is just too big).
    /// </summary>
    private static double[] ReadPoints(ref MessagePackReader r, uint rid)
    {
        int n = r.ReadArrayHeader();
        if (n > 2 * ProtocolConstants.MaxTrafficPoints)
            throw new ProtocolException(ErrorCode.InvalidValue, rid, $"geometry has {n} coordinates; at most {ProtocolConstants.MaxTrafficPoints} points ({2 * ProtocolConstants.MaxTrafficPoints} numbers) are accepted");
        var points = n == 0 ? Array.Empty<double>() : new double[n];
        for (int i = 0; i < n; i++) points[i] = ReadNumber(ref r);
        return points;
    }

    private static string? ReadStringAfterVersion(ref MessagePackReader r, out int version)
    {
        version = r.ReadInt32();
        return ReadStringOrNil(ref r);
    }
}
