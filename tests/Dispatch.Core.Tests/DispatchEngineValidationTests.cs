namespace Dispatch.Core.Tests;

/// <summary>
/// Every refused event: the right <see cref="DispatchError"/>, a message naming the id (or value) at
/// fault, and an engine left exactly as it was (counts, orders, couriers, routes, last tick).
/// </summary>
public class DispatchEngineValidationTests
{
    // Distinctive ids so that "the message names the id" is a meaningful substring check.
    private const long Site = 501, OtherSite = 502;
    private const long Courier = 610, Courier2 = 611, Courier3 = 612, OffCourier = 613, UnknownCourier = 699;
    private const long Open = 7001, Assigned = 7002, PickedUp = 7003, Delivered = 7004, Cancelled = 7005, UnknownOrder = 7999, NewOrder = 7100;

    /// <summary>An engine with an order in every state and a courier already off shift; last tick at 5.</summary>
    private static DispatchEngine<EuclideanCeilMinutes> Build()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), new DispatchOptions { Profile = DispatchProfile.Greedy });
        e.AddSite(Site, 0, 0);
        e.AddSite(OtherSite, 5000, 5000);
        foreach (long c in new[] { Courier, Courier2, Courier3, OffCourier })
            e.CourierOnShift(new CourierShift(c, 0, 0, 0, 500), 0);
        e.CourierOffShift(OffCourier, 0);
        e.PlaceOrder(new OrderRequest(Assigned, Site, 640, 0, 0, 0), 0);
        e.PlaceOrder(new OrderRequest(PickedUp, Site, 0, 640, 0, 0), 0);
        e.PlaceOrder(new OrderRequest(Delivered, Site, 640, 640, 0, 0), 0);
        var sink = new NullSink();
        Assert.Equal(3, e.Tick(0, ref sink));
        e.ConfirmPickup(PickedUp, 2);
        e.ConfirmPickup(Delivered, 2);
        e.ConfirmDropoff(Delivered, 6);
        e.PlaceOrder(new OrderRequest(Cancelled, Site, 100, 100, 3, 10), 3);
        e.CancelOrder(Cancelled, 3);
        Assert.Equal(0, e.Tick(5, ref sink));
        e.PlaceOrder(new OrderRequest(Open, OtherSite, 6000, 6000, 5, 20), 5);   // placed after the last tick: still open

        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(Open));
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(Assigned));
        Assert.Equal(OrderStatus.PickedUp, e.GetOrderStatus(PickedUp));
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(Delivered));
        Assert.Equal(OrderStatus.Cancelled, e.GetOrderStatus(Cancelled));
        return e;
    }

    /// <summary>Everything observable through the public API.</summary>
    private static string Snapshot(DispatchEngine<EuclideanCeilMinutes> e)
    {
        var b = new System.Text.StringBuilder();
        b.Append(e.Counts).Append(' ').Append(e.LastTick).AppendLine();
        foreach (long o in new[] { Open, Assigned, PickedUp, Delivered, Cancelled, NewOrder, UnknownOrder })
        {
            b.Append(e.TryGetOrder(o, out var v)).Append(' ').Append(v).AppendLine();
        }
        var stops = new PlannedStop[32];
        foreach (long c in new[] { Courier, Courier2, Courier3, OffCourier, UnknownCourier })
        {
            b.Append(e.TryGetCourier(c, out var v)).Append(' ').Append(v).AppendLine();
            if (!e.TryGetCourier(c, out _)) continue;
            int n = e.CopyRoute(c, stops);
            for (int i = 0; i < n; i++) b.Append("  ").Append(stops[i]).AppendLine();
        }
        return b.ToString();
    }

    private static readonly Dictionary<string, (Action<DispatchEngine<EuclideanCeilMinutes>> Act, DispatchError Error, string Names)> Cases = new()
    {
        ["site with NaN x"] = (e => e.AddSite(777, double.NaN, 0), DispatchError.InvalidValue, "777"),
        ["site with infinite y"] = (e => e.AddSite(777, 0, double.PositiveInfinity), DispatchError.InvalidValue, "777"),
        ["duplicate site"] = (e => e.AddSite(Site, 1, 1), DispatchError.DuplicateId, "501"),

        ["order at an unknown site"] = (e => e.PlaceOrder(new OrderRequest(NewOrder, 999, 0, 0, 5, 5), 5), DispatchError.UnknownId, "999"),
        ["duplicate order"] = (e => e.PlaceOrder(new OrderRequest(Open, Site, 0, 0, 5, 5), 5), DispatchError.DuplicateId, "7001"),
        ["order with NaN drop-off x"] = (e => e.PlaceOrder(new OrderRequest(NewOrder, Site, double.NaN, 0, 5, 5), 5), DispatchError.InvalidValue, "7100"),
        ["order with infinite drop-off y"] = (e => e.PlaceOrder(new OrderRequest(NewOrder, Site, 0, double.NegativeInfinity, 5, 5), 5), DispatchError.InvalidValue, "7100"),
        ["order with negative placement time"] = (e => e.PlaceOrder(new OrderRequest(NewOrder, Site, 0, 0, -1, 5), 5), DispatchError.InvalidValue, "7100"),
        ["order with NaN ready time"] = (e => e.PlaceOrder(new OrderRequest(NewOrder, Site, 0, 0, 5, double.NaN), 5), DispatchError.InvalidValue, "7100"),
        ["order ready before placement"] = (e => e.PlaceOrder(new OrderRequest(NewOrder, Site, 0, 0, 10, 9), 10), DispatchError.InvalidValue, "7100"),
        ["order with size 0"] = (e => e.PlaceOrder(new OrderRequest(NewOrder, Site, 0, 0, 5, 5, Size: 0), 5), DispatchError.InvalidValue, "7100"),
        ["order placed at a negative now"] = (e => e.PlaceOrder(new OrderRequest(NewOrder, Site, 0, 0, 5, 5), -3), DispatchError.InvalidValue, "-3"),

        ["ready-time change of an unknown order"] = (e => e.ChangeReadyTime(UnknownOrder, 30, 6), DispatchError.UnknownId, "7999"),
        ["ready-time change to before placement"] = (e => e.ChangeReadyTime(Open, 4, 6), DispatchError.InvalidValue, "7001"),
        ["ready-time change to NaN"] = (e => e.ChangeReadyTime(Open, double.NaN, 6), DispatchError.InvalidValue, "7001"),
        ["ready-time change of a picked-up order"] = (e => e.ChangeReadyTime(PickedUp, 30, 6), DispatchError.InvalidState, "7003"),
        ["ready-time change of a delivered order"] = (e => e.ChangeReadyTime(Delivered, 30, 6), DispatchError.InvalidState, "7004"),

        ["cancel of an unknown order"] = (e => e.CancelOrder(UnknownOrder, 6), DispatchError.UnknownId, "7999"),
        ["cancel of a picked-up order"] = (e => e.CancelOrder(PickedUp, 6), DispatchError.InvalidState, "7003"),
        ["cancel of a delivered order"] = (e => e.CancelOrder(Delivered, 6), DispatchError.InvalidState, "7004"),
        ["cancel of a cancelled order"] = (e => e.CancelOrder(Cancelled, 6), DispatchError.InvalidState, "7005"),
        ["cancel at a NaN time"] = (e => e.CancelOrder(Assigned, double.NaN), DispatchError.InvalidValue, "NaN"),

        ["courier already on shift"] = (e => e.CourierOnShift(new CourierShift(Courier, 0, 0, 10, 20), 6), DispatchError.DuplicateId, "610"),
        ["courier with NaN start x"] = (e => e.CourierOnShift(new CourierShift(UnknownCourier, double.NaN, 0, 10, 20), 6), DispatchError.InvalidValue, "699"),
        ["courier with negative shift start"] = (e => e.CourierOnShift(new CourierShift(UnknownCourier, 0, 0, -10, 20), 6), DispatchError.InvalidValue, "699"),
        ["courier with infinite shift end"] = (e => e.CourierOnShift(new CourierShift(UnknownCourier, 0, 0, 10, double.PositiveInfinity), 6), DispatchError.InvalidValue, "699"),
        ["shift ending before it starts"] = (e => e.CourierOnShift(new CourierShift(UnknownCourier, 0, 0, 20, 10), 6), DispatchError.InvalidValue, "699"),
        ["courier with capacity 0"] = (e => e.CourierOnShift(new CourierShift(UnknownCourier, 0, 0, 10, 20, Capacity: 0), 6), DispatchError.InvalidValue, "699"),

        ["off shift of an unknown courier"] = (e => e.CourierOffShift(UnknownCourier, 6), DispatchError.UnknownId, "699"),
        ["off shift twice"] = (e => e.CourierOffShift(OffCourier, 6), DispatchError.InvalidState, "613"),
        ["position of an unknown courier"] = (e => e.UpdateCourierPosition(UnknownCourier, 1, 1, 6), DispatchError.UnknownId, "699"),
        ["NaN position"] = (e => e.UpdateCourierPosition(Courier, double.NaN, 1, 6), DispatchError.InvalidValue, "610"),

        ["pickup of an unknown order"] = (e => e.ConfirmPickup(UnknownOrder, 6), DispatchError.UnknownId, "7999"),
        ["pickup of an open order"] = (e => e.ConfirmPickup(Open, 6), DispatchError.InvalidState, "7001"),
        ["pickup of a picked-up order"] = (e => e.ConfirmPickup(PickedUp, 6), DispatchError.InvalidState, "7003"),
        ["pickup of a cancelled order"] = (e => e.ConfirmPickup(Cancelled, 6), DispatchError.InvalidState, "7005"),
        ["pickup at a negative time"] = (e => e.ConfirmPickup(Assigned, -1), DispatchError.InvalidValue, "7002"),

        ["drop-off of an unknown order"] = (e => e.ConfirmDropoff(UnknownOrder, 6), DispatchError.UnknownId, "7999"),
        ["drop-off before pickup"] = (e => e.ConfirmDropoff(Assigned, 6), DispatchError.InvalidState, "7002"),
        ["drop-off of an open order"] = (e => e.ConfirmDropoff(Open, 6), DispatchError.InvalidState, "7001"),
        ["drop-off twice"] = (e => e.ConfirmDropoff(Delivered, 9), DispatchError.InvalidState, "7004"),
        ["drop-off at an infinite time"] = (e => e.ConfirmDropoff(PickedUp, double.PositiveInfinity), DispatchError.InvalidValue, "7003"),

        ["tick going back in time"] = (e => { var s = new NullSink(); e.Tick(4, ref s); }, DispatchError.InvalidValue, "4"),
        ["tick at NaN"] = (e => { var s = new NullSink(); e.Tick(double.NaN, ref s); }, DispatchError.InvalidValue, "NaN"),
        ["tick at a negative time"] = (e => { var s = new NullSink(); e.Tick(-1, ref s); }, DispatchError.InvalidValue, "-1"),

        ["route of an unknown courier"] = (e => e.CopyRoute(UnknownCourier, new PlannedStop[4]), DispatchError.UnknownId, "699"),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void A_refused_event_throws_with_its_category_names_the_id_and_changes_nothing(string name)
    {
        var (act, error, names) = Cases[name];
        var e = Build();
        string before = Snapshot(e);

        var ex = Assert.Throws<DispatchException>(() => act(e));

        Assert.Equal(error, ex.Error);
        Assert.Contains(names, ex.Message);
        Assert.Equal(before, Snapshot(e));
    }

    [Fact]
    public void The_engine_keeps_working_after_a_refused_event()
    {
        var e = Build();
        Assert.Throws<DispatchException>(() => e.ConfirmPickup(Open, 6));
        var sink = new NullSink();
        e.Tick(9, ref sink);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(Open));   // courier 612, free again at 8, took it
        e.ConfirmDropoff(PickedUp, 7);
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(PickedUp));
    }

    [Fact]
    public void A_tick_at_the_same_time_as_the_last_is_allowed()
    {
        var e = Build();
        var sink = new NullSink();
        e.Tick(5, ref sink);
        Assert.Equal(5, e.LastTick);
    }

    [Fact]
    public void Invalid_options_are_refused_at_construction()
    {
        var travel = new EuclideanCeilMinutes(320);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchEngine<EuclideanCeilMinutes>(travel, new DispatchOptions { TickIntervalMinutes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchEngine<EuclideanCeilMinutes>(travel, new DispatchOptions { PickupServiceMinutes = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchEngine<EuclideanCeilMinutes>(travel, new DispatchOptions { CandidateCouriersPerSite = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchEngine<EuclideanCeilMinutes>(travel, new DispatchOptions { MaxBundleSize = 5, MaxRouteStops = 9 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchEngine<EuclideanCeilMinutes>(travel, new DispatchOptions { Profile = (DispatchProfile)77 }));
    }
}
