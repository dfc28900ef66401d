using NetTopologySuite.Geometries;

namespace Dispatch.Core.Tests.Replanning;

/// <summary>
/// Travel times change under committed routes (<see cref="DispatchEngine{TTravel}.TravelTimesChanged"/>
/// with a <see cref="TrafficAdjusted{TBase}"/> rule): routes are re-timed from where the couriers are,
/// and each moved drop-off is reported once, at the next tick, as <see cref="PlanChangeKind.EtaChanged"/>
/// with reason <see cref="PlanChangeReason.Traffic"/>. With re-planning off nothing moves.
/// </summary>
public class TrafficReplanningTests
{
    /// <summary>Three couriers each committed to one order (greedy: all ready now). Returns the engine at t=0 after the tick.</summary>
    private static (DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>> Engine, TrafficModel Model, Recorder Rec) ThreeRoutes(bool replanning)
    {
        var model = EngineFactory.CityModel();
        model.Update(0);
        var e = EngineFactory.TrafficEngine(model, new DispatchOptions { Profile = DispatchProfile.Greedy, Replanning = replanning });
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 5 * Min, 0, 0, 300), 0);     // east of the site
        e.CourierOnShift(new CourierShift(11, 0, 8 * Min, 0, 300), 0);     // north
        e.CourierOnShift(new CourierShift(12, -6 * Min, 0, 0, 300), 0);    // west
        e.PlaceOrder(new OrderRequest(100, 1, 10 * Min, 0, 0, 0), 0);       // delivered east
        e.PlaceOrder(new OrderRequest(101, 1, 0, 10 * Min, 0, 0), 0);       // north
        e.PlaceOrder(new OrderRequest(102, 1, -10 * Min, 3 * Min, 0, 0), 0); // west
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        Assert.Equal(3, e.Tick(0, ref sink));
        foreach (long o in new long[] { 100, 101, 102 }) Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(o));
        return (e, model, rec);
    }

    /// <summary>
    /// The Mdrp and General planners send a courier when leaving at the next tick would miss the food. With rain (half speed)
    /// announced from minute 1, the drive it would start then is twice as long (16 minutes, past the ready time), so it
    /// sends the courier at once, still dry, to wait at the counter. Without the rain it waits for a later tick.
    /// </summary>
    [Theory]
    [InlineData(DispatchProfile.Mdrp, true)]
    [InlineData(DispatchProfile.Mdrp, false)]
    [InlineData(DispatchProfile.General, true)]
    [InlineData(DispatchProfile.General, false)]
    public void A_courier_is_sent_early_enough_for_the_rain_announced_for_its_drive(DispatchProfile profile, bool rain)
    {
        var model = EngineFactory.CityModel();
        if (rain) model.AddCitywideFactor(0.5, 1, 200);
        model.Update(0);
        var e = EngineFactory.TrafficEngine(model, new DispatchOptions { Profile = profile });
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 8 * Min, 0, 0, 300), 0);      // 8 minutes from the site, 16 in the rain
        e.PlaceOrder(new OrderRequest(100, 1, 0, 5 * Min, 0, 18), 0);       // ready at 18
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        Assert.Equal(rain ? OrderStatus.Assigned : OrderStatus.Open, e.GetOrderStatus(100));
        if (rain) Assert.Equal(18, e.Order(100).PlannedPickup);             // leaves at 0, there at 8, the food at 18
    }

    private static Dictionary<long, (long Courier, double Pickup, double Drop)> Plans(DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>> e, params long[] orders) =>
        orders.ToDictionary(o => o, o => { var v = e.Order(o); return (v.CourierId, v.PlannedPickup, v.PlannedDropoff); });

    [Fact]
    public void A_citywide_slowdown_re_times_every_route_later_and_reports_each_eta_once_at_the_next_tick()
    {
        var (e, model, rec) = ThreeRoutes(replanning: true);
        var sink = new RecordingSink(rec);
        e.Tick(1, ref sink);
        var before = Plans(e, 100, 101, 102);
        var routesBefore = new[] { 10L, 11, 12 }.ToDictionary(c => c, c => e.Route(c));
        Assert.Empty(rec.Changes);

        model.AddCitywideFactor(0.5, 2, double.PositiveInfinity);           // rain: half speed from minute 2
        Assert.True(model.Update(2));
        e.TravelTimesChanged(2);

        var after = Plans(e, 100, 101, 102);
        foreach (long o in before.Keys)
        {
            Assert.Equal(before[o].Courier, after[o].Courier);                // nobody changes courier
            Assert.True(after[o].Drop >= before[o].Drop + 5, $"order {o}: drop-off {before[o].Drop} -> {after[o].Drop}, expected much later at half speed");
            Assert.True(after[o].Pickup > before[o].Pickup, $"order {o}: pickup {before[o].Pickup} -> {after[o].Pickup}");
        }
        foreach (var (c, old) in routesBefore)
        {
            var now = e.Route(c);
            Assert.Equal(old.Length, now.Length);
            Assert.Equal(old.Select(s => (s.Kind, s.OrderId)), now.Select(s => (s.Kind, s.OrderId)));
            // The drop leg is now twice as long as the plain rule says.
            var drop = now[^1];
            double plainLeg = new EuclideanCeilMinutes(320).Minutes(now[0].X, now[0].Y, drop.X, drop.Y);
            Assert.Equal(2 * plainLeg, drop.Arrival - drop.Departure, 6);
            Assert.Equal(drop.Leave, e.Courier(c).FreeAt);
            Assert.True(now[0].Departure >= 2 - 1e-9 || now[0].Arrival == old[0].Arrival, $"courier {c} re-timed from before the change");
        }
        Assert.Empty(rec.Changes);                                            // reported at the tick, not before

        e.Tick(3, ref sink);
        var etas = rec.Changes.Where(ch => ch.Kind == PlanChangeKind.EtaChanged).ToList();
        Assert.Equal(rec.Changes.Count, etas.Count);                          // nothing released: every pickup is a head stop
        Assert.Equal(new long[] { 100, 101, 102 }, etas.Select(ch => ch.OrderId).Order().ToArray());
        foreach (var ch in etas)
        {
            Assert.Equal(PlanChangeReason.Traffic, ch.Reason);
            Assert.Equal(2, ch.At);
            Assert.Equal(before[ch.OrderId].Courier, ch.CourierId);
            Assert.Equal(before[ch.OrderId].Drop, ch.PreviousTime);
            Assert.Equal(after[ch.OrderId].Drop, ch.NewTime);
            Assert.True(ch.PreviousTime < ch.NewTime);
        }
        e.Tick(4, ref sink);
        Assert.Equal(3, rec.Changes.Count);                                   // once
    }

    [Fact]
    public void A_zone_re_times_only_the_routes_it_touches_and_the_plan_already_drives_after_its_announced_end_at_normal_speed()
    {
        var (e, model, rec) = ThreeRoutes(replanning: true);
        var sink = new RecordingSink(rec);
        var geo = new GeometryFactory();
        var east = geo.CreatePolygon([new(2 * Min, -2 * Min), new(12 * Min, -2 * Min), new(12 * Min, 2 * Min), new(2 * Min, 2 * Min), new(2 * Min, -2 * Min)]);
        model.AddZone(new CongestionZone(east, 0.4, 1, 12, "east jam"));
        var before = Plans(e, 100, 101, 102);
        Assert.True(model.Update(1));
        e.TravelTimesChanged(1);
        var during = Plans(e, 100, 101, 102);
        Assert.True(during[100].Drop > before[100].Drop + 1, $"{before[100].Drop} -> {during[100].Drop}");
        Assert.Equal(before[101], during[101]);
        Assert.Equal(before[102], during[102]);
        e.Tick(2, ref sink);
        var ch = Assert.Single(rec.Changes);
        Assert.Equal((PlanChangeKind.EtaChanged, 100L, PlanChangeReason.Traffic, before[100].Drop, during[100].Drop),
            (ch.Kind, ch.OrderId, ch.Reason, ch.PreviousTime, ch.NewTime));

        // The jam's end (12) came with it: the courier leaves the restaurant after 12, and the plan made at 1 already
        // drives that leg at normal speed (the picture announced for its start). The jam clears on the way to the
        // customer and nothing moves.
        Assert.False(model.Update(10));
        Assert.True(during[100].Pickup <= 12 && during[100].Pickup + e.Options.PickupServiceMinutes / 2 >= 12, $"pickup planned at {during[100].Pickup}");
        e.ConfirmPickup(100, during[100].Pickup);
        double planned = e.Order(100).PlannedDropoff;
        Assert.Equal(during[100].Drop, planned);
        Assert.True(model.Update(12));
        e.TravelTimesChanged(12);
        Assert.Equal(planned, e.Order(100).PlannedDropoff);
        e.Tick(12, ref sink);
        Assert.DoesNotContain(rec.Changes.Skip(1), c => c.OrderId == 100);
    }

    [Fact]
    public void With_replanning_off_a_slowdown_moves_nothing_and_reports_nothing()
    {
        var (e, model, rec) = ThreeRoutes(replanning: false);
        var sink = new RecordingSink(rec);
        var before = Plans(e, 100, 101, 102);
        var routesBefore = new[] { 10L, 11, 12 }.ToDictionary(c => c, c => e.Route(c));
        var couriersBefore = new[] { 10L, 11, 12 }.ToDictionary(c => c, c => e.Courier(c));

        model.AddCitywideFactor(0.5, 2, double.PositiveInfinity);
        Assert.True(model.Update(2));
        e.TravelTimesChanged(2);
        e.UpdateCourierPosition(10, -30 * Min, 0, 2);                        // far behind: still no re-plan

        Assert.Equal(before, Plans(e, 100, 101, 102));
        foreach (var (c, r) in routesBefore) Assert.Equal(r, e.Route(c));
        foreach (var (c, v) in couriersBefore) Assert.Equal(v, e.Courier(c));
        for (int t = 3; t <= 6; t++) e.Tick(t, ref sink);
        Assert.Empty(rec.Changes);
    }

    [Fact]
    public void Travel_times_changed_is_refused_for_a_bad_time_and_harmless_when_nothing_is_committed()
    {
        var model = EngineFactory.CityModel();
        model.Update(0);
        var e = EngineFactory.TrafficEngine(model, new DispatchOptions { Profile = DispatchProfile.Mdrp });
        Assert.Equal(DispatchError.InvalidValue, Assert.Throws<DispatchException>(() => e.TravelTimesChanged(double.NaN)).Error);
        Assert.Equal(DispatchError.InvalidValue, Assert.Throws<DispatchException>(() => e.TravelTimesChanged(-1)).Error);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 100), 0);
        e.TravelTimesChanged(0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        Assert.Empty(rec.Changes);
        Assert.Equal(new CourierView(10, true, 0, 0, 0, 0, 100, 0, 0), e.Courier(10));
    }

    [Fact]
    public void New_orders_are_planned_with_the_slower_travel_times()
    {
        var model = EngineFactory.CityModel();
        model.AddCitywideFactor(0.5, 0, double.PositiveInfinity);
        model.Update(0);
        var e = EngineFactory.TrafficEngine(model, new DispatchOptions { Profile = DispatchProfile.Greedy });
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 5 * Min, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 10 * Min, 0, 0, 0), 0);
        var sink = new RecordingSink(new Recorder());
        e.Tick(0, ref sink);
        var r = e.Route(10);
        Assert.Equal(10, r[0].Arrival, 6);                                    // 5 minutes' distance at half speed
        Assert.Equal(12, r[0].ServiceAt, 6);
        Assert.Equal(14 + 20, r[1].Arrival, 6);
        // The quote's lower bound uses the same rule: 0 + 2 + 20 + 2.
        Assert.True(e.QuoteDropoff(1, 10 * Min, 0, 0, 0) >= 24 - 1e-6);
    }
}
