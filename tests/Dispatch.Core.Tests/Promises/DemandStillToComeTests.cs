using Dispatch.Promises;
using FsCheck;
using FsCheck.Xunit;
using static Dispatch.Core.Tests.Support.TestSpeed;

namespace Dispatch.Core.Tests.Promises;

/// <summary>
/// The demand still to come in a promise's situation: the recent placements it is predicted from
/// (<see cref="RecentPlacements"/>), the buckets it splits each wait band into (<see cref="PromiseSituation"/>), the
/// spread of a snapshot's wait-band rings over them (<see cref="ErrorQuantiles.SpreadInto"/>), and the engine reading it
/// at placement and keeping it across a snapshot.
/// </summary>
public class DemandStillToComeTests
{
    /// <summary>The prediction by hand: placements at rate r with leads l_j predict r * mean(max(0, L - l_j)) orders ready
    /// within a lead L; older than the window or later than the quote, they do not count.</summary>
    [Fact]
    public void Orders_ahead_are_the_recent_rate_times_the_mean_lead_shortfall()
    {
        var r = new RecentPlacements();
        r.Note(100, 10); // too old for a quote at 131
        r.Note(110, 5);
        r.Note(120, 20);
        r.Note(130, 12);
        // At 131 (window from 101): leads 5, 20, 12 against 15: (10 + 0 + 3) / 30.
        Assert.Equal(13 / 30.0, r.OrdersAhead(131, 15), 12);
        // A quote at 115 does not count the placements after it: lead 10 (placed 100) and 5 (110) against 15.
        Assert.Equal((5 + 10) / 30.0, r.OrdersAhead(115, 15), 12);
        Assert.Equal(0, r.OrdersAhead(131, 4));
    }

    /// <summary>A placement lets go of those more than the window before it; the ring grows past its first size
    /// keeping every placement of the window, oldest first.</summary>
    [Fact]
    public void The_window_keeps_the_last_half_hour_oldest_first_and_grows_as_needed()
    {
        var r = new RecentPlacements();
        for (int i = 0; i < 1000; i++) r.Note(i * 0.01, i);
        Assert.Equal(1000, r.Count);
        for (int i = 0; i < 1000; i++) Assert.Equal((i * 0.01, (double)i), (r.Times[i], r.Leads[i]));
        r.Note(40, 1); // every earlier placement is more than 30 minutes before it
        Assert.Equal(1, r.Count);
        Assert.Equal((40.0, 1.0), (r.Times[0], r.Leads[0]));
        r.Note(double.NaN, 3); // not a time: ignored
        Assert.Equal(1, r.Count);
        // A placement timed before the latest (a caller's clock skew) takes its place in time order.
        r.Note(45, 2);
        r.Note(42, 7);
        Assert.Equal([40.0, 42.0, 45.0], r.Times.ToArray());
        Assert.Equal([1.0, 7.0, 2.0], r.Leads.ToArray());
        Assert.Equal((10 - 1 + 10 - 7) / 30.0, r.OrdersAhead(44, 10), 12);
    }

    /// <summary>Property: the prediction equals the straightforward sum over every placement in the window, whatever the
    /// placements (times increasing, leads of either sign).</summary>
    [Property(MaxTest = 200)]
    public bool The_prediction_is_the_sum_over_the_window(NonEmptyArray<int> gaps, NonEmptyArray<int> leads, PositiveInt lead)
    {
        var r = new RecentPlacements();
        var at = new List<double>();
        var ld = new List<double>();
        double t = 0;
        int n = Math.Min(gaps.Get.Length, leads.Get.Length);
        for (int i = 0; i < n; i++)
        {
            // Mostly forward in time, sometimes back a little (a caller's clock skew).
            t = Math.Max(0, t + gaps.Get[i] % 7 * 0.5);
            double l = leads.Get[i] % 40;
            r.Note(t, l);
            at.Add(t);
            ld.Add(l);
        }
        // Every placement still in the window of a quote at the latest time: those the ring let go are before it.
        double now = at.Max(), sum = 0;
        for (int i = 0; i < n; i++)
            if (at[i] >= now - RecentPlacements.WindowMinutes) sum += Math.Max(0, lead.Get % 60 - ld[i]);
        return Math.Abs(r.OrdersAhead(now, lead.Get % 60) - sum / RecentPlacements.WindowMinutes) < 1e-9;
    }

    /// <summary>Buckets are numbered demand band first, so a wait band's bucket of demand band 0 has the number the wait
    /// band alone had before (a snapshot of format 9 or older).</summary>
    [Fact]
    public void Buckets_are_numbered_demand_band_first()
    {
        Assert.Equal(7, PromiseSituation.WaitBuckets);
        Assert.Equal(21, PromiseSituation.Count);
        Assert.Equal(0, PromiseSituation.Bucket(0.2, 0.05));
        Assert.Equal(3, PromiseSituation.Bucket(7, 0.05));
        Assert.Equal(7 + 3, PromiseSituation.Bucket(7, 0.1));
        Assert.Equal(14 + 6, PromiseSituation.Bucket(45, 2));
        Assert.Equal(0.5, PromiseSituation.PerCourier(5, 10));
        Assert.Equal(5, PromiseSituation.PerCourier(5, 0)); // no courier on shift: shared by one
    }

    /// <summary>Rings of the wait bands alone, spread over the demand bands: every part of a wait band holds its ring as
    /// it was (so gives its margin), the pooled ring stays pooled, and a split that does not divide is refused.</summary>
    [Fact]
    public void Wait_band_rings_spread_over_the_demand_bands_answer_as_before()
    {
        var old = new ErrorQuantiles(PromiseSituation.WaitBuckets);
        var rng = new Random(3);
        for (int i = 0; i < 400; i++) old.Add(rng.Next(PromiseSituation.WaitBuckets), rng.NextDouble() * 20 - 5, owner: i % 3 == 0 ? i : -1);
        var wide = new ErrorQuantiles(PromiseSituation.Count);
        old.SpreadInto(wide);
        for (int d = 0; d < PromiseSituation.DemandBuckets; d++)
            for (int w = 0; w < PromiseSituation.WaitBuckets; w++)
                Assert.Equal(old.Margin(w, 0.9), wide.Margin(d * PromiseSituation.WaitBuckets + w, 0.9));
        Assert.Equal(old.Counts[PromiseSituation.WaitBuckets], wide.Counts[PromiseSituation.Count]);
        // A provisional entry settles in the part its order's bucket names (demand band 0) and in the pooled ring.
        int owner = 399;
        wide.Settle(old.Owner.AsSpan().IndexOf(owner) / ErrorQuantiles.Window, owner, 1000);
        Assert.Contains(1000.0, wide.Errors);
        Assert.Throws<ArgumentException>(() => old.SpreadInto(new ErrorQuantiles(10)));
    }

    /// <summary>Ten couriers; thirty orders placed over the last half hour, each ready five minutes after it. A new order
    /// ready in 25 minutes has (25 - 5) * 30 / 30 = 20 such orders still to come ahead of it, two per courier (demand band
    /// 2); one ready in 5 minutes has none (band 0). The quote reads the same bucket and promise as the placement.</summary>
    [Fact]
    public void A_placement_reads_the_demand_still_to_come_for_its_ready_time()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = DispatchProfile.Mdrp });
        e.AddSite(1, 0, 0);
        for (int c = 0; c < 10; c++) e.CourierOnShift(new CourierShift(100 + c, 0, 0, 0, 600), 0);
        for (int i = 0; i < 30; i++) e.PlaceOrder(new OrderRequest(i, 1, Min, 0, i, i + 5), i);
        Assert.Equal(30, e.RecentPlacementsHeld);
        double quote = e.QuoteDropoff(1, Min, Min, 54, 29);
        e.PlaceOrder(new OrderRequest(50, 1, Min, Min, 29, 54), 29);
        Assert.True(e.TryGetPromise(50, out var far));
        Assert.Equal(2, far.Situation / PromiseSituation.WaitBuckets);
        Assert.Equal(quote, far.FirstPromised);
        e.PlaceOrder(new OrderRequest(51, 1, Min, Min, 29, 34), 29);
        Assert.True(e.TryGetPromise(51, out var near));
        Assert.Equal(0, near.Situation / PromiseSituation.WaitBuckets);

        // Without it (as an engine before format 10), every promise is in demand band 0.
        e.ReadsDemandStillToCome = false;
        e.PlaceOrder(new OrderRequest(52, 1, Min, Min, 29, 54), 29);
        Assert.True(e.TryGetPromise(52, out var off));
        Assert.Equal(0, off.Situation / PromiseSituation.WaitBuckets);
    }

    /// <summary>The recent placements survive a snapshot (the restored engine puts the next order in the same bucket with
    /// the same promise, and writes the same bytes); a placement whose lead is not a number is refused, naming it.</summary>
    [Fact]
    public void A_snapshot_keeps_the_recent_placements_and_refuses_a_damaged_one()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = DispatchProfile.Mdrp });
        e.AddSite(1, 0, 0);
        for (int c = 0; c < 4; c++) e.CourierOnShift(new CourierShift(100 + c, 0, 0, 0, 600), 0);
        for (int i = 0; i < 12; i++) e.PlaceOrder(new OrderRequest(i, 1, Min, 0, 2 * i, 2 * i + 3), 2 * i);
        // At 40 the placements before 10 are let go; then one timed 8 (a caller's clock skew) is held before the others,
        // more than 30 minutes before the latest: a restored engine must hold it too (putting the placements back one by
        // one as new ones would let it go when the one at 40 comes).
        e.PlaceOrder(new OrderRequest(12, 1, Min, 0, 40, 43), 40);
        e.PlaceOrder(new OrderRequest(13, 1, Min, 0, 8, 48), 8);
        int held = e.RecentPlacementsHeld;
        Assert.Equal(1 + 7 + 1, held); // 8; 10, 12, ..., 22; 40
        using var ms = new MemoryStream();
        e.SaveSnapshot(ms);
        byte[] bytes = ms.ToArray();
        ms.Position = 0;
        var b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(ms, new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = DispatchProfile.Mdrp });
        Assert.Equal(e.RecentPlacementsHeld, b.RecentPlacementsHeld);
        using var again = new MemoryStream();
        b.SaveSnapshot(again);
        Assert.Equal(bytes, again.ToArray());
        e.PlaceOrder(new OrderRequest(20, 1, Min, Min, 36, 60), 36);
        b.PlaceOrder(new OrderRequest(20, 1, Min, Min, 36, 60), 36);
        Assert.True(e.TryGetPromise(20, out var pe));
        Assert.True(b.TryGetPromise(20, out var pb));
        Assert.Equal(pe, pb);
        Assert.True(pe.Situation >= PromiseSituation.WaitBuckets, $"demand band of {pe}");

        // The file ends with the placements (their times, then their leads) and a 4-byte trailer: the last lead (placed
        // at 40).
        BitConverter.GetBytes(double.NaN).CopyTo(bytes, bytes.Length - 4 - 8);
        var ex = Assert.Throws<InvalidDataException>(() => DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(new MemoryStream(bytes), new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = DispatchProfile.Mdrp }));
        Assert.Contains($"recent placement {held - 1} at 40 with lead NaN", ex.Message);
        // Out of time order: the placement before the last (22) made 41, after the last (40).
        BitConverter.GetBytes(41.0).CopyTo(bytes, bytes.Length - 4 - 8 * held - 16);
        BitConverter.GetBytes(3.0).CopyTo(bytes, bytes.Length - 4 - 8);
        ex = Assert.Throws<InvalidDataException>(() => DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(new MemoryStream(bytes), new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = DispatchProfile.Mdrp }));
        Assert.Contains($"recent placement {held - 1} at 40 with lead 3", ex.Message);
    }
}
