using FsCheck;
using FsCheck.Xunit;

namespace Dispatch.Core.Tests.Promises;

/// <summary>
/// The queue simulation behind every quote, on random busy worlds (few sites, so queued orders bundle; couriers
/// fewer than orders, so the near-courier choice matters): a quote is never below the order's lower bound, and it is
/// a pure function of the engine's state: the estimator's per-run scratch (site trips by stamp, grown free times, trip
/// serials) carries nothing from one quote to the next, whatever the order of the quotes.
/// </summary>
public class DropoffEstimatorPropertyTests
{
    [Property(MaxTest = 40)]
    public void Quotes_are_at_least_the_lower_bound_and_independent_of_earlier_quotes(PositiveInt seed)
    {
        var e = EngineFactory.Create((DispatchProfile)(seed.Get % 3));
        QuotesAreBoundedAndIndependent(e, new Random(seed.Get), maxReady: 40);
    }

    /// <summary>
    /// The same with a traffic picture whose rain and jam are announced ahead (the legs of the queue simulation timed in
    /// the picture of their start): quotes do not depend on the quotes before them, in either order or on a fresh
    /// engine loaded from a snapshot, and a quote is never below the lower bound.
    /// </summary>
    [Property(MaxTest = 30)]
    public void Quotes_timed_in_the_picture_ahead_are_independent_of_earlier_quotes(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        var model = new TrafficModel(-2000, -2000, 10_000, 10_000, 250);
        model.AddCitywideFactor(0.4 + rng.NextDouble(), rng.Next(1, 30), rng.Next(31, 90));
        double z = rng.Next(0, 6000);
        model.AddZone(new CongestionZone(new NetTopologySuite.Geometries.GeometryFactory().CreatePolygon(
            [new(z, z), new(z + 3000, z), new(z + 3000, z + 3000), new(z, z + 3000), new(z, z)]), 0.3 + rng.NextDouble(), rng.Next(5, 40), rng.Next(41, 120)));
        model.Update(0);
        var travel = new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), model);
        var e = new DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>>(travel, new DispatchOptions { Profile = (DispatchProfile)(seed.Get % 3) });
        QuotesAreBoundedAndIndependent(e, rng, maxReady: 60);
    }

    /// <summary>A random busy world on <paramref name="e"/> (1-3 sites, 1-4 couriers, up to 24 orders, a tick or not),
    /// then twelve quotes: each at least the order's lower bound, and the same asked backwards and on a fresh engine
    /// loaded from a snapshot.</summary>
    private static void QuotesAreBoundedAndIndependent<TTravel>(DispatchEngine<TTravel> e, Random rng, int maxReady)
        where TTravel : struct, ITravelTime
    {
        int sites = 1 + rng.Next(3);
        var at = new (double X, double Y)[sites];
        for (int s = 0; s < sites; s++)
        {
            at[s] = (rng.Next(0, 8000), rng.Next(0, 8000));
            e.AddSite(1 + s, at[s].X, at[s].Y);
        }
        int couriers = 1 + rng.Next(4);
        for (int c = 0; c < couriers; c++) e.CourierOnShift(new CourierShift(10 + c, rng.Next(0, 8000), rng.Next(0, 8000), rng.Next(0, 10), 300), 0);
        int orders = rng.Next(0, 25);
        for (int o = 0; o < orders; o++) e.PlaceOrder(new OrderRequest(100 + o, 1 + rng.Next(sites), rng.Next(0, 8000), rng.Next(0, 8000), 0, rng.Next(0, 30)), 0);
        var sink = new RecordingSink(new Recorder());
        if (rng.Next(2) == 0) e.Tick(0, ref sink);

        var asks = new (int Site, double X, double Y, double Ready)[12];
        for (int q = 0; q < asks.Length; q++) asks[q] = (rng.Next(sites), rng.Next(0, 8000), rng.Next(0, 8000), rng.Next(0, maxReady));
        var first = new double[asks.Length];
        for (int q = 0; q < asks.Length; q++)
        {
            var (s, x, y, ready) = asks[q];
            first[q] = e.QuoteDropoff(1 + s, x, y, ready, 0);
            double bound = ready + e.Options.PickupServiceMinutes / 2 + e.Travel.Minutes(at[s].X, at[s].Y, x, y) + e.Options.DropoffServiceMinutes / 2;
            Assert.True(first[q] >= bound, $"quote {first[q]} below the lower bound {bound}");
        }
        // The same questions backwards, and on a fresh engine loaded from a snapshot: the same answers.
        var bytes = new MemoryStream();
        e.SaveSnapshot(bytes);
        bytes.Position = 0;
        var fresh = DispatchEngine<TTravel>.LoadSnapshot(bytes, e.Travel, e.Options);
        for (int q = asks.Length - 1; q >= 0; q--)
        {
            var (s, x, y, ready) = asks[q];
            Assert.Equal(first[q], e.QuoteDropoff(1 + s, x, y, ready, 0));
            Assert.Equal(first[q], fresh.QuoteDropoff(1 + s, x, y, ready, 0));
        }
    }

    [Fact]
    public void A_quote_in_a_busy_world_allocates_nothing_once_warm()
    {
        var rng = new Random(4);
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        for (int s = 0; s < 3; s++) e.AddSite(1 + s, 2000 * s, 1000);
        for (int c = 0; c < 6; c++) e.CourierOnShift(new CourierShift(10 + c, rng.Next(0, 8000), rng.Next(0, 8000), 0, 300), 0);
        for (int o = 0; o < 60; o++) e.PlaceOrder(new OrderRequest(100 + o, 1 + rng.Next(3), rng.Next(0, 8000), rng.Next(0, 8000), 0, rng.Next(0, 30)), 0);
        double sum = Quotes(e);
        // A pass counts only if no collection ran during it (as in the tick's allocation test): a collection started by
        // another test running in parallel moves this thread's allocation count without this thread allocating.
        Assert.Equal(0, QuietAllocations.Of(() => sum += Quotes(e)));
        Assert.False(double.IsNaN(sum));
    }

    private static double Quotes(DispatchEngine<EuclideanCeilMinutes> e)
    {
        double sum = 0;
        for (int q = 0; q < 200; q++) sum += e.QuoteDropoff(1 + q % 3, 40 * q, 8000 - 40 * q, q % 40, 0);
        return sum;
    }
}
