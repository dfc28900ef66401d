namespace Dispatch.Core.Tests.Promises;

/// <summary>
/// The promise as the MDRP planner's soft deadline (<see cref="DispatchOptions.PromiseLatenessWeight"/> per minute past
/// it, <see cref="DispatchOptions.PromiseBreakCost"/> for breaking it at all): with the weight the plan runs fewer minutes
/// past its promises where couriers are short, with the break cost it breaks fewer of them, the same inputs still give the
/// same decisions, and both at 0 plan as if no promise had been made (whatever the promises, the same decisions).
/// </summary>
public class PromiseDeadlineTests
{
    /// <summary>Orders over a 300-minute day from three sites, for <paramref name="couriers"/> couriers: more than they
    /// can serve within the hour at the peak, so the order of service decides which promises hold.</summary>
    private static OrderRequest[] Orders(int seed, int n)
    {
        var rng = new Random(seed);
        var orders = new OrderRequest[n];
        for (int i = 0; i < n; i++)
        {
            int placed = rng.Next(0, 300);
            orders[i] = new OrderRequest(i, 1 + rng.Next(3), rng.Next(0, 9000), rng.Next(0, 9000), placed, placed + rng.Next(5, 25));
        }
        return orders.OrderBy(o => o.PlacedAt).ThenBy(o => o.OrderId).ToArray();
    }

    private sealed record Run(List<string> Decisions, double MinutesLate, int Broken, double ClickToDoorMean);

    /// <summary>Places, ticks and confirms every stop at its planned time; sums the minutes by which drop-offs come after
    /// the promise recorded at their placement, and counts the promises broken.</summary>
    private static Run Drive(double weight, double breakCost, OrderRequest[] orders, int couriers, double onTime = 0.9)
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(TestSpeed.Min),
            // The rescue value of a freed courier off: it changes which orders are bundled, which on these synthetic days
            // moves the outcome as much as the order of service does. This test is about the weight's own effect; the
            // figures with both on are the shared traces' and the scenarios' (bench/results/promises.md).
            new DispatchOptions { Profile = DispatchProfile.Mdrp, PromiseLatenessWeight = weight, PromiseBreakCost = breakCost, PromiseOnTimeProbability = onTime, FreedCourierRescue = false });
        e.AddSite(1, 1000, 1000); e.AddSite(2, 7000, 2000); e.AddSite(3, 3000, 8000);
        for (int c = 0; c < couriers; c++) e.CourierOnShift(new CourierShift(c, 1000 * c, 3000, 0, 1200), 0);
        var log = new DecisionLog();
        var sink = log.ToSink();
        var promised = new Dictionary<long, double>();
        var dropped = new Dictionary<long, double>();
        int next = 0;
        for (int t = 0; t < 1200 && dropped.Count < orders.Length; t++)
        {
            foreach (var d in log.Due.Where(d => d.At <= t).OrderBy(d => d.At).ThenBy(d => d.Kind).ThenBy(d => d.Order).ToList())
            {
                log.Due.Remove(d);
                var st = e.GetOrderStatus(d.Order);
                if (d.Kind == StopKind.Pickup && st == OrderStatus.Assigned) e.ConfirmPickup(d.Order, d.At);
                else if (d.Kind == StopKind.Dropoff && st == OrderStatus.PickedUp) { e.ConfirmDropoff(d.Order, d.At); dropped[d.Order] = d.At; }
            }
            for (; next < orders.Length && orders[next].PlacedAt == t; next++)
            {
                e.PlaceOrder(orders[next], t);
                Assert.True(e.TryGetPromise(orders[next].OrderId, out var p));
                promised[orders[next].OrderId] = p.FirstPromised;
            }
            e.Tick(t, ref sink);
        }
        Assert.Equal(orders.Length, dropped.Count);
        double minutesLate = orders.Sum(o => Math.Max(0, dropped[o.OrderId] - promised[o.OrderId]));
        int broken = orders.Count(o => dropped[o.OrderId] > promised[o.OrderId]);
        return new Run(log.Lines, minutesLate, broken, orders.Average(o => dropped[o.OrderId] - o.PlacedAt));
    }

    [Fact]
    public void With_couriers_short_the_plan_is_fewer_minutes_past_its_promises_when_they_weigh_in_it()
    {
        // Thirty busy days (seeds), summed, six couriers a day. The weight prices each minute past a promise, and that
        // total is what it lowers (by 53 % over these days). The days had eight couriers until the bundling window
        // began to count food already waiting as ready now (bench/results/quality-courier-short.md, 2026-12-01, "no
        // order lost at the end of the day"): orders of one site that had waited long could then share a courier, and
        // eight couriers were no longer short (minutes past the promises without the weight 27,248 -> 5,668, click-to-door
        // ~96 -> ~77 min; the weight then lowered the minutes by 6 %, to 5,319), which is not the situation this test is
        // about; with six they are again (13,733 minutes without the weight, 6,454 with it). With eight the weight had
        // lowered the minutes by 29 % (32 % when promises learnt their errors only at delivery). Five days were too
        // few: one day's ratio runs from 0.25 to 3.9, and the first five went from 0.72 to 0.95 of the minutes when
        // promises began to learn at the plan's commit (bench/results/promises.md, 2026-12-01), with the thirty-day
        // figure unmoved. The count of broken promises is not its measure: it went either way with the seeds (over 30
        // days 832 with the weight against 809 without, and 857 against 817 before the solver's tie rule changed, eight
        // couriers): when nothing can be on time, shortening the worst delays can make more orders a little late. The
        // count is the shared traces' and the scenarios' figure (bench/results/promises.md).
        // Click-to-door: these days run at ~128 minutes (couriers far too few), and serving the orders nearest their
        // promise first costs some: over the thirty days +0.78 min (eight couriers before the window change: +0.47 min
        // with promises learnt at delivery, +1.60 with errors learnt at commit; fresher margins differ more between
        // orders, so the weight reorders more). The shared traces and the scenarios lost no click-to-door with either
        // (bench/results/promises.md); the bound here is a minute of these days' mean click-to-door, as it was before
        // the days became thirty.
        const int Days = 30;
        const int Couriers = 6;
        double lateWith = 0, lateWithout = 0;
        double c2dWith = 0, c2dWithout = 0;
        for (int seed = 1; seed <= Days; seed++)
        {
            var orders = Orders(seed, 150);
            var with = Drive(new DispatchOptions().PromiseLatenessWeight, 0, orders, Couriers);
            var without = Drive(0, 0, orders, Couriers);
            lateWith += with.MinutesLate; lateWithout += without.MinutesLate;
            c2dWith += with.ClickToDoorMean; c2dWithout += without.ClickToDoorMean;
        }
        Assert.True(lateWithout > 1000 * Days / 5, $"the days are busy enough to break promises: {lateWithout:F0} minutes past them without the weight");
        Assert.True(lateWith < 0.9 * lateWithout, $"minutes past the promises: {lateWith:F0} with the weight, {lateWithout:F0} without");
        Assert.True(c2dWith / Days <= c2dWithout / Days + 1, $"click-to-door mean {c2dWith / Days:F2} with the weight, {c2dWithout / Days:F2} without");
    }

    [Theory]
    [InlineData(0.0, 2L)]   // priced by the minute alone, the order already late goes first (it is late by less that way)
    [InlineData(2.0, 1L)]   // with a cost for the break itself, the order that can still keep its promise keeps it
    public void Of_two_orders_one_of_which_must_wait_the_break_cost_saves_the_promise_that_can_still_be_kept(double breakCost, long first)
    {
        // One courier at a restaurant, two orders ready there now for drop-offs ten minutes east and west (no bundle: one
        // at a time), so one of them must wait for the other's trip. Order 1's promise holds only if it goes first;
        // order 2's is already past. Minute weight w per minute late, break cost b per promise broken, postponement
        // priced at d minutes (PostponeDelayMinutes, > 1): order 1 first costs w (D + d - 2) + b (order 2 late by
        // D + d - 2 when its trip drops off at D + d); order 2 first costs w (D - 2) + b + w (d - 1) + b (order 2 late by
        // D - 2, order 1 by d - 1). The difference is w - b: without the break cost, order 2 goes first and both
        // promises break; with b = 2 > w = 0.5, order 1 keeps its own. The promises are set directly (the planner reads
        // them as its soft deadlines), so the test is about the price and not about how promises are quoted.
        var options = new DispatchOptions { Profile = DispatchProfile.Mdrp, MaxBundleSize = 1, PromiseBreakCost = breakCost };
        Assert.True(options.PostponeDelayMinutes > 1, "the postponed order's priced wait must break order 1's promise");
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(TestSpeed.Min), options);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(1, 1, 10 * TestSpeed.Min, 0, 0, 0), 0);
        e.PlaceOrder(new OrderRequest(2, 1, -10 * TestSpeed.Min, 0, 0, 0), 0);
        var s = e.StateForQuotes;
        // The drop-off of a trip that starts now: the pickup's instant half-way through its service, the rest of it,
        // ten minutes' drive, half the drop-off.
        double firstDrop = options.PickupServiceMinutes + 10 + options.DropoffServiceMinutes * 0.5;
        s.PromisedDrop[s.OrderIndex[1]] = firstDrop + 1;
        s.PromisedDrop[s.OrderIndex[2]] = 2;
        var log = new DecisionLog();
        var sink = log.ToSink();
        e.Tick(0, ref sink);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(first));
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(3 - first));
        Assert.Equal(firstDrop, e.Order(first).PlannedDropoff);
    }

    [Fact]
    public void The_same_inputs_give_the_same_decisions_with_promises_in_the_plan()
    {
        var orders = Orders(7, 150);
        var d = new DispatchOptions();
        var a = Drive(d.PromiseLatenessWeight, d.PromiseBreakCost, orders, 8);
        var b = Drive(d.PromiseLatenessWeight, d.PromiseBreakCost, orders, 8);
        Assert.Equal(a.Decisions, b.Decisions);
        Assert.Contains(a.Decisions, l => l.Contains("Kind = Requoted"));
    }

    [Fact]
    public void With_a_weight_of_0_the_promises_steer_nothing()
    {
        // Promises made at two on-time probabilities differ; they change the plan only when they weigh in it.
        var orders = Orders(11, 150);
        Assert.Equal(Drive(0, 0, orders, 8, 0.5).Decisions.Where(NotRequote), Drive(0, 0, orders, 8, 0.99).Decisions.Where(NotRequote));
        double weight = new DispatchOptions().PromiseLatenessWeight, breakCost = new DispatchOptions().PromiseBreakCost;
        Assert.NotEqual(Drive(weight, 0, orders, 8, 0.5).Decisions.Where(NotRequote), Drive(weight, 0, orders, 8, 0.99).Decisions.Where(NotRequote));
        Assert.NotEqual(Drive(0, breakCost, orders, 8, 0.5).Decisions.Where(NotRequote), Drive(0, breakCost, orders, 8, 0.99).Decisions.Where(NotRequote));
    }

    private static bool NotRequote(string line) => !line.Contains("Kind = Requoted");

    [Fact]
    public void The_weight_is_a_setting_validated_like_the_others()
    {
        Assert.Equal(0.5, new DispatchOptions().PromiseLatenessWeight);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(TestSpeed.Min),
            new DispatchOptions { PromiseLatenessWeight = -1 }));
        var setting = DispatchSettings.All.Single(s => s.Name == nameof(DispatchOptions.PromiseLatenessWeight));
        Assert.True(setting.AddedLater);
        Assert.Equal(2.0, setting.WithText(new DispatchOptions(), "2").PromiseLatenessWeight);

        Assert.Equal(2, new DispatchOptions().PromiseBreakCost);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(TestSpeed.Min),
            new DispatchOptions { PromiseBreakCost = double.NaN }));
        Assert.Equal(nameof(DispatchOptions.PromiseBreakCost), e.ParamName);
        var breakSetting = DispatchSettings.All.Single(s => s.Name == nameof(DispatchOptions.PromiseBreakCost));
        Assert.True(breakSetting.AddedLater);
        Assert.Equal(0.0, breakSetting.WithText(new DispatchOptions(), "0").PromiseBreakCost);
    }
}
