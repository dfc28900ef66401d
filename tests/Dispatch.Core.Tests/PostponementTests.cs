namespace Dispatch.Core.Tests;

/// <summary>
/// MDRP postponement: an order stays open while its courier need not leave yet, and is committed at
/// the first tick where waiting one more tick would delay the pickup past its ready time.
/// </summary>
public class PostponementTests
{
    /// <summary>Returns the tick at which the single order was committed and its planned pickup.</summary>
    private static (double Tick, double Pickup) CommitTick(DispatchProfile profile, int distance, int ready, int placed, double tick)
    {
        var e = EngineFactory.Create(profile, tick);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(7, distance * Min, 0, 0, 500), 0);
        e.PlaceOrder(new OrderRequest(1, 1, 2 * Min, 0, placed, ready), placed);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (double t = placed; t <= ready + distance + 10; t += tick)
        {
            e.Tick(t, ref sink);
            if (rec.Assignments.Count > 0)
            {
                Assert.Single(rec.Assignments);
                Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(1));
                return (t, e.Order(1).PlannedPickup);
            }
            Assert.Equal(OrderStatus.Open, e.GetOrderStatus(1));
        }
        Assert.Fail("never committed");
        return default;
    }

    [Theory]
    [InlineData(10, 20, 0, 1.0)]    // the README's example: commit at 8, pickup exactly at 20
    [InlineData(10, 20, 0, 2.0)]
    [InlineData(10, 21, 0, 2.0)]
    [InlineData(0, 15, 0, 1.0)]     // courier waiting at the site
    [InlineData(3, 40, 5, 1.0)]
    [InlineData(3, 40, 5, 5.0)]
    [InlineData(25, 10, 0, 1.0)]    // cannot make it on time: committed at once
    [InlineData(7, 12, 3, 1.0)]
    public void Mdrp_commits_exactly_when_waiting_one_more_tick_would_delay_the_pickup(int distance, int ready, int placed, double tick)
    {
        const double halfP = 2;
        var (t, pickup) = CommitTick(DispatchProfile.Mdrp, distance, ready, placed, tick);
        // Not committed while a later tick still made it: every tick before t satisfied t' + d + halfP + tick <= ready.
        Assert.True(t == placed || (t - tick) + distance + halfP + tick <= ready, $"committed at {t}, the tick before could still wait");
        // Committed because waiting one more tick would arrive after ready.
        Assert.True(t + distance + halfP + tick > ready, $"committed at {t} although it could still wait");
        Assert.Equal(Math.Max(ready, t + distance + halfP), pickup);
        if (t > placed) Assert.True(pickup - ready <= tick, $"committed at {t}: postponement cost {pickup - ready} minutes, more than a tick");
    }

    [Fact]
    public void The_readme_example_is_committed_at_minute_8()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(7, 3200, 0, 0, 100), 0);   // 10 minutes from the site
        e.PlaceOrder(new OrderRequest(1, 1, 640, 0, 0, 20), 0);       // ready at 20
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int t = 0; t < 8; t++) Assert.Equal(0, e.Tick(t, ref sink));
        Assert.Equal(1, e.Tick(8, ref sink));
        Assert.Equal(8, rec.Assignments[0].Info.AssignedAt);
        Assert.Equal(8, rec.Assignments[0].Stops[0].Departure);
        var view = e.Order(1);
        Assert.Equal((OrderStatus.Assigned, 7L, 20.0), (view.Status, view.CourierId, view.PlannedPickup));
    }

    [Theory]
    [InlineData(DispatchProfile.Mdrp)]
    [InlineData(DispatchProfile.General)]
    [InlineData(DispatchProfile.Greedy)]
    public void Nothing_is_assigned_before_its_placement_time(DispatchProfile profile)
    {
        // Known in advance (placed at now = 0 for minute 10) and urgent: still not assigned before 10.
        var e = EngineFactory.Create(profile);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(7, 15 * Min, 0, 0, 100), 0);
        e.PlaceOrder(new OrderRequest(1, 1, 640, 0, 10, 10), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int t = 0; t < 10; t++) e.Tick(t, ref sink);
        Assert.Empty(rec.Assignments);
        e.Tick(10, ref sink);
        Assert.Single(rec.Assignments);
        Assert.Equal(10, rec.Assignments[0].Info.AssignedAt);
    }

    [Fact]
    public void General_postpones_an_idle_courier_like_Mdrp()
    {
        var (t, pickup) = CommitTick(DispatchProfile.General, distance: 10, ready: 20, placed: 0, tick: 1);
        Assert.Equal(8, t);
        Assert.Equal(20, pickup);
    }

    [Theory]
    [InlineData(10, 40, 3)]
    [InlineData(0, 15, 0)]
    [InlineData(25, 10, 0)]
    public void Greedy_commits_in_time_for_the_pickup(int distance, int ready, int placed)
    {
        // Whether Greedy sends at once or waits is policy; it never lets the wait delay the pickup by more than a tick.
        var (t, pickup) = CommitTick(DispatchProfile.Greedy, distance, ready, placed, tick: 1);
        Assert.Equal(Math.Max(ready, t + distance + 2), pickup);
        if (t > placed) Assert.True(pickup - ready <= 1, $"committed at {t}: pickup {pickup}, ready {ready}");
    }
}
