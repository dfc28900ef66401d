using Dispatch.Client;
using Dispatch.Protocol;
using Dispatch.Server.Journal;

namespace Dispatch.Server.Tests;

/// <summary>Failed and wrong deliveries and kitchen changes over the wire: round trips, refusals naming the field,
/// and recovery (journal replay, snapshot) giving the same state.</summary>
public class DeliveryExceptionTests
{
    /// <summary>The scenario's order picked up at its planned time; returns that time (the server's clock is there).</summary>
    private static async Task<double> PickedUpAsync(DispatchClient c)
    {
        await Scenario.SetUpAsync(c);
        await Scenario.TickUntilAssignedAsync(c);
        var o = await c.GetOrderAsync(Scenario.Order);
        double pickup = o.PlannedPickup;
        await c.TickAsync(Math.Ceiling(pickup));
        await c.ConfirmPickupAsync(Scenario.Order, pickup);
        return Math.Ceiling(pickup);
    }

    /// <summary>Ticks (confirming the order's stops at their planned times) until it is delivered; returns the tick.</summary>
    private static async Task<double> DeliverAsync(DispatchClient c, long orderId, double from)
    {
        for (double t = from; t < from + 120; t++)
        {
            await c.TickAsync(t);
            var o = await c.GetOrderAsync(orderId);
            if (o.Status == WireOrderStatus.Assigned && o.PlannedPickup <= t) { await c.ConfirmPickupAsync(orderId, o.PlannedPickup); continue; }
            if (o.Status == WireOrderStatus.PickedUp && o.PlannedDropoff <= t) { await c.ConfirmDropoffAsync(orderId, o.PlannedDropoff); return t; }
        }
        throw new Xunit.Sdk.XunitException($"order {orderId} never delivered");
    }

    [Fact]
    public async Task A_failed_delivery_is_remade_and_delivered_again_and_a_wrong_one_too()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync(subscribe: true);
        double t = await PickedUpAsync(c);
        await c.TickAsync(t + 5);
        await c.DeliveryFailedAsync(Scenario.Order, t + 5, WireDeliveryFailureReason.CustomerNotFound);
        var o = await c.GetOrderAsync(Scenario.Order);
        Assert.Equal(WireOrderStatus.Open, o.Status);
        Assert.Equal(-1, o.CourierId);

        double done = await DeliverAsync(c, Scenario.Order, t + 6);
        o = await c.GetOrderAsync(Scenario.Order);
        Assert.Equal(WireOrderStatus.Delivered, o.Status);
        Assert.True(o.PickedUpAt >= t + 5 + 10); // re-made: RemakeMinutes (10) after the report

        await c.TickAsync(done + 2);
        await c.WrongOrderDeliveredAsync(Scenario.Order, done + 2, remadeReadyAt: done + 6);
        Assert.Equal(WireOrderStatus.Open, (await c.GetOrderAsync(Scenario.Order)).Status);
        await DeliverAsync(c, Scenario.Order, done + 3);
        var k = await c.GetCountsAsync();
        Assert.Equal((1, 1), (k.Known, k.Delivered));
    }

    [Fact]
    public async Task A_returned_failed_delivery_answers_status_returned()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        double t = await PickedUpAsync(c);
        await c.DeliveryFailedAsync(Scenario.Order, t, WireDeliveryFailureReason.Refused, returned: true);
        Assert.Equal(WireOrderStatus.Returned, (await c.GetOrderAsync(Scenario.Order)).Status);
        // Counts adds up: the returned order is in returned, in no other status field.
        var k = await c.GetCountsAsync();
        Assert.Equal((1, 1, 0, 0, 0, 0, 0), (k.Known, k.Returned, k.Open, k.Assigned, k.PickedUp, k.Delivered, k.Cancelled));
    }

    [Fact]
    public async Task An_order_change_retimes_it_and_a_cancel_after_it_frees_the_courier()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await Scenario.SetUpAsync(c);
        double t = await Scenario.TickUntilAssignedAsync(c);
        var before = await c.GetOrderAsync(Scenario.Order);
        await c.OrderChangedAsync(Scenario.Order, newReadyAt: 40);
        var after = await c.GetOrderAsync(Scenario.Order);
        Assert.True(after.PlannedPickup >= 40 && after.PlannedPickup > before.PlannedPickup);
        await c.CancelOrderAsync(Scenario.Order);
        Assert.Equal(0, (await c.GetCourierAsync(Scenario.Courier)).PlannedStops);
    }

    [Fact]
    public async Task Impossible_reports_are_refused_naming_the_order_and_the_field()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await Scenario.SetUpAsync(c);
        await Scenario.TickUntilAssignedAsync(c);

        async Task<ErrorMessage> Refused(Command cmd, ErrorCode code, params string[] words)
        {
            var e = Assert.IsType<ErrorMessage>(await c.RequestAsync(cmd));
            Assert.Equal(code, e.Code);
            foreach (var w in words) Assert.Contains(w, e.Message);
            return e;
        }

        await Refused(Command.DeliveryFailed(0, Scenario.Order, 1, 1), ErrorCode.InvalidState, "order 100", "Assigned");
        await Refused(Command.WrongOrderDelivered(0, Scenario.Order, 1), ErrorCode.InvalidState, "order 100", "Assigned");
        await Refused(Command.DeliveryFailed(0, 999, 1, 1), ErrorCode.UnknownId, "999");
        await Refused(Command.OrderChanged(0, Scenario.Order), ErrorCode.InvalidValue, "order 100", "newReadyAt or newSize");
        await Refused(Command.OrderChanged(0, Scenario.Order, newSize: 5), ErrorCode.InvalidValue, "order 100", "newSize");
        await Refused(Command.OrderChanged(0, Scenario.Order, newReadyAt: double.PositiveInfinity), ErrorCode.InvalidValue, "newReadyAt");
        var o = await c.GetOrderAsync(Scenario.Order);
        await c.TickAsync(Math.Ceiling(o.PlannedPickup));
        await c.ConfirmPickupAsync(Scenario.Order, o.PlannedPickup);
        double now = Math.Ceiling(o.PlannedPickup);
        await Refused(Command.DeliveryFailed(0, Scenario.Order, now + 50, 1), ErrorCode.InvalidValue, "order 100", "at=", "later than now");
        await Refused(Command.DeliveryFailed(0, Scenario.Order, o.PlannedPickup - 1, 1), ErrorCode.InvalidValue, "order 100", "at=", "pickup");
        await Refused(Command.DeliveryFailed(0, Scenario.Order, now, 9), ErrorCode.InvalidValue, "order 100", "reason");
        await Refused(Command.DeliveryFailed(0, Scenario.Order, now, 256), ErrorCode.InvalidValue, "order 100", "reason");
        await Refused(Command.DeliveryFailed(0, Scenario.Order, now, 1, remadeReadyAt: now - 1), ErrorCode.InvalidValue, "order 100", "remadeReadyAt");
        await Refused(Command.DeliveryFailed(0, Scenario.Order, now, 1, returned: true, remadeReadyAt: now + 3), ErrorCode.InvalidValue, "remadeReadyAt");
        await Refused(Command.OrderChanged(0, Scenario.Order, newReadyAt: now + 3), ErrorCode.InvalidState, "order 100", "PickedUp");
        Assert.Equal(WireOrderStatus.PickedUp, (await c.GetOrderAsync(Scenario.Order)).Status);
    }

    [Fact]
    public async Task A_malformed_report_is_refused_naming_the_field()
    {
        await using var s = await TestServer.StartAsync();
        using var raw = await s.RawAsync();
        await raw.SendAsync(Command.Hello(1, "raw", subscribe: false));
        Assert.IsType<HelloOkMessage>(await raw.ReadAsync());
        // [23, rid, orderId, at, reason, returned, remadeReadyAt] with a string where `returned` goes.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePack.MessagePackWriter(buffer);
        w.WriteArrayHeader(7); w.Write(23); w.Write(2u); w.Write(100L); w.Write(5.0); w.Write(1); w.Write("yes"); w.WriteNil();
        w.Flush();
        await raw.SendAsync(RawConnection.RawFrame(buffer.WrittenSpan));
        var e = Assert.IsType<ErrorMessage>(await raw.ReadAsync());
        Assert.Equal(ErrorCode.MalformedMessage, e.Code);
        Assert.Contains("DeliveryFailed field returned", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task State_after_the_reports_survives_a_restart(bool snapshots)
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            void Configure(ServerOptions o)
            {
                o.Fsync = FsyncPolicy.Always;
                if (!snapshots) o.SnapshotEveryRecords = 0; // the restart replays the whole journal
            }
            OrderInfoMessage[] before;
            CountsMessage countsBefore;
            CourierInfoMessage courierBefore;
            double now;
            await using (var s = await TestServer.StartAsync(Configure, dir))
            await using (var c = await s.ConnectAsync())
            {
                double t = await PickedUpAsync(c);
                await c.PlaceOrderAsync(101, Scenario.Site, 3000, 1000, t, t + 10, size: 2);
                await c.PlaceOrderAsync(102, Scenario.Site, 1000, 3000, t, t + 10);
                await c.OrderChangedAsync(101, newReadyAt: t + 20, newSize: 1);
                await c.TickAsync(t + 2);
                await c.DeliveryFailedAsync(Scenario.Order, t + 2, WireDeliveryFailureReason.WrongAddress, remadeReadyAt: t + 9);
                await c.OrderChangedAsync(102, newReadyAt: t + 15);
                await c.CancelOrderAsync(102);
                now = t + 3;
                await c.TickAsync(now);
                before = [await c.GetOrderAsync(100), await c.GetOrderAsync(101), await c.GetOrderAsync(102)];
                countsBefore = await c.GetCountsAsync();
                courierBefore = await c.GetCourierAsync(Scenario.Courier);
            }
            await using (var s = await TestServer.StartAsync(Configure, dir))
            await using (var c = await s.ConnectAsync())
            {
                OrderInfoMessage[] after = [await c.GetOrderAsync(100), await c.GetOrderAsync(101), await c.GetOrderAsync(102)];
                Assert.Equal(before.Select(o => o with { RequestId = 0 }), after.Select(o => o with { RequestId = 0 }));
                Assert.Equal(countsBefore with { RequestId = 0 }, (await c.GetCountsAsync()) with { RequestId = 0 });
                Assert.Equal(courierBefore with { RequestId = 0 }, (await c.GetCourierAsync(Scenario.Courier)) with { RequestId = 0 });
                // And it goes on: the re-made order is delivered after the restart.
                await DeliverAsync(c, Scenario.Order, now + 1);
                Assert.Equal(WireOrderStatus.Delivered, (await c.GetOrderAsync(Scenario.Order)).Status);
            }
        });
    }
}
