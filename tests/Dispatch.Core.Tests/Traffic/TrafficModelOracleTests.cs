using NetTopologySuite.Geometries;

namespace Dispatch.Core.Tests.Traffic;

/// <summary>
/// <see cref="TrafficModel.MeanSlowness"/> (a cell walk) against a brute-force oracle: sample the leg at
/// 10,000 evenly spaced points and average the slowness (1 / <see cref="TrafficModel.SpeedFactorAt"/>)
/// of the cell holding each. Random convex zones (some reaching past the grid), random citywide
/// factors, random legs (some leaving the grid or wholly outside it).
/// </summary>
public class TrafficModelOracleTests
{
    private const int Samples = 10_000;
    private static readonly GeometryFactory Geo = new();

    private static double Oracle(TrafficModel m, double x1, double y1, double x2, double y2)
    {
        double sum = 0;
        for (int i = 0; i < Samples; i++)
        {
            double t = (i + 0.5) / Samples;
            sum += 1.0 / m.SpeedFactorAt(x1 + t * (x2 - x1), y1 + t * (y2 - y1));
        }
        return sum / Samples;
    }

    private static Polygon RandomConvex(Random rng)
    {
        double cx = rng.NextDouble() * 12_000 - 1000, cy = rng.NextDouble() * 12_000 - 1000;
        double r = 300 + rng.NextDouble() * 4000;
        int n = rng.Next(3, 8);
        var pts = new Coordinate[n];
        for (int i = 0; i < n; i++)
        {
            double a = rng.NextDouble() * 2 * Math.PI, d = r * (0.3 + 0.7 * rng.NextDouble());
            pts[i] = new Coordinate(cx + d * Math.Cos(a), cy + d * Math.Sin(a));
        }
        return Geo.CreateMultiPointFromCoords(pts).ConvexHull() as Polygon
            ?? Geo.CreatePolygon([new(cx, cy), new(cx + r, cy), new(cx, cy + r), new(cx, cy)]);
    }

    [Theory]
    [InlineData(1, 100.0)]
    [InlineData(2, 250.0)]
    [InlineData(3, 37.5)]
    [InlineData(4, 1000.0)]
    public void Mean_slowness_matches_sampling_the_cells_within_one_percent(int seed, double cell)
    {
        var rng = new Random(seed);
        int checkedLegs = 0;
        double worst = 0;
        string worstLeg = "";
        for (int model = 0; model < 12; model++)
        {
            var m = new TrafficModel(0, 0, 10_000, 10_000, cell);
            int zones = rng.Next(0, 6);
            for (int z = 0; z < zones; z++)
                m.AddZone(new CongestionZone(RandomConvex(rng), 0.2 + rng.NextDouble() * 2.8, 0, double.PositiveInfinity, $"z{z}"));
            if (rng.Next(3) == 0) m.AddCitywideFactor(0.5 + rng.NextDouble(), 0, double.PositiveInfinity);
            // A zone that is not active now must not show.
            m.AddZone(new CongestionZone(RandomConvex(rng), 0.1, 100, 200, "later"));
            m.Update(0);

            for (int leg = 0; leg < 25; leg++)
            {
                double x1 = rng.NextDouble() * 16_000 - 3000, y1 = rng.NextDouble() * 16_000 - 3000;
                double x2, y2;
                if (leg % 5 == 0) { x2 = x1 + rng.NextDouble() * 600 - 300; y2 = y1 + rng.NextDouble() * 600 - 300; }   // short
                else if (leg % 7 == 0) { x2 = x1; y2 = rng.NextDouble() * 16_000 - 3000; }                                  // axis-parallel
                else { x2 = rng.NextDouble() * 16_000 - 3000; y2 = rng.NextDouble() * 16_000 - 3000; }
                double got = m.MeanSlowness(x1, y1, x2, y2, out _);
                double want = Oracle(m, x1, y1, x2, y2);
                double rel = Math.Abs(got - want) / want;
                if (rel > worst) { worst = rel; worstLeg = $"model {model} leg ({x1}, {y1})-({x2}, {y2}): walk {got}, oracle {want}"; }
                // Symmetric: the walk in the other direction crosses the same cells.
                double back = m.MeanSlowness(x2, y2, x1, y1, out _);
                Assert.True(Math.Abs(back - got) <= 1e-6 * got + 1e-3 * want, $"({x1}, {y1})-({x2}, {y2}): {got} one way, {back} the other");
                checkedLegs++;
            }
        }
        Assert.True(worst <= 0.01, $"worst relative error {worst:P3} at {worstLeg} ({checkedLegs} legs)");
    }

    [Fact]
    public void Traffic_adjusted_minutes_are_base_minutes_times_slowness_plus_detours()
    {
        var rng = new Random(11);
        var m = new TrafficModel(0, 0, 10_000, 10_000, 100, closureDetourMinutes: 6);
        for (int z = 0; z < 4; z++)
            m.AddZone(new CongestionZone(RandomConvex(rng), 0.3 + rng.NextDouble(), 0, double.PositiveInfinity));
        m.AddClosure(new RoadClosure(Geo.CreateLineString([new(5050, 50), new(5050, 9950)]), 0, double.PositiveInfinity));
        m.AddClosure(new RoadClosure(TrafficModelTests.Box(1000, 1000, 2500, 2500), 0, double.PositiveInfinity));
        m.AddCitywideFactor(0.8, 0, double.PositiveInfinity);
        m.Update(0);
        var plain = new EuclideanCeilMinutes(320);
        var rule = new TrafficAdjusted<EuclideanCeilMinutes>(plain, m);
        Assert.Same(m, rule.Model);
        int withDetour = 0;
        for (int i = 0; i < 2000; i++)
        {
            double x1 = rng.NextDouble() * 12_000 - 1000, y1 = rng.NextDouble() * 12_000 - 1000;
            double x2 = rng.NextDouble() * 12_000 - 1000, y2 = rng.NextDouble() * 12_000 - 1000;
            double slow = m.MeanSlowness(x1, y1, x2, y2, out int closures);
            double want = plain.Minutes(x1, y1, x2, y2) * slow + closures * 6;
            Assert.Equal(want, rule.Minutes(x1, y1, x2, y2), 9);
            if (closures > 0) withDetour++;
            // Crossing the full-height road from one side to the other always costs a detour.
            if ((x1 < 5000 && x2 >= 5100) || (x2 < 5000 && x1 >= 5100))
                if (Math.Min(y1, y2) > 100 && Math.Max(y1, y2) < 9900) Assert.True(closures >= 1, $"({x1}, {y1})-({x2}, {y2}) crosses the road");
        }
        Assert.True(withDetour > 100, $"only {withDetour} legs crossed a closure");
        Assert.Throws<ArgumentNullException>(() => new TrafficAdjusted<EuclideanCeilMinutes>(plain, null!));
    }
}
