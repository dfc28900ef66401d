using Dispatch.Promises;

namespace Dispatch.Core.Tests.Promises;

/// <summary>
/// Promises in the engine: recorded at placement, learnt from deliveries, kept in snapshots, re-quoted once per break,
/// and never a cause of any dispatch decision.
/// </summary>
public class PromiseEngineTests
{
    private static OrderRequest[] Orders(int seed, int n)
    {
        var rng = new Random(seed);
        var orders = new OrderRequest[n];
        for (int i = 0; i < n; i++)
        {
            int placed = rng.Next(0, 200);
            orders[i] = new OrderRequest(i, 1 + rng.Next(3), rng.Next(0, 8000), rng.Next(0, 8000), placed, placed + rng.Next(5, 25));
        }
        return orders;
    }

    private static DispatchEngine<EuclideanCeilMinutes> World(DispatchProfile profile)
    {
        var e = EngineFactory.Create(profile);
        e.AddSite(1, 1000, 1000); e.AddSite(2, 6000, 2000); e.AddSite(3, 3000, 7000);
        for (int c = 0; c < 5; c++) e.CourierOnShift(new CourierShift(c, 1000 * c, 2000, 0, 600), 0);
        return e;
    }

    /// <summary>Minutes 0..<paramref name="to"/>: confirm due stops, place due orders (with extra quotes and promise
    /// queries when <paramref name="quote"/>), tick.</summary>
    private static void Drive(DispatchEngine<EuclideanCeilMinutes> e, DecisionLog log, OrderRequest[] orders, int to, bool quote)
    {
        var sink = log.ToSink();
        for (int t = 0; t < to; t++)
        {
            log.ConfirmDue(e, t);
            foreach (var o in orders.Where(o => o.PlacedAt == t))
            {
                if (quote) for (int k = 0; k < 3; k++) e.QuoteDropoff(o.SiteId, o.DropX, o.DropY, o.ReadyAt + k, t);
                e.PlaceOrder(o, t);
                if (quote) Assert.True(e.TryGetPromise(o.OrderId, out _));
            }
            e.Tick(t, ref sink);
        }
    }

    [Theory]
    [InlineData(DispatchProfile.Mdrp)]
    [InlineData(DispatchProfile.General)]
    [InlineData(DispatchProfile.Greedy)]
    public void Quoting_changes_no_dispatch_decision(DispatchProfile profile)
    {
        var orders = Orders(3, 120);
        var quiet = new DecisionLog();
        var asked = new DecisionLog();
        Drive(World(profile), quiet, orders, 400, quote: false);
        Drive(World(profile), asked, orders, 400, quote: true);
        Assert.Equal(quiet.Lines, asked.Lines);
        Assert.Contains(quiet.Lines, l => l.Contains("Kind = Requoted"));    // the run is busy enough to break promises
    }

    [Fact]
    public void Every_placed_order_has_a_promise_not_before_its_lower_bound_and_deliveries_teach_the_calibration()
    {
        var e = World(DispatchProfile.Mdrp);
        var log = new DecisionLog();
        var orders = Orders(5, 60);
        var promised = new Dictionary<long, double>();
        var sink = log.ToSink();
        for (int t = 0; t < 600; t++)
        {
            log.ConfirmDue(e, t);
            foreach (var o in orders.Where(o => o.PlacedAt == t))
            {
                e.PlaceOrder(o, t);
                Assert.True(e.TryGetPromise(o.OrderId, out var p));
                Assert.Equal(p.FirstPromised, p.Promised);
                Assert.True(p.Promised >= o.ReadyAt + e.Options.PickupServiceMinutes / 2 + e.Options.DropoffServiceMinutes / 2, $"order {o.OrderId}: promise {p.Promised}");
                Assert.True(double.IsFinite(p.PointEstimate), $"order {o.OrderId} at {t}: {p}");
                promised[o.OrderId] = p.Promised;
            }
            e.Tick(t, ref sink);
        }
        Assert.Equal(orders.Length, e.Counts.Delivered);
        Assert.True(e.RequoteCount > 0);
        Assert.Equal(e.RequoteCount, log.Lines.Count(l => l.Contains("Kind = Requoted")));
    }

    [Fact]
    public void A_plan_that_breaks_a_promise_is_requoted_once_with_its_reason()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 10 * TestSpeed.Min, 0, 0, 20), 0);
        Assert.True(e.TryGetPromise(100, out var promise));
        Assert.Equal(20 + 2 + 10 + 2, promise.Promised);
        var log = new DecisionLog();
        var sink = log.ToSink();
        int t = 0;
        for (; e.GetOrderStatus(100) != OrderStatus.Assigned; t++) e.Tick(t, ref sink);
        Assert.DoesNotContain(log.Lines, l => l.Contains("Requoted"));

        // The kitchen is 30 minutes late: the plan moves past the promise.
        e.ChangeReadyTime(100, 50, t);
        e.Tick(t, ref sink);
        var requotes = log.Lines.Where(l => l.Contains("Requoted")).ToList();
        var line = Assert.Single(requotes);
        Assert.True(e.TryGetPromise(100, out var after));
        Assert.Equal(after.PlannedDropoff + e.Options.EtaChangeThresholdMinutes, after.Promised);
        Assert.Equal(promise.Promised, after.FirstPromised);
        Assert.Contains("Reason = ReadyTimeChanged", line);
        Assert.Contains($"PreviousTime = {promise.Promised}", line);
        Assert.Contains($"NewTime = {after.Promised}", line);

        // Not again while the plan keeps the new promise.
        for (int k = 1; k <= 5; k++) e.Tick(t + k, ref sink);
        Assert.Single(log.Lines, l => l.Contains("Requoted"));
        Assert.Equal(1, e.RequoteCount);
    }

    [Fact]
    public void A_snapshot_keeps_the_promises_and_the_calibration()
    {
        var orders = Orders(9, 120);
        var e = World(DispatchProfile.Mdrp);
        var log = new DecisionLog();
        Drive(e, log, orders, 150, quote: false);
        Assert.True(e.Counts.Delivered > 20);
        var bytes = new MemoryStream();
        e.SaveSnapshot(bytes);
        bytes.Position = 0;
        var r = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(bytes, e.Travel, e.Options);
        var again = new MemoryStream();
        r.SaveSnapshot(again);
        Assert.Equal(bytes.ToArray(), again.ToArray());
        Assert.Equal(e.RequoteCount, r.RequoteCount);
        for (long id = 0; id < orders.Length; id++)
        {
            Assert.Equal(e.TryGetPromise(id, out var a), r.TryGetPromise(id, out var b));
            Assert.Equal(a, b);
        }
        for (int k = 0; k < 20; k++)
            Assert.Equal(e.QuoteDropoff(1 + k % 3, 500 * k, 8000 - 300 * k, 160 + k, 150), r.QuoteDropoff(1 + k % 3, 500 * k, 8000 - 300 * k, 160 + k, 150));
    }

    /// <summary>
    /// The calibration learns an order's error when the plan commits it, not only at its delivery: ten orders whose
    /// kitchen turns out 20 minutes late are committed 20 minutes past their point estimates, and before any of them is
    /// delivered, a new quote carries that lateness as its margin. (Learnt only at delivery, the engine had no evidence
    /// yet, and quoted its bare point estimate.)
    /// </summary>
    [Fact]
    public void A_commit_teaches_the_margin_before_any_delivery()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        for (int c = 0; c < 12; c++) e.CourierOnShift(new CourierShift(c, 300 * c, 500, 0, 300), 0);
        for (int i = 0; i < 10; i++) e.PlaceOrder(new OrderRequest(i, 1, 1000 + 400 * i, 2000, 0, 10), 0);
        var log = new DecisionLog();
        var sink = log.ToSink();
        e.Tick(0, ref sink);
        for (int i = 0; i < 10; i++) e.ChangeReadyTime(i, 30, 1);
        int t = 1;
        for (; t < 40 && Enumerable.Range(0, 10).Any(i => e.GetOrderStatus(i) == OrderStatus.Open); t++) e.Tick(t, ref sink);
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(i)));
        Assert.Equal(0, e.Counts.Delivered);
        var commitErrors = Enumerable.Range(0, 10).Select(i => { e.TryGetPromise(i, out var p); return p.PlannedDropoff - p.PointEstimate; }).ToArray();
        Assert.All(commitErrors, x => Assert.True(x >= 15, $"commit error {x}"));

        double point = e.QuoteEstimate(1, 3000, 3000, t + 10, t).Dropoff;
        double quote = e.QuoteDropoff(1, 3000, 3000, t + 10, t);
        Assert.Equal(ErrorQuantiles.Quantile(commitErrors.AsSpan(), e.Options.PromiseOnTimeProbability), quote - point, 6);
    }

    /// <summary>
    /// A kitchen's slip is learnt apart from the plan's errors, when the promised ready time comes due: twenty orders of
    /// one kitchen, eight of them announced 12 minutes late, teach every new quote a 12-minute margin as soon as their
    /// food comes due (before any delivery), the commit errors staying net of the slips; half an hour of kitchens on
    /// time later (no slip learnt within the horizon) the margin is the plan's own again. A snapshot taken while the
    /// slips count quotes the same.
    /// </summary>
    [Fact]
    public void A_kitchen_running_late_widens_the_margin_when_its_food_comes_due_and_not_for_longer_than_the_horizon()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        for (int c = 0; c < 24; c++) e.CourierOnShift(new CourierShift(c, 100 * c, 100, 0, 300), 0);
        for (int i = 0; i < 20; i++) e.PlaceOrder(new OrderRequest(i, 1, 1000 + 200 * i, 1500, 0, 10), 0);
        var log = new DecisionLog();
        var sink = log.ToSink();
        for (int t = 0; t <= 4; t++) e.Tick(t, ref sink);
        for (int i = 0; i < 8; i++) e.ChangeReadyTime(i, 22, 5);
        double quoteBefore = e.QuoteDropoff(1, 3000, 3000, 20, 5) - e.QuoteEstimate(1, 3000, 3000, 20, 5).Dropoff;
        for (int t = 5; t <= 10; t++) e.Tick(t, ref sink);
        Assert.Equal(0, e.Counts.Delivered);

        double during = e.QuoteDropoff(1, 3000, 3000, 20, 10) - e.QuoteEstimate(1, 3000, 3000, 20, 10).Dropoff;
        Assert.True(quoteBefore < 1, $"margin before any food came due {quoteBefore}");
        Assert.True(during >= 12, $"margin with 8 of 20 slips of 12 minutes {during}");
        // The commit errors are net of the slip: the slipped orders' plans moved by the slip, not by the plan.
        for (int i = 0; i < 8; i++)
        {
            Assert.True(e.TryGetPromise(i, out var p));
            if (double.IsFinite(p.PlannedDropoff)) Assert.True(p.PlannedDropoff - p.PointEstimate >= 11, $"order {i}: {p}");
        }
        var bytes = new MemoryStream();
        e.SaveSnapshot(bytes);
        bytes.Position = 0;
        var r = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(bytes, e.Travel, e.Options);
        Assert.Equal(e.QuoteDropoff(1, 3000, 3000, 20, 10), r.QuoteDropoff(1, 3000, 3000, 20, 10));

        for (int t = 11; t <= 45; t++) e.Tick(t, ref sink);
        double after = e.QuoteDropoff(1, 3000, 3000, 55, 45) - e.QuoteEstimate(1, 3000, 3000, 55, 45).Dropoff;
        Assert.True(after < 1, $"margin half an hour after the last slip {after}");
    }
}
