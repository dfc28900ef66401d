using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Dispatch.Client;
using Dispatch.Protocol;
using Dispatch.Server.Tests.Snapshots;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Tests;

/// <summary>Traffic (congestion zones, closures, citywide factors) and drop-off quotes over the protocol.</summary>
public class TrafficTests
{
    // Site (1000, 1000) to drop-off (2500, 1800) is 1700 m: ceil(1700 / 320) = 6 minutes at normal speed.
    private const double DropX = 2500, DropY = 1800, Leg = 6, Service = 2 + 2; // half pickup + half drop-off service
    private static readonly double[] Everywhere = [0, 0, 5000, 0, 5000, 5000, 0, 5000];

    /// <summary>A small grid (5 km square, 50 m cells) keeps rebuilds instant.</summary>
    private static void SmallGrid(ServerOptions o)
    {
        o.TrafficBounds = "0,0,5000,5000";
        o.TrafficCellSize = 50;
    }

    private static async Task SiteAndCourierAsync(DispatchClient c)
    {
        await c.AddSiteAsync(Scenario.Site, 1000, 1000);
        await c.CourierOnShiftAsync(Scenario.Courier, 900, 1200, 0, 240);
    }

    /// <summary>With the courier idle and the order ready far ahead, the quote is the lower bound: ready + service + the leg.</summary>
    private static async Task<double> LegViaQuoteAsync(DispatchClient c, double readyAt = 100)
    {
        var q = await c.QuoteDropoffAsync(Scenario.Site, DropX, DropY, readyAt);
        Assert.True(q.Available);
        return q.PromisedDropoff - readyAt - Service;
    }

    // ------------------------------------------------------------------ codec

    // (The traffic and quote requests' round trip through the codec: Dispatch.Protocol.Tests, CodecTests.)

    [Fact]
    public void Points_compare_by_content_and_integers_are_accepted_as_coordinates()
    {
        Assert.Equal(Command.AddCongestionZone(1, 1, 0.5, 0, 1, [1, 2, 3, 4, 5, 6]), Command.AddCongestionZone(1, 1, 0.5, 0, 1, [1, 2, 3, 4, 5, 6]));
        Assert.NotEqual(Command.AddCongestionZone(1, 1, 0.5, 0, 1, [1, 2, 3, 4, 5, 6]), Command.AddCongestionZone(1, 1, 0.5, 0, 1, [1, 2, 3, 4, 5, 7]));
        var f = new FrameBuffer();
        var w = new MessagePack.MessagePackWriter(f);
        w.WriteArrayHeader(7);
        w.Write((int)MessageType.AddCongestionZone); w.Write(9u); w.Write(3L); w.Write(1); w.Write(0); w.Write(10);
        w.WriteArrayHeader(6); w.Write(0); w.Write(0); w.Write(10); w.Write(0); w.Write(0); w.Write(10);
        w.Flush();
        Assert.Equal(Command.AddCongestionZone(9, 3, 1, 0, 10, [0, 0, 10, 0, 0, 10]), CommandCodec.Read(new ReadOnlySequence<byte>(f.WrittenMemory)));
    }

    [Fact]
    public void More_than_the_point_limit_is_refused_while_decoding()
    {
        var f = new FrameBuffer();
        var w = new MessagePack.MessagePackWriter(f);
        w.WriteArrayHeader(7);
        w.Write((int)MessageType.AddClosure); w.Write(5u); w.Write(1L); w.Write(0.0); w.Write(10.0); w.Write(0);
        w.WriteArrayHeader(2 * ProtocolConstants.MaxTrafficPoints + 2); // the count is checked before the points are read
        for (int i = 0; i < 2 * ProtocolConstants.MaxTrafficPoints + 2; i++) w.Write(i);
        w.Flush();
        var ex = Assert.Throws<ProtocolException>(() => CommandCodec.Read(new ReadOnlySequence<byte>(f.WrittenMemory)));
        Assert.Equal((ErrorCode.InvalidValue, 5u), (ex.Code, ex.RequestId));
    }

    [Fact]
    public void Quote_and_the_eta_fields_of_plan_changes_round_trip()
    {
        var f = new FrameBuffer();
        ReplyCodec.WriteQuote(f, 3, 42.5);
        ReplyCodec.WriteQuote(f, 4, double.PositiveInfinity);
        ReplyCodec.WritePlanChange(f, (int)WirePlanChangeKind.EtaChanged, 100, 10, 7, 30, 36.5);
        ReplyCodec.WritePlanChange(f, (int)WirePlanChangeKind.Released, 101, 11, 8);
        var seq = new ReadOnlySequence<byte>(f.WrittenMemory);
        var got = new List<ServerMessage>();
        while (FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _) == FrameStatus.Frame) got.Add(ReplyCodec.Read(payload));
        Assert.Equal(new QuoteMessage(3, 42.5), got[0]);
        var none = Assert.IsType<QuoteMessage>(got[1]);
        Assert.False(none.Available);
        Assert.True(double.IsNaN(none.PromisedDropoff));
        Assert.Equal(new PlanChangeMessage(WirePlanChangeKind.EtaChanged, 100, 10, 7, 30, 36.5), got[2]);
        Assert.Equal(new PlanChangeMessage(WirePlanChangeKind.Released, 101, 11, 8), got[3]);
    }

    // ------------------------------------------------------------------ loopback

    [Fact]
    public async Task A_congestion_zone_slows_a_committed_route_and_subscribers_get_eta_changes()
    {
        await using var s = await TestServer.StartAsync(SmallGrid);
        await using var c = await s.ConnectAsync(subscribe: true);
        var pushes = new ConcurrentQueue<ServerMessage>();
        c.PushReceived += pushes.Enqueue;
        await Scenario.SetUpAsync(c);
        double t = await Scenario.TickUntilAssignedAsync(c);
        var before = await c.GetOrderAsync(Scenario.Order);
        Assert.True(double.IsFinite(before.PlannedDropoff));

        // Quarter speed everywhere from now on. It applies from the next tick, which re-times the route.
        await c.AddCongestionZoneAsync(1, 0.25, t, double.PositiveInfinity, Everywhere);
        Assert.Equal(before with { RequestId = 0 }, (await c.GetOrderAsync(Scenario.Order)) with { RequestId = 0 });
        await c.TickAsync(t + 1);

        var after = await c.GetOrderAsync(Scenario.Order);
        Assert.Equal(WireOrderStatus.Assigned, after.Status);
        Assert.True(after.PlannedDropoff > before.PlannedDropoff + Leg, $"planned drop-off {before.PlannedDropoff} -> {after.PlannedDropoff}");
        var eta = pushes.OfType<PlanChangeMessage>().Where(p => p.Kind == WirePlanChangeKind.EtaChanged && p.OrderId == Scenario.Order).ToList();
        var last = Assert.Single(eta);
        Assert.Equal((Scenario.Courier, t + 1, before.PlannedDropoff, after.PlannedDropoff), (last.CourierId, last.At, last.PreviousTime, last.NewTime));
    }

    [Fact]
    public async Task Closures_add_a_detour_per_crossing_and_windows_open_and_close_on_ticks()
    {
        await using var s = await TestServer.StartAsync(SmallGrid);
        await using var c = await s.ConnectAsync();
        await SiteAndCourierAsync(c);
        await c.TickAsync(0);
        Assert.Equal(Leg, await LegViaQuoteAsync(c)); // no traffic ever added: the base rule, exactly

        // A road across the leg, closed from minute 1 to 5.
        await c.AddClosureAsync(1, 1, 5, WireClosureKind.Line, [1800, 0, 1800, 5000]);
        await c.TickAsync(1);
        Assert.InRange(await LegViaQuoteAsync(c), Leg + 10 - 1e-6, Leg + 10 + 1e-6); // ClosureDetourMinutes = 10

        // A closed area around a later part of the leg: a second crossing.
        await c.AddClosureAsync(2, 1, double.PositiveInfinity, WireClosureKind.Polygon, [2000, 1500, 2200, 1500, 2200, 1700, 2000, 1700]);
        await c.TickAsync(2);
        Assert.InRange(await LegViaQuoteAsync(c), Leg + 20 - 1e-6, Leg + 20 + 1e-6);

        // The road reopens at 5; rain halves speeds from 6 to 8.
        await c.SetCitywideFactorAsync(0.5, 6, 8);
        await c.TickAsync(5);
        Assert.InRange(await LegViaQuoteAsync(c), Leg + 10 - 1e-6, Leg + 10 + 1e-6);
        await c.TickAsync(6);
        Assert.InRange(await LegViaQuoteAsync(c), 2 * Leg + 10 - 1e-6, 2 * Leg + 10 + 1e-6);
        await c.TickAsync(8);
        Assert.InRange(await LegViaQuoteAsync(c), Leg + 10 - 1e-6, Leg + 10 + 1e-6);
    }

    [Fact]
    public async Task Quotes_are_at_least_the_lower_bound_and_grow_when_the_courier_is_busy()
    {
        await using var s = await TestServer.StartAsync(SmallGrid);
        await using var c = await s.ConnectAsync();
        await c.AddSiteAsync(Scenario.Site, 1000, 1000);
        await c.TickAsync(0);
        var none = await c.QuoteDropoffAsync(Scenario.Site, DropX, DropY, 5);
        Assert.False(none.Available); // no courier: NaN, documented

        await c.CourierOnShiftAsync(Scenario.Courier, 900, 1200, 0, 240);
        const double ready = 5;
        double idle = (await c.QuoteDropoffAsync(Scenario.Site, DropX, DropY, ready)).PromisedDropoff;
        Assert.True(idle >= ready + Service + Leg, $"idle quote {idle}");

        await c.PlaceOrderAsync(Scenario.Order, Scenario.Site, 2500, 1800, 0, 12);
        double t = await Scenario.TickUntilAssignedAsync(c);
        var courier = await c.GetCourierAsync(Scenario.Courier);
        double busy = (await c.QuoteDropoffAsync(Scenario.Site, DropX, DropY, ready)).PromisedDropoff;
        Assert.True(busy >= Math.Max(ready, t) + Service + Leg, $"busy quote {busy}");
        Assert.True(busy > idle, $"busy {busy} vs idle {idle}");
        Assert.True(busy >= courier.FreeAt, $"busy quote {busy} before the courier is free at {courier.FreeAt}");
    }

    [Fact]
    public async Task Bad_traffic_and_quote_inputs_get_clear_errors_and_change_nothing()
    {
        await using var s = await TestServer.StartAsync(o => { SmallGrid(o); o.MaxFrameBytes = 1 << 20; });
        await using var c = await s.ConnectAsync();
        await SiteAndCourierAsync(c);
        await c.AddCongestionZoneAsync(1, 0.5, 0, 10, Everywhere);
        long journaled = (await c.GetMetricsAsync()).Snapshot.JournalRecords;

        double[] square = [0, 0, 100, 0, 100, 100, 0, 100];
        double[] tooMany = new double[2 * (ProtocolConstants.MaxTrafficPoints + 1)];
        for (int i = 0; i < tooMany.Length / 2; i++)
        {
            double a = 2 * Math.PI * i / (tooMany.Length / 2);
            tooMany[2 * i] = 2500 + 1000 * Math.Cos(a);
            tooMany[2 * i + 1] = 2500 + 1000 * Math.Sin(a);
        }
        var cases = new (Command Request, ErrorCode Code, string Text)[]
        {
            (Command.AddCongestionZone(0, 2, 0, 0, 10, square), ErrorCode.InvalidValue, "(0, 4]"),
            (Command.AddCongestionZone(0, 2, 4.5, 0, 10, square), ErrorCode.InvalidValue, "(0, 4]"),
            (Command.AddCongestionZone(0, 2, double.NaN, 0, 10, square), ErrorCode.InvalidValue, "(0, 4]"),
            (Command.AddCongestionZone(0, 2, 0.5, 10, 5, square), ErrorCode.InvalidValue, "inverted"),
            (Command.AddCongestionZone(0, 2, 0.5, 5, 5, square), ErrorCode.InvalidValue, "inverted"),
            (Command.AddCongestionZone(0, 2, 0.5, double.NaN, 5, square), ErrorCode.InvalidValue, "window start"),
            (Command.AddCongestionZone(0, 2, 0.5, 0, double.NaN, square), ErrorCode.InvalidValue, "NaN"),
            (Command.AddCongestionZone(0, 2, 0.5, 0, 10, [0, 0, 100, double.NaN, 100, 100]), ErrorCode.InvalidValue, "finite"),
            (Command.AddCongestionZone(0, 2, 0.5, 0, 10, [0, 0, 100, 0, 100]), ErrorCode.InvalidValue, "odd"),
            (Command.AddCongestionZone(0, 2, 0.5, 0, 10, [0, 0, 100, 0]), ErrorCode.InvalidValue, "at least 3 distinct points"),
            (Command.AddCongestionZone(0, 2, 0.5, 0, 10, [0, 0, 100, 0, 0, 0, 100, 0]), ErrorCode.InvalidValue, "at least 3 distinct points"),
            (Command.AddCongestionZone(0, 2, 0.5, 0, 10, [0, 0, 100, 100, 100, 0, 0, 100]), ErrorCode.InvalidValue, "invalid polygon"), // a bow tie
            (Command.AddCongestionZone(0, 2, 0.5, 0, 10, tooMany), ErrorCode.InvalidValue, "at most 10000 points"),
            (Command.AddCongestionZone(0, 1, 0.5, 0, 10, square), ErrorCode.DuplicateId, "already exists"),
            (Command.AddClosure(0, 1, 0, 10, (WireClosureKind)2, square), ErrorCode.InvalidValue, "kind"),
            (Command.AddClosure(0, 1, 0, 10, WireClosureKind.Line, [0, 0]), ErrorCode.InvalidValue, "at least 2 distinct points"),
            (Command.AddClosure(0, 1, 0, 10, WireClosureKind.Line, [5, 5, 5, 5]), ErrorCode.InvalidValue, "at least 2 distinct points"),
            (Command.AddClosure(0, 1, 20, 10, WireClosureKind.Line, [0, 0, 10, 10]), ErrorCode.InvalidValue, "inverted"),
            (Command.AddClosure(0, 1, 0, 10, WireClosureKind.Polygon, [0, 0, 100, 100, 100, 0, 0, 100]), ErrorCode.InvalidValue, "invalid polygon"),
            (Command.SetCitywideFactor(0, -1, 0, 10), ErrorCode.InvalidValue, "(0, 4]"),
            (Command.SetCitywideFactor(0, 0.5, -5, 10), ErrorCode.InvalidValue, "window start"),
            (Command.SetCitywideFactor(0, 0.5, 10, 0), ErrorCode.InvalidValue, "inverted"),
            (Command.QuoteDropoff(0, 999, DropX, DropY, 5), ErrorCode.UnknownId, "999"),
            (Command.QuoteDropoff(0, Scenario.Site, double.NaN, DropY, 5), ErrorCode.InvalidValue, "drop-off"),
            (Command.QuoteDropoff(0, Scenario.Site, DropX, DropY, double.PositiveInfinity), ErrorCode.InvalidValue, "ready time"),
        };
        foreach (var (request, code, text) in cases)
        {
            var e = Assert.IsType<ErrorMessage>(await c.RequestAsync(request));
            Assert.True(e.Code == code && e.Message.Contains(text, StringComparison.Ordinal), $"{request.Type}: expected {code} with '{text}', got {e.Code}: {e.Message}");
        }
        // Nothing refused was journaled, the connection is fine, and a good closure with id 1 is still free.
        Assert.Equal(journaled, (await c.GetMetricsAsync()).Snapshot.JournalRecords);
        await c.AddClosureAsync(1, 0, 10, WireClosureKind.Line, [0, 0, 10, 10]);
        await c.AddCongestionZoneAsync(3, 4, 0, double.PositiveInfinity, [0, 0, 100, 0, 100, 100, 0, 100, 0, 0]); // explicitly closed ring: fine
        Assert.Equal(journaled + 2, (await c.GetMetricsAsync()).Snapshot.JournalRecords);
    }

    [Fact]
    public async Task Traffic_commands_are_recorded_in_the_trace_with_the_grid_settings()
    {
        string trace = Path.Combine(Path.GetTempPath(), "dispatch-tests", Guid.NewGuid().ToString("N") + ".dispatchtrace");
        try
        {
            double[] zone = [0, 0, 1000, 0, 1000, 1000, 0, 1000];
            await using (var s = await TestServer.StartAsync(o => { SmallGrid(o); o.RecordPath = trace; }))
            await using (var c = await s.ConnectAsync())
            {
                await SiteAndCourierAsync(c);
                await c.AddCongestionZoneAsync(5, 0.5, 0, 60, zone);
                await c.SetCitywideFactorAsync(0.8, 0, 30);
                Assert.IsType<ErrorMessage>(await c.RequestAsync(Command.SetCitywideFactor(0, 9, 0, 30))); // refused: not recorded
                await c.QuoteDropoffAsync(Scenario.Site, DropX, DropY, 10); // a query: not recorded
                await c.TickAsync(1);
            }
            var read = CommandTraceReader.ReadAll(trace);
            Assert.Equal(("0,0,5000,5000", 50.0, 10.0), (read.Header.TrafficBounds, read.Header.TrafficCellSize, read.Header.ClosureDetourMinutes));
            var types = read.Records.Select(r => r.Command.Type).ToArray();
            Assert.Equal(new[] { MessageType.AddSite, MessageType.CourierOnShift, MessageType.AddCongestionZone, MessageType.SetCitywideFactor, MessageType.Tick }, types);
            Assert.Equal(zone, read.Records[2].Command.Points);
        }
        finally
        {
            try { File.Delete(trace); } catch (IOException) { }
        }
    }

    // ------------------------------------------------------------------ recovery

    /// <summary>
    /// Starts a server on <paramref name="dir"/> (a snapshot every <paramref name="snapshotEvery"/> records, 0: none),
    /// builds a traffic picture with an active zone (half speed everywhere) and a pending citywide factor
    /// (added after the last tick: applies from the next one), checks what it does, and stops the server gracefully.
    /// </summary>
    private static async Task BuildPictureAsync(string dir, long snapshotEvery)
    {
        await using var s = await SnapshotServer.StartAsync(dir, snapshotEvery, SmallGrid);
        await using var c = await s.ConnectAsync();
        await SiteAndCourierAsync(c);
        await c.TickAsync(0);
        await c.AddCongestionZoneAsync(1, 0.5, 0, double.PositiveInfinity, Everywhere);
        await c.AddClosureAsync(7, 0, 1, WireClosureKind.Line, [0, 0, 10, 10]); // far away, and over by minute 1
        await c.AddClosureAsync(8, 0, double.PositiveInfinity, WireClosureKind.Line, [0, 0, 10, 10]); // far away, for good
        await c.TickAsync(1);
        await c.SetCitywideFactorAsync(0.5, 1, double.PositiveInfinity);
        await ExpectPictureAsync(c);
    }

    /// <summary>The picture <see cref="BuildPictureAsync"/> leaves: the zone applies, the citywide factor waits for a tick.</summary>
    private static async Task ExpectPictureAsync(DispatchClient c)
    {
        Assert.InRange(await LegViaQuoteAsync(c), 2 * Leg - 1e-6, 2 * Leg + 1e-6);
        Assert.Equal(ErrorCode.DuplicateId, Assert.IsType<ErrorMessage>(await c.RequestAsync(Command.AddCongestionZone(0, 1, 0.5, 0, 10, Everywhere))).Code);
        Assert.Equal(ErrorCode.DuplicateId, Assert.IsType<ErrorMessage>(await c.RequestAsync(Command.AddClosure(0, 8, 0, 10, WireClosureKind.Line, [0, 0, 1, 1]))).Code);
    }

    private static async Task AfterRestartAsync(DispatchClient c)
    {
        await ExpectPictureAsync(c);
        await c.TickAsync(2); // the pending citywide factor applies now, on top of the zone
        Assert.InRange(await LegViaQuoteAsync(c), 4 * Leg - 1e-6, 4 * Leg + 1e-6);
        // Closure 7 ended at minute 1 and was forgotten at that tick, before or after the restart alike: its id is free.
        Assert.IsType<AckMessage>(await c.RequestAsync(Command.AddClosure(0, 7, 2, 3, WireClosureKind.Line, [0, 0, 1, 1])));
    }

    [Fact]
    public async Task The_traffic_picture_survives_a_restart_from_the_journal()
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            await BuildPictureAsync(dir, snapshotEvery: 0);
            await using (var s = await SnapshotServer.StartAsync(dir, snapshotEvery: 0, SmallGrid))
            await using (var c = await s.ConnectAsync())
            {
                Assert.False(s.Recovery.UsedSnapshot);
                await AfterRestartAsync(c);
            }
        });
    }

    [Fact]
    public async Task The_traffic_picture_survives_a_restart_from_a_snapshot_and_an_old_format_snapshot_is_ignored()
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            await BuildPictureAsync(dir, snapshotEvery: 1000);
            Assert.Single(SnapshotServer.SnapshotSequences(dir)); // the graceful stop wrote one
            await using (var s = await SnapshotServer.StartAsync(dir, snapshotEvery: 1000, SmallGrid))
            await using (var c = await s.ConnectAsync())
            {
                Assert.True(s.Recovery.UsedSnapshot);
                Assert.Equal(0, s.Recovery.RecordsReplayed);
                await ExpectPictureAsync(c);
            }

            // A snapshot of the previous format (version 1: no traffic section) is skipped with a warning; the journal rebuilds everything.
            long[] records = SnapshotServer.SnapshotSequences(dir);
            string path = SnapshotServer.SnapshotPath(dir, records[^1]);
            byte[] bytes = await File.ReadAllBytesAsync(path);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 1);
            await File.WriteAllBytesAsync(path, bytes);
            await using (var s = await SnapshotServer.StartAsync(dir, snapshotEvery: 0, SmallGrid))
            await using (var c = await s.ConnectAsync())
            {
                Assert.False(s.Recovery.UsedSnapshot);
                Assert.True(s.Log.Contains(LogLevel.Warning, "older than this server's"), s.Log.ToString());
                await AfterRestartAsync(c);
            }
        });
    }

    [Fact]
    public async Task A_snapshot_taken_under_other_traffic_settings_is_not_used()
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            await BuildPictureAsync(dir, snapshotEvery: 1000);
            await using (var s = await SnapshotServer.StartAsync(dir, snapshotEvery: 0, o => { SmallGrid(o); o.TrafficCellSize = 100; }))
            {
                Assert.False(s.Recovery.UsedSnapshot);
                Assert.True(s.Log.Contains(LogLevel.Warning, "traffic.cellSize: 50 -> 100"), s.Log.ToString());
            }
        });
    }
}
