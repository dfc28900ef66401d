using System.Buffers;
using MessagePack;
using static Dispatch.Protocol.MessagePackFields;

namespace Dispatch.Protocol;

/// <summary>
/// Encodes replies and pushes (server side, straight from primitives into a <see cref="FrameBuffer"/>,
/// no message objects) and decodes them (client side, into <see cref="ServerMessage"/> records).
/// </summary>
public static class ReplyCodec
{
    /// <summary>Ack: [64, rid, now].</summary>
    public static void WriteAck(FrameBuffer o, uint rid, double now)
    {
        var w = Begin(o, MessageType.Ack, rid, 1);
        w.Write(now);
        End(o, ref w);
    }

    /// <summary>Error: [65, rid, code, message].</summary>
    public static void WriteError(FrameBuffer o, uint rid, ErrorCode code, string message)
    {
        // Messages can quote client input; keep them well inside any sane frame limit.
        if (message.Length > 1000) message = message[..1000] + "...";
        var w = Begin(o, MessageType.Error, rid, 2);
        w.Write((int)code);
        w.Write(message);
        End(o, ref w);
    }

    /// <summary>HelloOk: [66, rid, version, serverName, clockMode, now, maxFrameBytes].</summary>
    public static void WriteHelloOk(FrameBuffer o, uint rid, string serverName, ClockMode clock, double now, int maxFrameBytes)
    {
        var w = Begin(o, MessageType.HelloOk, rid, 5);
        w.Write(ProtocolConstants.Version);
        w.Write(serverName);
        w.Write((int)clock);
        w.Write(now);
        w.Write(maxFrameBytes);
        End(o, ref w);
    }

    /// <summary>Pong: [67, rid, now].</summary>
    public static void WritePong(FrameBuffer o, uint rid, double now)
    {
        var w = Begin(o, MessageType.Pong, rid, 1);
        w.Write(now);
        End(o, ref w);
    }

    /// <summary>OrderInfo: [68, rid, orderId, status, courierId, plannedPickup, plannedDropoff, pickedUpAt, deliveredAt].</summary>
    public static void WriteOrderInfo(FrameBuffer o, uint rid, long orderId, int status, long courierId, double plannedPickup, double plannedDropoff, double pickedUpAt, double deliveredAt)
    {
        var w = Begin(o, MessageType.OrderInfo, rid, 7);
        w.Write(orderId); w.Write(status); w.Write(courierId);
        w.Write(plannedPickup); w.Write(plannedDropoff); w.Write(pickedUpAt); w.Write(deliveredAt);
        End(o, ref w);
    }

    /// <summary>CourierInfo: [69, rid, courierId, known, onShift, freeX, freeY, freeAt, shiftStart, shiftEnd, plannedStops, delivered].</summary>
    public static void WriteCourierInfo(FrameBuffer o, uint rid, long courierId, bool known, bool onShift, double freeX, double freeY, double freeAt,
        double shiftStart, double shiftEnd, int plannedStops, int delivered)
    {
        var w = Begin(o, MessageType.CourierInfo, rid, 10);
        w.Write(courierId); w.Write(known); w.Write(onShift);
        w.Write(freeX); w.Write(freeY); w.Write(freeAt); w.Write(shiftStart); w.Write(shiftEnd);
        w.Write(plannedStops); w.Write(delivered);
        End(o, ref w);
    }

    /// <summary>Counts: [70, rid, known, open, assigned, pickedUp, delivered, cancelled, couriers, couriersOnShift, returned].</summary>
    public static void WriteCounts(FrameBuffer o, uint rid, int known, int open, int assigned, int pickedUp, int delivered, int cancelled, int couriers,
        int couriersOnShift, int returned)
    {
        var w = Begin(o, MessageType.Counts, rid, 9);
        w.Write(known); w.Write(open); w.Write(assigned); w.Write(pickedUp); w.Write(delivered); w.Write(cancelled); w.Write(couriers);
        w.Write(couriersOnShift); w.Write(returned);
        End(o, ref w);
    }

    /// <summary>Metrics: [71, rid, now, uptimeSeconds, connections, inboxDepth, framesIn, framesOut, errors, ticks, lastTickMs, journalRecords, journalBytes, openOrders].</summary>
    public static void WriteMetrics(FrameBuffer o, uint rid, in MetricsSnapshot m)
    {
        var w = Begin(o, MessageType.Metrics, rid, 12);
        w.Write(m.Now); w.Write(m.UptimeSeconds); w.Write(m.Connections); w.Write(m.InboxDepth);
        w.Write(m.FramesIn); w.Write(m.FramesOut); w.Write(m.Errors); w.Write(m.Ticks); w.Write(m.LastTickMs);
        w.Write(m.JournalRecords); w.Write(m.JournalBytes); w.Write(m.OpenOrders);
        End(o, ref w);
    }

    /// <summary>Quote: [72, rid, promisedDropoff]; a non-finite quote (no courier can take the order) is sent as NaN.</summary>
    public static void WriteQuote(FrameBuffer o, uint rid, double promisedDropoff)
    {
        var w = Begin(o, MessageType.Quote, rid, 1);
        w.Write(double.IsFinite(promisedDropoff) ? promisedDropoff : double.NaN);
        End(o, ref w);
    }

    /// <summary>
    /// ServerStats: [73, rid, now, uptimeSeconds, rssBytes, managedHeapBytes, gen0, gen1, gen2, journalBytesOnDisk,
    /// snapshotBytesOnDisk, snapshotsWritten, lastSnapshotPauseMs, snapshotPauseP99Ms, snapshotPauseMaxMs, knownOrders, openOrders, couriers, liveHeapBytes].
    /// </summary>
    public static void WriteServerStats(FrameBuffer o, uint rid, in ServerStats s)
    {
        var w = Begin(o, MessageType.ServerStats, rid, 17);
        w.Write(s.Now); w.Write(s.UptimeSeconds); w.Write(s.RssBytes); w.Write(s.ManagedHeapBytes);
        w.Write(s.Gen0Collections); w.Write(s.Gen1Collections); w.Write(s.Gen2Collections);
        w.Write(s.JournalBytesOnDisk); w.Write(s.SnapshotBytesOnDisk); w.Write(s.SnapshotsWritten);
        w.Write(s.LastSnapshotPauseMs); w.Write(s.SnapshotPauseP99Ms); w.Write(s.SnapshotPauseMaxMs);
        w.Write(s.KnownOrders); w.Write(s.OpenOrders); w.Write(s.Couriers); w.Write(s.LiveHeapBytes);
        End(o, ref w);
    }

    /// <summary>Starts an Assignment push: [80, 0, courierId, assignedAt, isUpdate, [stops...]]. Follow with exactly <paramref name="stopCount"/> <see cref="WriteStop"/> calls, then <see cref="EndPush"/>.</summary>
    public static MessagePackWriter BeginAssignment(FrameBuffer o, long courierId, double assignedAt, bool isUpdate, int stopCount)
    {
        var w = Begin(o, MessageType.Assignment, ProtocolConstants.PushRequestId, 4);
        w.Write(courierId); w.Write(assignedAt); w.Write(isUpdate);
        w.WriteArrayHeader(stopCount);
        return w;
    }

    /// <summary>One stop of an Assignment push: [kind, orderId, siteId, x, y, departure, arrival, serviceAt, leave].</summary>
    public static void WriteStop(ref MessagePackWriter w, int kind, long orderId, long siteId, double x, double y, double departure, double arrival, double serviceAt, double leave)
    {
        w.WriteArrayHeader(9);
        w.Write(kind); w.Write(orderId); w.Write(siteId); w.Write(x); w.Write(y);
        w.Write(departure); w.Write(arrival); w.Write(serviceAt); w.Write(leave);
    }

    /// <summary>Ends a push begun with <see cref="BeginAssignment"/>.</summary>
    public static void EndPush(FrameBuffer o, ref MessagePackWriter w) => End(o, ref w);

    /// <summary>PlanChange push: [81, 0, kind, orderId, courierId, at, previousTime, newTime, reason] (the times NaN unless the
    /// kind uses them; reason appended last so clients that read 6 fields after [type, rid] still read the rest).</summary>
    public static void WritePlanChange(FrameBuffer o, int kind, long orderId, long courierId, double at, double previousTime = double.NaN, double newTime = double.NaN, int reason = 0)
    {
        var w = Begin(o, MessageType.PlanChange, ProtocolConstants.PushRequestId, 7);
        w.Write(kind); w.Write(orderId); w.Write(courierId); w.Write(at); w.Write(previousTime); w.Write(newTime); w.Write(reason);
        End(o, ref w);
    }

    private static MessagePackWriter Begin(FrameBuffer o, MessageType type, uint rid, int fields)
    {
        o.BeginFrame();
        var w = new MessagePackWriter(o);
        w.WriteArrayHeader(2 + fields);
        w.Write((int)type);
        w.Write(rid);
        return w;
    }

    private static void End(FrameBuffer o, ref MessagePackWriter w)
    {
        w.Flush();
        o.EndFrame();
    }

    /// <summary>Decodes a server frame payload. Throws <see cref="ProtocolException"/> on anything malformed.</summary>
    public static ServerMessage Read(in ReadOnlySequence<byte> payload)
    {
        var r = new MessagePackReader(payload);
        uint rid = 0;
        try
        {
            int count = r.ReadArrayHeader();
            if (count < 2) throw new ProtocolException(ErrorCode.MalformedMessage, 0, "a server frame must hold [type, requestId, ...]");
            var type = (MessageType)r.ReadInt32();
            rid = r.ReadUInt32();
            switch (type)
            {
                case MessageType.Ack: return new AckMessage(rid, ReadNumber(ref r));
                case MessageType.Error: return new ErrorMessage(rid, (ErrorCode)r.ReadInt32(), ReadStringOrNil(ref r) ?? "");
                case MessageType.HelloOk:
                    return new HelloOkMessage(rid, r.ReadInt32(), ReadStringOrNil(ref r) ?? "", (ClockMode)r.ReadInt32(), ReadNumber(ref r), r.ReadInt32());
                case MessageType.Pong: return new PongMessage(rid, ReadNumber(ref r));
                case MessageType.OrderInfo:
                    return new OrderInfoMessage(rid, r.ReadInt64(), (WireOrderStatus)r.ReadInt32(), r.ReadInt64(),
                        ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r));
                case MessageType.CourierInfo:
                    return new CourierInfoMessage(rid, r.ReadInt64(), r.ReadBoolean(), r.ReadBoolean(), ReadNumber(ref r), ReadNumber(ref r),
                        ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), r.ReadInt32(), r.ReadInt32());
                case MessageType.Counts:
                {
                    int known = r.ReadInt32(), open = r.ReadInt32(), assigned = r.ReadInt32(), pickedUp = r.ReadInt32();
                    int delivered = r.ReadInt32(), cancelled = r.ReadInt32(), couriers = r.ReadInt32();
                    // Servers before couriersOnShift sent 7 fields after [type, rid]: -1 = not reported.
                    int onShift = count >= 10 ? r.ReadInt32() : -1;
                    // Servers before returned sent 8: 0, since such a server reported a returned order in no field either.
                    int returned = count >= 11 ? r.ReadInt32() : 0;
                    return new CountsMessage(rid, known, open, assigned, pickedUp, delivered, cancelled, couriers, onShift, returned);
                }
                case MessageType.Metrics:
                    return new MetricsMessage(rid, new MetricsSnapshot(ReadNumber(ref r), ReadNumber(ref r), r.ReadInt32(), r.ReadInt32(), r.ReadInt64(),
                        r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), ReadNumber(ref r), r.ReadInt64(), r.ReadInt64(), r.ReadInt32()));
                case MessageType.Assignment:
                {
                    long courier = r.ReadInt64();
                    double at = ReadNumber(ref r);
                    bool update = r.ReadBoolean();
                    int n = r.ReadArrayHeader();
                    var stops = new WireStop[n];
                    for (int i = 0; i < n; i++)
                    {
                        int f = r.ReadArrayHeader();
                        if (f < 9) throw new ProtocolException(ErrorCode.MalformedMessage, rid, $"a stop needs 9 fields, got {f}");
                        stops[i] = new WireStop((WireStopKind)r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), ReadNumber(ref r), ReadNumber(ref r),
                            ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r));
                        for (int k = 9; k < f; k++) r.Skip();
                    }
                    return new AssignmentMessage(courier, at, update, stops);
                }
                case MessageType.Quote: return new QuoteMessage(rid, ReadNumber(ref r));
                case MessageType.ServerStats:
                    return new ServerStatsMessage(rid, new ServerStats(ReadNumber(ref r), ReadNumber(ref r), r.ReadInt64(), r.ReadInt64(),
                        r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(),
                        ReadNumber(ref r), ReadNumber(ref r), ReadNumber(ref r), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                        // Servers before liveHeapBytes sent 16 fields after [type, rid].
                        count >= 19 ? r.ReadInt64() : -1));
                case MessageType.PlanChange:
                {
                    var kind = (WirePlanChangeKind)r.ReadInt32();
                    long order = r.ReadInt64(), courier = r.ReadInt64();
                    double at = ReadNumber(ref r);
                    // Servers before the ETA fields sent 4 fields after [type, rid].
                    double previous = count >= 8 ? ReadNumber(ref r) : double.NaN;
                    double next = count >= 8 ? ReadNumber(ref r) : double.NaN;
                    // Servers before the reason sent 6 fields after [type, rid]: None.
                    var reason = count >= 9 ? (WirePlanChangeReason)r.ReadInt32() : WirePlanChangeReason.None;
                    return new PlanChangeMessage(kind, order, courier, at, previous, next, reason);
                }
                default:
                    throw new ProtocolException(ErrorCode.UnknownMessageType, rid, $"unknown server message type {(int)type}");
            }
        }
        catch (ProtocolException) { throw; }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ProtocolException(ErrorCode.MalformedMessage, rid, $"malformed server frame: {ex.Message}", ex);
        }
    }
}
