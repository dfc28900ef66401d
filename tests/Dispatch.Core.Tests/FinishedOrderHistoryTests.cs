namespace Dispatch.Core.Tests;

/// <summary>
/// A finished order leaves the hot order store for the compact history once no route names it, and answers every
/// query and refuses every event exactly as it did in the hot store. The oracle is an engine with infinite retention,
/// which keeps finished orders in their hot slots.
/// </summary>
public class FinishedOrderHistoryTests
{
    /// <summary>Order 100 delivered at 10, order 101 cancelled while assigned, order 102 cancelled while open; then a tick
    /// at 12 moves them.</summary>
    private static DispatchEngine<EuclideanCeilMinutes> Script(double retention)
    {
        var e = RetentionTests.TwoOrdersTicked(retention, secondDropX: 1200);
        var sink = new NullSink();
        e.PlaceOrder(new OrderRequest(102, 1, 900, 0, 1, 3), 1);
        e.CancelOrder(102, 1);
        e.ConfirmPickup(100, 2);
        if (e.GetOrderStatus(101) == OrderStatus.Assigned && e.TryGetOrder(101, out var v) && v.PickedUpAt is double.NaN)
            e.CancelOrder(101, 3);
        e.ConfirmDropoff(100, 10);
        e.Tick(12, ref sink);
        return e;
    }

    /// <summary>The three finished orders and one never placed (its placement is not tried: it would succeed).</summary>
    private static readonly long[] Ids = [100, 101, 102, Unknown];
    private const long Unknown = 103;

    [Fact]
    public void A_finished_order_in_the_history_answers_and_refuses_exactly_as_a_hot_one()
    {
        var hist = Script(retention: 30);
        var hot = Script(retention: double.PositiveInfinity);
        Assert.Equal((OrderStatus.Delivered, OrderStatus.Cancelled, OrderStatus.Cancelled), (hot.GetOrderStatus(100), hot.GetOrderStatus(101), hot.GetOrderStatus(102)));
        Assert.True(hot.TryGetOrder(101, out var cancelledAssigned) && cancelledAssigned.CourierId == 7, "order 101 was cancelled while assigned to courier 7");
        Assert.Equal(0, hot.OrdersInHistory);
        Assert.Equal(3, hist.OrdersInHistory);
        SameAnswers(hot, hist);

        // And after a snapshot round trip (the history is in it).
        using var snapshot = new MemoryStream();
        hist.SaveSnapshot(snapshot);
        snapshot.Position = 0;
        var restored = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(snapshot, new EuclideanCeilMinutes(320), hist.Options);
        Assert.Equal(3, restored.OrdersInHistory);
        SameAnswers(hot, restored);
    }

    [Fact]
    public void A_moved_order_frees_its_hot_slot_at_once_and_is_forgotten_when_its_retention_ends()
    {
        var e = Script(retention: 30);
        // Three hot slots were used; all three orders moved, so new placements reuse them.
        e.PlaceOrder(new OrderRequest(200, 1, 100, 0, 12, 12), 12);
        e.PlaceOrder(new OrderRequest(201, 1, 100, 0, 12, 12), 12);
        e.PlaceOrder(new OrderRequest(202, 1, 100, 0, 12, 12), 12);
        Assert.Equal(3, e.OrderSlots);
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(100));

        var sink = new NullSink();
        e.Tick(39, ref sink); // delivered at 10: known until 40
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(100));
        e.Tick(40, ref sink);
        Assert.Equal(OrderStatus.Unknown, e.GetOrderStatus(100));
        Assert.False(e.TryGetOrder(100, out _));
        Assert.Equal(0, e.OrdersInHistory);
        e.PlaceOrder(new OrderRequest(100, 1, 500, 0, 40, 45), 40);
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(100));
    }

    private static void SameAnswers(DispatchEngine<EuclideanCeilMinutes> expected, DispatchEngine<EuclideanCeilMinutes> actual)
    {
        Assert.Equal(expected.Counts, actual.Counts);
        foreach (long id in Ids)
        {
            Assert.Equal(expected.GetOrderStatus(id), actual.GetOrderStatus(id));
            Assert.Equal(expected.TryGetOrder(id, out var a), actual.TryGetOrder(id, out var b));
            Assert.Equal(a, b);
            if (id != Unknown) SameRefusal(expected, actual, e => e.PlaceOrder(new OrderRequest(id, 1, 0, 0, 12, 12), 12));
            SameRefusal(expected, actual, e => e.CancelOrder(id, 12));
            SameRefusal(expected, actual, e => e.ConfirmPickup(id, 12));
            SameRefusal(expected, actual, e => e.ConfirmPickup(id, 12, 11));
            SameRefusal(expected, actual, e => e.ConfirmDropoff(id, 12));
            SameRefusal(expected, actual, e => e.ConfirmDropoff(id, -1));
            SameRefusal(expected, actual, e => e.ChangeReadyTime(id, 20, 12));
            SameRefusal(expected, actual, e => e.ChangeReadyTime(id, 0.5, 12)); // before order 102's placement at 1
        }
    }

    /// <summary>Both engines refuse the call with the same error and message (the call must be refused: neither changes).</summary>
    private static void SameRefusal(DispatchEngine<EuclideanCeilMinutes> expected, DispatchEngine<EuclideanCeilMinutes> actual, Action<DispatchEngine<EuclideanCeilMinutes>> call)
    {
        var x = Assert.Throws<DispatchException>(() => call(expected));
        var y = Assert.Throws<DispatchException>(() => call(actual));
        Assert.Equal((x.Error, x.Message), (y.Error, y.Message));
    }
}
