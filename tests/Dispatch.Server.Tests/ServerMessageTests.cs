using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests;

/// <summary>Every message type, over loopback, against an in-process manual-clock server.</summary>
public class ServerMessageTests
{
    [Fact]
    public async Task Hello_reports_version_clock_and_limits()
    {
        await using var s = await TestServer.StartAsync(o => o.MaxFrameBytes = 4096);
        await using var c = await s.ConnectAsync();
        Assert.Equal(ProtocolConstants.Version, c.Server.Version);
        Assert.Equal(ClockMode.Manual, c.Server.Clock);
        Assert.Equal(4096, c.Server.MaxFrameBytes);
        Assert.Equal("dispatch-server", c.Server.ServerName);
    }

    [Fact]
    public async Task Ping_answers_before_and_after_hello()
    {
        await using var s = await TestServer.StartAsync();
        using var raw = await s.RawAsync();
        await raw.SendAsync(Command.Ping(5));
        Assert.Equal(new PongMessage(5, 0), await raw.ReadAsync());
        await using var c = await s.ConnectAsync();
        await c.TickAsync(3);
        Assert.Equal(3, (await c.PingAsync()).Now);
    }

    [Fact]
    public async Task Engine_events_are_acknowledged_and_visible_in_queries()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await Scenario.SetUpAsync(c);
        await c.UpdateCourierPositionAsync(Scenario.Courier, 950, 1150);
        var courier = await c.GetCourierAsync(Scenario.Courier);
        Assert.True(courier.Known);
        Assert.Equal((950.0, 1150.0), (courier.FreeX, courier.FreeY));
        Assert.Equal((0.0, 240.0), (courier.ShiftStart, courier.ShiftEnd));

        var order = await c.GetOrderAsync(Scenario.Order);
        Assert.Equal(WireOrderStatus.Open, order.Status);
        await c.ChangeReadyTimeAsync(Scenario.Order, 14);

        var counts = await c.GetCountsAsync();
        Assert.Equal(new CountsMessage(counts.RequestId, 1, 1, 0, 0, 0, 0, 1, 1), counts);

        Assert.Equal(WireOrderStatus.Unknown, (await c.GetOrderAsync(999)).Status);
        Assert.False((await c.GetCourierAsync(999)).Known);
    }

    [Fact]
    public async Task Ticks_push_assignments_to_subscribers_before_the_tick_ack_and_the_order_runs_its_course()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync(subscribe: true);
        var pushes = new List<ServerMessage>();
        c.PushReceived += m => { lock (pushes) pushes.Add(m); };
        await Scenario.SetUpAsync(c);

        AssignmentMessage? assignment = null;
        for (double t = 0; t <= 60 && assignment is null; t++)
        {
            await c.TickAsync(t);
            // The ack follows the pushes of its tick on the wire, so they have been raised by now.
            lock (pushes) assignment = pushes.OfType<AssignmentMessage>().FirstOrDefault();
        }
        Assert.NotNull(assignment);
        Assert.Equal(Scenario.Courier, assignment.CourierId);
        var pickup = Assert.Single(assignment.Stops, st => st.Kind == WireStopKind.Pickup);
        var drop = Assert.Single(assignment.Stops, st => st.Kind == WireStopKind.Dropoff);
        Assert.Equal((Scenario.Order, Scenario.Site), (pickup.OrderId, pickup.SiteId));
        Assert.True(pickup.ServiceAt >= 12 && drop.ServiceAt > pickup.ServiceAt);

        var order = await c.GetOrderAsync(Scenario.Order);
        Assert.Equal(WireOrderStatus.Assigned, order.Status);
        Assert.Equal(Scenario.Courier, order.CourierId);

        await c.TickAsync(pickup.ServiceAt);
        await c.ConfirmPickupAsync(Scenario.Order, pickup.ServiceAt);
        Assert.Equal(WireOrderStatus.PickedUp, (await c.GetOrderAsync(Scenario.Order)).Status);
        await c.TickAsync(drop.ServiceAt);
        await c.ConfirmDropoffAsync(Scenario.Order, drop.ServiceAt);
        var done = await c.GetOrderAsync(Scenario.Order);
        Assert.Equal(WireOrderStatus.Delivered, done.Status);
        Assert.Equal(drop.ServiceAt, done.DeliveredAt);
        Assert.Equal(1, (await c.GetCourierAsync(Scenario.Courier)).Delivered);
        Assert.Equal(1, (await c.GetCountsAsync()).Delivered);
    }

    [Fact]
    public async Task Courier_off_shift_releases_its_order_with_a_plan_change_push()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync(subscribe: true);
        var changes = new List<PlanChangeMessage>();
        c.PushReceived += m => { if (m is PlanChangeMessage p) lock (changes) changes.Add(p); };
        await Scenario.SetUpAsync(c);
        double t = await Scenario.TickUntilAssignedAsync(c);
        await c.CourierOffShiftAsync(Scenario.Courier);
        await c.TickAsync(t + 1);
        lock (changes) Assert.Equal(new PlanChangeMessage(WirePlanChangeKind.Released, Scenario.Order, Scenario.Courier, t, Reason: WirePlanChangeReason.CourierOffline), Assert.Single(changes));
        Assert.Equal(WireOrderStatus.Open, (await c.GetOrderAsync(Scenario.Order)).Status);
        Assert.False((await c.GetCourierAsync(Scenario.Courier)).OnShift);
    }

    [Fact]
    public async Task Cancel_of_an_assigned_order_pushes_a_plan_change_and_subscribe_toggles_pushes()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync(subscribe: false);
        var pushes = new List<ServerMessage>();
        c.PushReceived += m => { lock (pushes) pushes.Add(m); };
        await Scenario.SetUpAsync(c);
        double t = await Scenario.TickUntilAssignedAsync(c);
        lock (pushes) Assert.Empty(pushes); // not subscribed: no assignment push

        await c.SubscribeAsync(true);
        await c.CancelOrderAsync(Scenario.Order);
        await c.TickAsync(t + 1);
        lock (pushes) Assert.Equal(new PlanChangeMessage(WirePlanChangeKind.Cancelled, Scenario.Order, Scenario.Courier, t, Reason: WirePlanChangeReason.OrderCancelled), Assert.Single(pushes));
        Assert.Equal(WireOrderStatus.Cancelled, (await c.GetOrderAsync(Scenario.Order)).Status);
        Assert.Equal(1, (await c.GetCountsAsync()).Cancelled);
    }

    [Fact]
    public async Task Metrics_snapshot_counts_frames_ticks_and_journal()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await Scenario.SetUpAsync(c);
        await c.TickAsync(1);
        await c.TickAsync(2);
        var m = (await c.GetMetricsAsync()).Snapshot;
        Assert.Equal(2, m.Now);
        Assert.Equal(1, m.Connections);
        Assert.Equal(2, m.Ticks);
        Assert.Equal(5, m.JournalRecords); // site, courier, order, two ticks
        Assert.True(m.JournalBytes > 16);
        Assert.True(m.FramesIn >= 7 && m.FramesOut >= 6);
        Assert.Equal(1, m.OpenOrders + (await c.GetCountsAsync()).Assigned);
    }

    [Fact]
    public async Task Server_stats_report_memory_disk_snapshot_pauses_and_engine_size()
    {
        await using var s = await TestServer.StartAsync(o => o.SnapshotEveryRecords = 4);
        await using var c = await s.ConnectAsync();

        var empty = (await c.GetServerStatsAsync()).Stats;
        Assert.Equal((0L, 0, 0, 0), (empty.SnapshotsWritten, empty.KnownOrders, empty.OpenOrders, empty.Couriers));
        Assert.Equal((0.0, 0.0, 0.0), (empty.LastSnapshotPauseMs, empty.SnapshotPauseP99Ms, empty.SnapshotPauseMaxMs));
        Assert.Equal(0, empty.SnapshotBytesOnDisk);

        // Four journal records (site, courier, order, tick): one snapshot, between two batches.
        await Scenario.SetUpAsync(c);
        await c.TickAsync(1);
        await c.PingAsync();
        // The engine thread copies its state; the file is written in the background: wait until it is durable.
        var st = (await c.GetServerStatsAsync()).Stats;
        for (int i = 0; i < 200 && st.SnapshotsWritten == 0; i++)
        {
            await Task.Delay(25);
            st = (await c.GetServerStatsAsync()).Stats;
        }
        Assert.Equal(1, st.Now);
        Assert.True(st.UptimeSeconds > 0);
        Assert.True(st.RssBytes > 10 << 20, $"RSS {st.RssBytes}");              // a .NET process is tens of MB at least
        Assert.True(st.ManagedHeapBytes >= 0 && st.Gen0Collections >= st.Gen1Collections && st.Gen1Collections >= st.Gen2Collections);
        Assert.True(st.LiveHeapBytes >= 0 && (st.Gen2Collections == 0 || st.LiveHeapBytes > 0), $"live heap {st.LiveHeapBytes} after {st.Gen2Collections} full collections");
        Assert.Equal((1, 1, 1), (st.KnownOrders, st.OpenOrders, st.Couriers));
        Assert.Equal(1, st.SnapshotsWritten);
        Assert.True(st.LastSnapshotPauseMs > 0 && st.SnapshotPauseP99Ms == st.LastSnapshotPauseMs && st.SnapshotPauseMaxMs == st.LastSnapshotPauseMs);

        // The bytes on disk are the data directory's files: the journal segments now, the snapshots as of the last one written.
        long journal = Directory.GetFiles(s.DataDirectory, "journal*").Sum(f => new FileInfo(f).Length);
        long snapshots = Directory.GetFiles(s.DataDirectory, "snapshot-*.snap").Sum(f => new FileInfo(f).Length);
        Assert.True(journal > 16 && snapshots > 0);
        Assert.Equal((journal, snapshots), (st.JournalBytesOnDisk, st.SnapshotBytesOnDisk));
        Assert.Equal(journal, (await c.GetMetricsAsync()).Snapshot.JournalBytes);

        // A query: not journaled, so it does not count towards the next snapshot.
        Assert.Equal(4, (await c.GetMetricsAsync()).Snapshot.JournalRecords);
    }

    [Fact]
    public async Task Server_stats_with_collect_run_a_full_collection_first()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await Scenario.SetUpAsync(c);
        var before = (await c.GetServerStatsAsync()).Stats;
        var after = (await c.GetServerStatsAsync(collectFirst: true)).Stats;
        Assert.True(after.Gen2Collections > before.Gen2Collections, $"gen-2 collections {before.Gen2Collections} -> {after.Gen2Collections}");
        Assert.True(after.LiveHeapBytes > 0, $"live heap {after.LiveHeapBytes} right after a full collection");
        Assert.Equal((1, 1, 1), (after.KnownOrders, after.OpenOrders, after.Couriers));
        // The plain request is the two-element array it always was (a server from before the flag answers it).
        var plain = new FrameBuffer(64);
        CommandCodec.WriteFrame(plain, Command.GetServerStats(9));
        Assert.Equal(2, new MessagePack.MessagePackReader(plain.WrittenMemory[4..]).ReadArrayHeader());
    }

    [Fact]
    public async Task Engine_refusals_map_to_error_replies_and_the_connection_keeps_working()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await Scenario.SetUpAsync(c);

        async Task<ErrorCode> Refused(Command command) => Assert.IsType<ErrorMessage>(await c.RequestAsync(command)).Code;

        Assert.Equal(ErrorCode.UnknownId, await Refused(Command.PlaceOrder(0, 200, 42, 1, 1, 0, 1)));          // unknown site
        Assert.Equal(ErrorCode.UnknownId, await Refused(Command.ConfirmPickup(0, 999, 1)));                    // unknown order
        Assert.Equal(ErrorCode.UnknownId, await Refused(Command.UpdateCourierPosition(0, 999, 1, 1)));         // unknown courier
        Assert.Equal(ErrorCode.DuplicateId, await Refused(Command.AddSite(0, Scenario.Site, 1, 1)));
        Assert.Equal(ErrorCode.DuplicateId, await Refused(Command.PlaceOrder(0, Scenario.Order, Scenario.Site, 1, 1, 0, 1)));
        Assert.Equal(ErrorCode.InvalidValue, await Refused(Command.AddSite(0, 2, double.NaN, 1)));
        Assert.Equal(ErrorCode.InvalidValue, await Refused(Command.PlaceOrder(0, 201, Scenario.Site, 1, 1, -5, 1)));  // negative time
        Assert.Equal(ErrorCode.InvalidValue, await Refused(Command.PlaceOrder(0, 202, Scenario.Site, 1, 1, 10, 5))); // ready before placed
        Assert.Equal(ErrorCode.InvalidValue, await Refused(Command.CourierOnShift(0, 11, 1, 1, 10, 5)));            // inverted shift
        Assert.Equal(ErrorCode.InvalidValue, await Refused(Command.Tick(0, double.PositiveInfinity)));
        Assert.Equal(ErrorCode.InvalidState, await Refused(Command.ConfirmDropoff(0, Scenario.Order, 5)));        // not picked up
        await c.TickAsync(5);
        Assert.Equal(ErrorCode.InvalidValue, await Refused(Command.Tick(0, 4)));                                  // backwards

        // Nothing refused reached the engine or the journal.
        var counts = await c.GetCountsAsync();
        Assert.Equal((1, 1), (counts.Known, counts.Couriers));
        Assert.Equal(4, (await c.GetMetricsAsync()).Snapshot.JournalRecords);
    }

    [Fact]
    public async Task Tick_is_refused_on_a_wall_clock_server()
    {
        await using var s = await TestServer.StartAsync(o => o.Clock = ClockMode.Wall);
        await using var c = await s.ConnectAsync();
        Assert.Equal(ClockMode.Wall, c.Server.Clock);
        var ex = await Assert.ThrowsAsync<DispatchRequestException>(() => c.TickAsync(1));
        Assert.Equal(ErrorCode.WrongClockMode, ex.Code);
        await c.AddSiteAsync(1, 0, 0); // still serving
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_full_even_with_a_tiny_inbox()
    {
        // Inbox of 4: the read loop keeps pausing (backpressure), nothing is lost or reordered.
        await using var s = await TestServer.StartAsync(o => { o.InboxCapacity = 4; o.MaxBatch = 2; });
        await using var c = await s.ConnectAsync();
        await c.AddSiteAsync(1, 0, 0);
        var acks = Enumerable.Range(0, 2000).Select(i => c.PlaceOrderAsync(1000 + i, 1, i, i, 0, 1)).ToArray();
        await Task.WhenAll(acks).WaitAsync(TestServer.Timeout);
        Assert.Equal(2000, (await c.GetCountsAsync()).Known);
    }
}
