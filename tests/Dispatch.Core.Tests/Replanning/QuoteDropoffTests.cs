namespace Dispatch.Core.Tests.Replanning;

/// <summary>
/// <see cref="DispatchEngine{TTravel}.QuoteDropoff"/>: never below the order's own lower bound (ready + half
/// pickup + direct travel + half drop-off), later when the couriers are busy or far, +infinity with no
/// courier on shift, and refusals for an unknown site or bad values.
/// </summary>
public class QuoteDropoffTests
{
    private static double LowerBound<T>(DispatchEngine<T> e, (double X, double Y) site, double dx, double dy, double ready) where T : struct, ITravelTime =>
        ready + e.Options.PickupServiceMinutes / 2 + e.Travel.Minutes(site.X, site.Y, dx, dy) + e.Options.DropoffServiceMinutes / 2;

    [Fact]
    public void A_courier_waiting_at_the_site_quotes_exactly_the_lower_bound()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        Assert.Equal(20 + 2 + 10 + 2, e.QuoteDropoff(1, 10 * Min, 0, 20, 0));
        // Ready now: the pickup instant is half a service after arrival, so the quote is above the bound.
        Assert.Equal(0 + 2 + 2 + 10 + 2, e.QuoteDropoff(1, 10 * Min, 0, 0, 0));
        // A quote is a query: nothing was placed or committed.
        Assert.Equal(new EngineCounts(0, 0, 0, 0, 0, 0, 1), e.Counts);
    }

    /// <summary>
    /// A quote knows the weather ahead: with rain (every road at half speed) announced from minute 25, an order whose
    /// drive to the customer starts after it is quoted with that drive at rain speed; one whose drive is over before it
    /// is not; a travel rule that does not change with time quotes as before.
    /// </summary>
    [Fact]
    public void A_quote_made_before_announced_rain_times_the_drive_in_the_rain()
    {
        var model = new TrafficModel(-10_000, -10_000, 20_000, 20_000, 500);
        model.AddCitywideFactor(0.5, 25, 200);
        model.Update(0);
        var e = new DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>>(new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(Min), model),
            new DispatchOptions { Profile = DispatchProfile.Mdrp });
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        Assert.Equal(10 + 2 + 10 + 2, e.QuoteDropoff(1, 10 * Min, 0, 10, 0));        // drives 12..22: dry
        Assert.Equal(30 + 2 + 2 * 10 + 2, e.QuoteDropoff(1, 10 * Min, 0, 30, 0));    // drives from 32: in the rain

        var dry = EngineFactory.Create(DispatchProfile.Mdrp);
        dry.AddSite(1, 0, 0);
        dry.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        Assert.Equal(30 + 2 + 10 + 2, dry.QuoteDropoff(1, 10 * Min, 0, 30, 0));
    }

    [Fact]
    public void A_quote_is_never_below_the_lower_bound_on_random_inputs()
    {
        var rng = new Random(5);
        for (int round = 0; round < 30; round++)
        {
            var profile = (DispatchProfile)(round % 3);
            var model = EngineFactory.CityModel();
            if (round % 2 == 0) model.AddCitywideFactor(0.5 + rng.NextDouble(), 0, double.PositiveInfinity);
            model.Update(0);
            Check(EngineFactory.TrafficEngine(model, new DispatchOptions { Profile = profile }), rng);
            Check(new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), new DispatchOptions { Profile = profile, PickupServiceMinutes = 5, DropoffServiceMinutes = 3 }), rng);
        }

        static void Check<T>(DispatchEngine<T> e, Random rng) where T : struct, ITravelTime
        {
            double P() => rng.Next(-5000, 15_000);
            var sites = new[] { (P(), P()), (P(), P()) };
            e.AddSite(1, sites[0].Item1, sites[0].Item2);
            e.AddSite(2, sites[1].Item1, sites[1].Item2);
            int couriers = rng.Next(0, 6);
            for (int c = 0; c < couriers; c++) e.CourierOnShift(new CourierShift(10 + c, P(), P(), rng.Next(0, 30), rng.Next(40, 300)), 0);
            int orders = rng.Next(0, 10);
            for (int o = 0; o < orders; o++) e.PlaceOrder(new OrderRequest(100 + o, 1 + rng.Next(2), P(), P(), 0, rng.Next(0, 30)), 0);
            var sink = new RecordingSink(new Recorder());
            e.Tick(0, ref sink);
            for (int q = 0; q < 20; q++)
            {
                int site = rng.Next(2);
                double dx = P(), dy = P(), ready = rng.Next(0, 60), now = rng.Next(0, 20);
                double quote = e.QuoteDropoff(site + 1, dx, dy, ready, now);
                double bound = LowerBound(e, sites[site], dx, dy, ready);
                Assert.False(double.IsNaN(quote));
                Assert.True(quote >= bound, $"quote {quote} below the lower bound {bound}");
                if (couriers == 0) Assert.Equal(double.PositiveInfinity, quote);
            }
        }
    }

    [Fact]
    public void The_quote_grows_when_the_couriers_are_far_or_busy()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 2 * Min, 0, 0, 300), 0);     // 2 minutes away
        double near = e.QuoteDropoff(1, 10 * Min, 0, 0, 0);
        Assert.Equal(2 + 2 + 2 + 10 + 2, near);

        // Farther couriers only: later.
        var far = EngineFactory.Create(DispatchProfile.Greedy);
        far.AddSite(1, 0, 0);
        far.CourierOnShift(new CourierShift(10, 25 * Min, 0, 0, 300), 0);
        far.CourierOnShift(new CourierShift(11, 0, 30 * Min, 0, 300), 0);
        Assert.Equal(25 + 2 + 2 + 10 + 2, far.QuoteDropoff(1, 10 * Min, 0, 0, 0));

        // Busy: the only courier is committed to a long delivery first.
        e.PlaceOrder(new OrderRequest(100, 1, -20 * Min, 0, 0, 0), 0);
        var sink = new RecordingSink(new Recorder());
        e.Tick(0, ref sink);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));
        double busy = e.QuoteDropoff(1, 10 * Min, 0, 0, 0);
        double free = e.Courier(10).FreeAt;                                  // back from the far drop-off
        Assert.Equal(free + 20 + 2 + 2 + 10 + 2, busy);
        Assert.True(busy > near + 30);

        // More open orders than couriers: the open orders ready first are served first, each by the courier there
        // soonest among those free first, or in a bundle with the trip last started from its site when that drops it
        // off sooner (as the planner bundles); this order then takes the courier that reaches the site first. Orders
        // ready later do not queue ahead of it.
        var queue = EngineFactory.Create(DispatchProfile.Mdrp);
        queue.AddSite(1, 0, 0);
        queue.CourierOnShift(new CourierShift(10, 1 * Min, 0, 0, 300), 0);
        queue.CourierOnShift(new CourierShift(11, 15 * Min, 0, 0, 300), 0);
        double before = queue.QuoteDropoff(1, 10 * Min, 0, 0, 0);
        for (int o = 0; o < 4; o++) queue.PlaceOrder(new OrderRequest(300 + o, 1, 0, 5 * Min, 0, 50), 0);
        Assert.Equal(before, queue.QuoteDropoff(1, 10 * Min, 0, 0, 0));
        for (int o = 0; o < 4; o++) queue.PlaceOrder(new OrderRequest(200 + o, 1, 0, 5 * Min, 0, 0), 0);
        double queued = queue.QuoteDropoff(1, 10 * Min, 0, 0, 0);
        Assert.Equal(1 + 2 + 2 + 10 + 2, before);
        // 10 takes the 1st (pickup 3, drop-off 12); the drop-offs are one place, so the 2nd to 4th join its trip
        // (drop-offs 16, 20, 24: half a service each side and no drive, sooner than 11's own trip, drop-off 26); the
        // bundle is then full (MaxBundleSize 4) and 10 busy until 26; this order goes with 11: pickup 0 + 15 + 2 = 17,
        // drop-off 17 + 2 + 10 + 2. One order per courier trip it would have been 53.
        Assert.Equal(17 + 2 + 10 + 2, queued);
    }

    [Fact]
    public void A_queued_order_goes_to_the_courier_there_soonest_not_the_first_free_far_away()
    {
        // 11 is free first but 20 minutes from the site; 12 starts a minute later, a minute away. The queued order
        // (ready 0) goes with 12, as the planner would match it: pickup 1 + 1 + 2 = 4, drop-off 4 + 2 + 5 + 2 = 13,
        // 12 free at 15, five minutes from the site. This order (ready 10, too late to join that trip) then waits for
        // either: 11 at 0 + 20 + 2, or 12 at 15 + 5 + 2, both 22; drop-off 22 + 2 + 10 + 2. Given to 11 (the first
        // free), the queued order would have left 12 for this one: 10 + 2 + 10 + 2 = 24, a promise the planner breaks.
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(11, 20 * Min, 0, 0, 300), 0);
        e.CourierOnShift(new CourierShift(12, 1 * Min, 0, 1, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 0, 5 * Min, 0, 0), 0);
        Assert.Equal(22 + 2 + 10 + 2, e.QuoteDropoff(1, 10 * Min, 0, 10, 0));
    }

    [Fact]
    public void With_no_courier_on_shift_the_quote_is_infinite()
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 0, 0);
        Assert.Equal(double.PositiveInfinity, e.QuoteDropoff(1, 5 * Min, 0, 0, 0));

        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 100), 0);
        e.CourierOnShift(new CourierShift(11, 0, 0, 0, 20), 0);
        Assert.True(double.IsFinite(e.QuoteDropoff(1, 5 * Min, 0, 0, 0)));
        e.CourierOffShift(10, 5);
        Assert.True(double.IsFinite(e.QuoteDropoff(1, 5 * Min, 0, 0, 5)));
        Assert.Equal(double.PositiveInfinity, e.QuoteDropoff(1, 5 * Min, 0, 0, 20));   // 11's shift is over by then
        e.CourierOffShift(11, 6);
        Assert.Equal(double.PositiveInfinity, e.QuoteDropoff(1, 5 * Min, 0, 0, 6));

        // A courier on shift that cannot reach the site before its shift ends cannot take it either.
        var late = EngineFactory.Create(DispatchProfile.General);
        late.AddSite(1, 0, 0);
        late.CourierOnShift(new CourierShift(10, 60 * Min, 0, 0, 30), 0);
        Assert.Equal(double.PositiveInfinity, late.QuoteDropoff(1, 5 * Min, 0, 0, 0));
    }

    [Fact]
    public void Quotes_refuse_an_unknown_site_and_bad_values()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 100), 0);
        var unknown = Assert.Throws<DispatchException>(() => e.QuoteDropoff(7, 0, 0, 0, 0));
        Assert.Equal(DispatchError.UnknownId, unknown.Error);
        Assert.Contains("7", unknown.Message);
        Assert.Equal(DispatchError.InvalidValue, Assert.Throws<DispatchException>(() => e.QuoteDropoff(1, double.NaN, 0, 0, 0)).Error);
        Assert.Equal(DispatchError.InvalidValue, Assert.Throws<DispatchException>(() => e.QuoteDropoff(1, 0, double.PositiveInfinity, 0, 0)).Error);
        Assert.Equal(DispatchError.InvalidValue, Assert.Throws<DispatchException>(() => e.QuoteDropoff(1, 0, 0, -1, 0)).Error);
        Assert.Equal(DispatchError.InvalidValue, Assert.Throws<DispatchException>(() => e.QuoteDropoff(1, 0, 0, 0, double.NaN)).Error);
    }
}
