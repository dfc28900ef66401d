using System.Buffers;
using Dispatch.Protocol;
using MessagePack;

namespace Dispatch.Protocol.Tests;

public class CodecTests
{
    private static readonly Command[] Requests =
    [
        Command.Hello(1, "client", true),
        Command.Ping(2),
        Command.Subscribe(3, true),
        Command.AddSite(4, 7, 1.5, 2.5),
        Command.PlaceOrder(5, 100, 7, 10, 20, 30, 40, 3),
        Command.ChangeReadyTime(6, 100, 45),
        Command.CancelOrder(7, 100),
        Command.CourierOnShift(8, 10, 1, 2, 3, 4, 5),
        Command.CourierOffShift(9, 10),
        Command.UpdateCourierPosition(10, 10, 5, 6),
        Command.ConfirmPickup(11, 100, 50),
        Command.ConfirmDropoff(12, 100, 60),
        Command.Tick(13, 61),
        Command.GetOrder(14, 100),
        Command.GetCourier(15, 10),
        Command.GetCounts(16),
        Command.GetMetrics(17),
        Command.AddCongestionZone(18, 5, 0.4, 60, 120, [0, 0, 1000, 0, 1000, 1000, 0, 1000]),
        Command.AddClosure(19, 6, 30, double.PositiveInfinity, WireClosureKind.Line, [0, 500, 2000, 500]),
        Command.SetCitywideFactor(20, 0.7, 0, 90),
        Command.QuoteDropoff(21, 7, 1500, 2500, 20),
        Command.PlaceOrder(22, 101, 7, 10, 20, 30, 40, 2, new OrderTerms(PickupBy: 60, DeliverAfter: 45, DeliverBy: 90, PickupServiceMinutes: 3, DropoffServiceMinutes: 1.5)),
        Command.PlaceOrder(23, 102, 7, 10, 20, 30, 40, 1, new OrderTerms(DeliverBy: 75)),
        Command.GetServerStats(24),
        Command.GetServerStats(33, collectFirst: true),
        Command.DeliveryFailed(25, 100, 70, (int)WireDeliveryFailureReason.CustomerNotFound),
        Command.DeliveryFailed(26, 100, 70, (int)WireDeliveryFailureReason.WrongAddress, returned: false, remadeReadyAt: 82.5),
        Command.DeliveryFailed(27, 100, 70, (int)WireDeliveryFailureReason.Refused, returned: true),
        Command.WrongOrderDelivered(28, 100, 90),
        Command.WrongOrderDelivered(29, 100, 90, remadeReadyAt: 95),
        Command.OrderChanged(30, 100, newReadyAt: 50),
        Command.OrderChanged(31, 100, newSize: 1),
        Command.OrderChanged(32, 100, 55, 2),
    ];

    public static TheoryData<Command> EveryRequest() => new(Requests);

    [Theory]
    [MemberData(nameof(EveryRequest))]
    public void Every_request_round_trips(Command command) => Assert.Equal(command, RoundTrip(command));

    /// <summary>Traffic requests with the shapes and values a round trip could lose: no zone id, an open end, a polygon closure, a fractional drop-off.</summary>
    public static TheoryData<Command> TrafficRequests() => new(
        Command.AddCongestionZone(1, 42, 0.4, 60, 120, [0, 0, 1000, 0, 1000, 1000, 0, 1000]),
        Command.AddCongestionZone(2, -1, 4, 0, double.PositiveInfinity, [0.5, 0.25, 10, 0, 5, 5]),
        Command.AddClosure(3, 7, 30, double.PositiveInfinity, WireClosureKind.Line, [0, 500, 2000, 500]),
        Command.AddClosure(4, 8, 0, 10, WireClosureKind.Polygon, [0, 0, 10, 0, 10, 10, 0, 0]),
        Command.SetCitywideFactor(5, 0.7, 0, 90),
        Command.QuoteDropoff(6, 7, 1500.5, 2500, 20));

    [Theory]
    [MemberData(nameof(TrafficRequests))]
    public void Traffic_and_quote_requests_round_trip(Command command)
    {
        var back = RoundTrip(command);
        Assert.Equal(command, back);
        Assert.True(command.IsEngineEvent == command.IsTrafficEvent); // traffic events are engine events; the quote is a query
    }

    /// <summary>Writes <paramref name="command"/> as one frame, checks that the frame reader cuts exactly one frame, and decodes it.</summary>
    private static Command RoundTrip(Command command)
    {
        var f = new FrameBuffer();
        CommandCodec.WriteFrame(f, command);
        var seq = new ReadOnlySequence<byte>(f.WrittenMemory);
        Assert.Equal(FrameStatus.Frame, FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _));
        return CommandCodec.Read(payload);
    }

    [Fact]
    public void Every_request_type_is_covered()
    {
        var covered = Requests.Select(c => c.Type).ToHashSet();
        var requests = Enum.GetValues<MessageType>().Where(t => CommandCodec.FieldCount(t) >= 0);
        Assert.All(requests, t => Assert.Contains(t, covered));
    }

    /// <summary>An order without terms is written exactly as before terms existed (journals and traces keep their bytes).</summary>
    [Fact]
    public void An_order_without_terms_keeps_its_nine_field_form()
    {
        var plain = Command.PlaceOrder(5, 100, 7, 10, 20, 30, 40, 3);
        var none = Command.PlaceOrder(5, 100, 7, 10, 20, 30, 40, 3, OrderTerms.None);
        Assert.Null(none.Terms);
        Assert.Equal(plain, none);
        var f = new FrameBuffer();
        CommandCodec.WriteFrame(f, plain);
        var r = new MessagePackReader(f.WrittenMemory[ProtocolConstants.HeaderBytes..]);
        Assert.Equal(9, r.ReadArrayHeader());
    }

    /// <summary>A client in any language may send only the first terms, or nil for those it leaves to the server.</summary>
    [Fact]
    public void Order_terms_may_be_partial_or_nil()
    {
        byte[] partial = Pack(w =>
        {
            w.WriteArrayHeader(10);
            w.Write(11); w.Write(5u); w.Write(100L); w.Write(7L); w.Write(10.0); w.Write(20.0); w.Write(30.0); w.Write(40.0); w.Write(1);
            w.Write(55);                                   // pickupBy only, as an integer
            w.Flush();
        });
        Assert.Equal(new OrderTerms(PickupBy: 55), CommandCodec.Read(new ReadOnlySequence<byte>(partial)).Terms);

        byte[] nils = Pack(w =>
        {
            w.WriteArrayHeader(14);
            w.Write(11); w.Write(5u); w.Write(100L); w.Write(7L); w.Write(10.0); w.Write(20.0); w.Write(30.0); w.Write(40.0); w.Write(1);
            w.WriteNil(); w.WriteNil(); w.Write(80.0); w.WriteNil(); w.Write(2.5);
            w.Flush();
        });
        Assert.Equal(new OrderTerms(DeliverBy: 80, DropoffServiceMinutes: 2.5), CommandCodec.Read(new ReadOnlySequence<byte>(nils)).Terms);

        byte[] wrongType = Pack(w =>
        {
            w.WriteArrayHeader(10);
            w.Write(11); w.Write(5u); w.Write(100L); w.Write(7L); w.Write(10.0); w.Write(20.0); w.Write(30.0); w.Write(40.0); w.Write(1);
            w.Write("soon");
            w.Flush();
        });
        Assert.Equal(ErrorCode.MalformedMessage, Refused(wrongType).Code);
    }

    /// <summary>A client written from the document alone learns which field it got wrong and what was expected.</summary>
    [Fact]
    public void A_malformed_field_is_named_with_what_was_expected()
    {
        var wrongType = Refused(Pack(w =>
        {
            w.WriteArrayHeader(9);
            w.Write(11); w.Write(4u); w.Write(100L); w.Write(7L); w.Write(10.0); w.Write("north"); w.Write(30.0); w.Write(40.0); w.Write(1);
            w.Flush();
        }));
        Assert.Equal(4u, wrongType.RequestId);
        Assert.Contains("PlaceOrder field dropY (#6): expected a number, found String", wrongType.Message);

        var overflow = Refused(Pack(w =>
        {
            w.WriteArrayHeader(3);
            w.Write(13); w.Write(6u); w.Write(ulong.MaxValue);
            w.Flush();
        }));
        Assert.Contains("CancelOrder field orderId (#3): expected an integer that fits in a signed 64-bit id", overflow.Message);

        var badRid = Refused(Pack(w =>
        {
            w.WriteArrayHeader(3);
            w.Write(13); w.Write(-5); w.Write(1L);
            w.Flush();
        }));
        Assert.Contains("requestId (#2): expected an integer from 1 to 4294967295", badRid.Message);

        var badTerm = Refused(Pack(w =>
        {
            w.WriteArrayHeader(11);
            w.Write(11); w.Write(8u); w.Write(100L); w.Write(7L); w.Write(10.0); w.Write(20.0); w.Write(30.0); w.Write(40.0); w.Write(1);
            w.WriteNil(); w.Write(true);
            w.Flush();
        }));
        Assert.Contains("PlaceOrder field deliverAfter (#11): expected a number or nil, found Boolean", badTerm.Message);
    }

    /// <summary>Hello's optional sixth field, the bearer token: written only when there is one, read when present, nil allowed.</summary>
    [Fact]
    public void Hello_carries_an_optional_token_as_its_sixth_field()
    {
        var plain = Command.Hello(1, "c", true);
        var f = new FrameBuffer();
        CommandCodec.WriteFrame(f, plain);
        Assert.Equal(0x95, f.WrittenSpan[4]); // still the five-element array older servers read
        Assert.Equal(plain, CommandCodec.Read(new ReadOnlySequence<byte>(f.WrittenSpan[4..].ToArray())));

        var withToken = Command.Hello(2, "c", false, token: "s3cret");
        f.Reset();
        CommandCodec.WriteFrame(f, withToken);
        Assert.Equal(0x96, f.WrittenSpan[4]);
        var back = CommandCodec.Read(new ReadOnlySequence<byte>(f.WrittenSpan[4..].ToArray()));
        Assert.Equal("s3cret", back.Token);
        Assert.Equal(withToken, back);

        var nil = CommandCodec.Read(new ReadOnlySequence<byte>(Pack(w => { w.WriteArrayHeader(6); w.Write(1); w.Write(3u); w.Write(1); w.WriteNil(); w.Write(false); w.WriteNil(); w.Flush(); })));
        Assert.Null(nil.Token);
        var bad = Refused(Pack(w => { w.WriteArrayHeader(6); w.Write(1); w.Write(3u); w.Write(1); w.WriteNil(); w.Write(false); w.Write(42); w.Flush(); }));
        Assert.Contains("Hello field token (#6): expected a string or nil", bad.Message);
    }

    /// <summary>The field table that names fields in errors agrees with the decoder on how many each type needs.</summary>
    [Fact]
    public void The_field_table_matches_every_request_type()
    {
        foreach (var type in Enum.GetValues<MessageType>())
        {
            int need = CommandCodec.FieldCount(type);
            if (need < 0) continue;
            int required = RequestFields.Of(type)!.Count(f => !f.IsOptional);
            Assert.True(need == required, $"{type}: decoder needs {need}, table lists {required}");
        }
    }

    private static byte[] Pack(Action<MessagePackWriter> write)
    {
        var f = new FrameBuffer();
        var w = new MessagePackWriter(f);
        write(w);
        return f.WrittenSpan.ToArray();
    }

    private static ProtocolException Refused(byte[] payload) =>
        Assert.Throws<ProtocolException>(() => CommandCodec.Read(new ReadOnlySequence<byte>(payload)));

    [Fact]
    public void Integers_are_accepted_where_numbers_are_expected_and_trailing_fields_are_ignored()
    {
        var bytes = Pack(w =>
        {
            w.WriteArrayHeader(6);
            w.Write((int)MessageType.AddSite); w.Write(9u); w.Write(7L); w.Write(3); w.Write(4); w.Write("future field");
            w.Flush();
        });
        Assert.Equal(Command.AddSite(9, 7, 3, 4), CommandCodec.Read(new ReadOnlySequence<byte>(bytes)));
    }

    [Fact]
    public void Malformed_payloads_are_refused_with_the_request_id_when_readable()
    {
        Assert.Equal(ErrorCode.MalformedMessage, Refused(Pack(w => { w.Write(42); w.Flush(); })).Code);
        Assert.Equal(ErrorCode.MalformedMessage, Refused(Pack(w => { w.WriteArrayHeader(1); w.Write(2); w.Flush(); })).Code);
        var shortOrder = Refused(Pack(w => { w.WriteArrayHeader(3); w.Write(11); w.Write(77u); w.Write(1L); w.Flush(); }));
        Assert.Equal(ErrorCode.MalformedMessage, shortOrder.Code);
        Assert.Equal(77u, shortOrder.RequestId);
        var wrongType = Refused(Pack(w => { w.WriteArrayHeader(5); w.Write(10); w.Write(5u); w.Write("x"); w.Write(1.0); w.Write(2.0); w.Flush(); }));
        Assert.Equal(ErrorCode.MalformedMessage, wrongType.Code);
        Assert.Equal(5u, wrongType.RequestId);
        var unknown = Refused(Pack(w => { w.WriteArrayHeader(2); w.Write(999); w.Write(8u); w.Flush(); }));
        Assert.Equal(ErrorCode.UnknownMessageType, unknown.Code);
        Assert.Equal(8u, unknown.RequestId);
        // A reply type sent as a request is unknown too.
        Assert.Equal(ErrorCode.UnknownMessageType, Refused(Pack(w => { w.WriteArrayHeader(3); w.Write((int)MessageType.Ack); w.Write(1u); w.Write(0.0); w.Flush(); })).Code);
        // Truncated MessagePack inside a frame.
        var ok = new FrameBuffer();
        CommandCodec.WriteFrame(ok, Command.PlaceOrder(3, 1, 1, 1, 1, 1, 1));
        Assert.Equal(ErrorCode.MalformedMessage, Refused(ok.WrittenSpan[4..^5].ToArray()).Code);
    }

    [Fact]
    public void Replies_and_pushes_round_trip()
    {
        var f = new FrameBuffer();
        ReplyCodec.WriteAck(f, 1, 2.5);
        ReplyCodec.WriteError(f, 2, ErrorCode.UnknownId, "unknown order 5");
        ReplyCodec.WriteHelloOk(f, 3, "srv", ClockMode.Manual, 7, 4096);
        ReplyCodec.WritePong(f, 4, 8);
        ReplyCodec.WriteOrderInfo(f, 5, 100, 2, 10, 20, 30, double.NaN, double.NaN);
        ReplyCodec.WriteCourierInfo(f, 6, 10, true, true, 1, 2, 3, 4, 5, 6, 7);
        ReplyCodec.WriteCounts(f, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        ReplyCodec.WriteMetrics(f, 8, new MetricsSnapshot(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
        var w = ReplyCodec.BeginAssignment(f, 10, 3, false, 2);
        ReplyCodec.WriteStop(ref w, 1, 100, 1, 5, 6, 1, 2, 3, 4);
        ReplyCodec.WriteStop(ref w, 2, 100, -1, 7, 8, 4, 5, 6, 7);
        ReplyCodec.EndPush(f, ref w);
        ReplyCodec.WritePlanChange(f, 1, 100, 10, 9);
        ReplyCodec.WritePlanChange(f, (int)WirePlanChangeKind.Requoted, 101, 11, 12, 40, 47.5, (int)WirePlanChangeReason.Traffic);

        var seq = new ReadOnlySequence<byte>(f.WrittenMemory);
        var got = new List<ServerMessage>();
        while (FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _) == FrameStatus.Frame) got.Add(ReplyCodec.Read(payload));

        Assert.Equal(11, got.Count);
        Assert.Equal(new AckMessage(1, 2.5), got[0]);
        Assert.Equal(new ErrorMessage(2, ErrorCode.UnknownId, "unknown order 5"), got[1]);
        Assert.Equal(new HelloOkMessage(3, ProtocolConstants.Version, "srv", ClockMode.Manual, 7, 4096), got[2]);
        Assert.Equal(new PongMessage(4, 8), got[3]);
        var o = Assert.IsType<OrderInfoMessage>(got[4]);
        Assert.Equal((100L, WireOrderStatus.Assigned, 10L, 20.0, 30.0), (o.OrderId, o.Status, o.CourierId, o.PlannedPickup, o.PlannedDropoff));
        Assert.True(double.IsNaN(o.PickedUpAt) && double.IsNaN(o.DeliveredAt));
        Assert.Equal(new CourierInfoMessage(6, 10, true, true, 1, 2, 3, 4, 5, 6, 7), got[5]);
        Assert.Equal(new CountsMessage(7, 1, 2, 3, 4, 5, 6, 7, 8, 9), got[6]);
        Assert.Equal(new MetricsMessage(8, new MetricsSnapshot(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)), got[7]);
        var a = Assert.IsType<AssignmentMessage>(got[8]);
        Assert.Equal((10L, 3.0, false), (a.CourierId, a.AssignedAt, a.IsUpdate));
        Assert.Equal([new WireStop(WireStopKind.Pickup, 100, 1, 5, 6, 1, 2, 3, 4), new WireStop(WireStopKind.Dropoff, 100, -1, 7, 8, 4, 5, 6, 7)], a.Stops);
        Assert.Equal(new PlanChangeMessage(WirePlanChangeKind.Released, 100, 10, 9), got[9]);
        Assert.Equal(new PlanChangeMessage(WirePlanChangeKind.Requoted, 101, 11, 12, 40, 47.5, WirePlanChangeReason.Traffic), got[10]);
    }

    /// <summary>A Counts from a server before <c>returned</c> (8 fields after [type, rid]) reads it as 0.</summary>
    [Fact]
    public void Counts_from_a_server_before_returned_read_it_as_zero()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePack.MessagePackWriter(buffer);
        w.WriteArrayHeader(10);
        w.Write((int)MessageType.Counts); w.Write(7u);
        for (int i = 1; i <= 8; i++) w.Write(i);
        w.Flush();
        var got = ReplyCodec.Read(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.Equal(new CountsMessage(7, 1, 2, 3, 4, 5, 6, 7, 8, 0), got);
    }

    /// <summary>Every ServerStats field keeps its value and place, the NaN of "no snapshot yet" and 64-bit byte counts included.</summary>
    [Fact]
    public void Server_stats_round_trip()
    {
        var before = new ServerStats(12.5, 3.25, 5L << 33, 3L << 32, 40, 7, 2, 123_456_789_012, 9_876_543_210, 0,
            double.NaN, double.NaN, double.NaN, 1_400_000, 2_345, 678, 61L << 20);
        var after = before with { SnapshotsWritten = 3, LastSnapshotPauseMs = 4.5, SnapshotPauseP99Ms = 6.75, SnapshotPauseMaxMs = 6.75 };
        var f = new FrameBuffer();
        ReplyCodec.WriteServerStats(f, 9, before);
        ReplyCodec.WriteServerStats(f, 10, after);

        var seq = new ReadOnlySequence<byte>(f.WrittenMemory);
        var got = new List<ServerMessage>();
        while (FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _) == FrameStatus.Frame) got.Add(ReplyCodec.Read(payload));

        Assert.Equal([new ServerStatsMessage(9, before), new ServerStatsMessage(10, after)], got);
        var first = Assert.IsType<ServerStatsMessage>(got[0]).Stats;
        Assert.True(double.IsNaN(first.LastSnapshotPauseMs) && double.IsNaN(first.SnapshotPauseP99Ms) && double.IsNaN(first.SnapshotPauseMaxMs));

        // The array as docs/protocol.md lists it: [73, rid, 17 fields].
        var r = new MessagePackReader(f.WrittenMemory[ProtocolConstants.HeaderBytes..]);
        Assert.Equal(19, r.ReadArrayHeader());
        Assert.Equal((int)MessageType.ServerStats, r.ReadInt32());
        Assert.Equal(73, (int)MessageType.ServerStats);
        Assert.Equal(35, (int)MessageType.GetServerStats);
    }

    /// <summary>A ServerStats of a server from before liveHeapBytes (16 fields after [type, rid]) still reads, with -1 for it.</summary>
    [Fact]
    public void Server_stats_without_the_live_heap_read_as_minus_one()
    {
        var f = new FrameBuffer();
        f.BeginFrame();
        var w = new MessagePackWriter(f);
        w.WriteArrayHeader(18);
        w.Write((int)MessageType.ServerStats); w.Write(5u);
        w.Write(1.5); w.Write(2.5); w.Write(100L); w.Write(200L); w.Write(3); w.Write(2); w.Write(1);
        w.Write(10L); w.Write(20L); w.Write(1L); w.Write(0.5); w.Write(0.75); w.Write(1.25); w.Write(7); w.Write(6); w.Write(5);
        w.Flush();
        f.EndFrame();

        var seq = new ReadOnlySequence<byte>(f.WrittenMemory);
        Assert.Equal(FrameStatus.Frame, FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _));
        var st = Assert.IsType<ServerStatsMessage>(ReplyCodec.Read(payload)).Stats;
        Assert.Equal(new ServerStats(1.5, 2.5, 100, 200, 3, 2, 1, 10, 20, 1, 0.5, 0.75, 1.25, 7, 6, 5), st);
        Assert.Equal(-1, st.LiveHeapBytes);
    }
}
