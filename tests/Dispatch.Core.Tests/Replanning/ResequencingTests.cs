using NetTopologySuite.Geometries;

namespace Dispatch.Core.Tests.Replanning;

/// <summary>General profile: when travel times change, a courier's remaining stops are put in a better order and the change is reported.</summary>
public class ResequencingTests
{
    private static (DispatchEngine<TrafficAdjusted<Travel.EuclideanCeilMinutes>> Engine, TrafficModel Model, Recorder Rec) TwoDrops()
    {
        var model = EngineFactory.CityModel();
        var e = EngineFactory.TrafficEngine(model, new DispatchOptions { Profile = DispatchProfile.General });
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        // East drop 10 minutes away, west drop 15: east first is cheaper on a normal day.
        e.PlaceOrder(new OrderRequest(100, 1, 10 * Min, 0, 0, 5), 0);
        e.PlaceOrder(new OrderRequest(101, 1, -15 * Min, 0, 0, 5), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int t = 0; t <= 4; t++) e.Tick(t, ref sink);
        return (e, model, rec);
    }

    [Fact]
    public void A_jam_on_the_first_drop_off_puts_the_other_one_first_and_reports_it()
    {
        var (e, model, rec) = TwoDrops();
        var before = e.Route(10);
        Assert.Equal(4, before.Length);
        Assert.Equal((StopKind.Dropoff, 100L), (before[2].Kind, before[2].OrderId));   // east first
        Assert.Equal((StopKind.Dropoff, 101L), (before[3].Kind, before[3].OrderId));

        // The east half of the city at a quarter speed from minute 5: the east leg now takes 40 minutes.
        var gf = new GeometryFactory();
        var east = gf.CreatePolygon([new(1, -5000), new(20000, -5000), new(20000, 5000), new(1, 5000), new(1, -5000)]);
        model.AddZone(new CongestionZone(east, 0.25, 5, double.PositiveInfinity, "east jam"));
        Assert.True(model.Update(5));
        rec.Changes.Clear();
        e.TravelTimesChanged(5);

        var after = e.Route(10);
        Assert.Equal(4, after.Length);
        Assert.Equal((StopKind.Dropoff, 101L), (after[2].Kind, after[2].OrderId));     // west first now
        Assert.Equal((StopKind.Dropoff, 100L), (after[3].Kind, after[3].OrderId));
        for (int i = 1; i < after.Length; i++) Assert.True(after[i].Arrival >= after[i - 1].Leave - 1e-9 || after[i].ServiceAt == after[i - 1].ServiceAt, $"stop {i}");
        Assert.Equal(after[^1].Leave, e.Courier(10).FreeAt);
        Assert.Equal(after[2].ServiceAt, e.Order(101).PlannedDropoff);

        var sink = new RecordingSink(rec);
        e.Tick(5, ref sink);
        var reseq = Assert.Single(rec.Changes, c => c.Kind == PlanChangeKind.Resequenced);
        Assert.Equal((-1L, 10L, PlanChangeReason.Traffic), (reseq.OrderId, reseq.CourierId, reseq.Reason));
        Assert.Contains(rec.Changes, c => c.Kind == PlanChangeKind.EtaChanged && c.OrderId == 101 && c.NewTime < c.PreviousTime);
    }

    [Fact]
    public void Without_a_change_that_pays_the_order_stays_and_nothing_is_reported()
    {
        var (e, model, rec) = TwoDrops();
        var before = e.Route(10);
        model.AddCitywideFactor(0.9, 5, double.PositiveInfinity); // everything a little slower: same best order
        Assert.True(model.Update(5));
        rec.Changes.Clear();
        e.TravelTimesChanged(5);
        var sink = new RecordingSink(rec);
        e.Tick(5, ref sink);
        Assert.Equal(before.Select(s => (s.Kind, s.OrderId)), e.Route(10).Select(s => (s.Kind, s.OrderId)));
        Assert.DoesNotContain(rec.Changes, c => c.Kind == PlanChangeKind.Resequenced);
    }
}
