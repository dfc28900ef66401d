using NetTopologySuite.Geometries;

namespace Dispatch.Core.Tests.Traffic;

/// <summary>
/// The traffic picture: length-weighted slowness over the cells a leg crosses, the citywide factor
/// (inside and outside the grid), overlapping zones, time windows and <see cref="TrafficModel.Update"/>,
/// closures (lines and polygons), input validation, and allocation-free queries.
/// </summary>
/// <remarks>
/// The grid is 10 km square in 100 m cells. Zone edges lie on cell borders (so every cell centre is
/// clearly in or out), and legs and closure lines run through cell middles (x or y = k*100 + 50), so
/// which cells a leg or a closure touches is never a matter of rounding.
/// </remarks>
[Collection(AllocationCollection.Name)]
public class TrafficModelTests
{
    private static readonly GeometryFactory Geo = new();

    internal static TrafficModel NewModel(double detour = 10) => new(0, 0, 10_000, 10_000, 100, detour);

    internal static Polygon Box(double x0, double y0, double x1, double y1) =>
        Geo.CreatePolygon([new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1), new(x0, y0)]);

    internal static LineString Line(double x0, double y0, double x1, double y1) =>
        Geo.CreateLineString([new(x0, y0), new(x1, y1)]);

    /// <summary>A model with <paramref name="detour"/> minutes per crossing and <paramref name="closures"/> closed from minute 0 on, brought up to date at 0.</summary>
    private static TrafficModel ClosedFromTheStart(double detour, params (Geometry Where, string Name)[] closures)
    {
        var m = NewModel(detour);
        foreach (var (where, name) in closures) m.AddClosure(new RoadClosure(where, 0, double.PositiveInfinity, name));
        m.Update(0);
        return m;
    }

    private static double Mean(TrafficModel m, double x1, double y1, double x2, double y2) => m.MeanSlowness(x1, y1, x2, y2, out _);

    /// <summary>A leg's minutes at 320 m/min without traffic, and with <paramref name="m"/> over it (the engine's travel rule).</summary>
    private static (double Plain, double WithTraffic) LegMinutes(TrafficModel m, double x1, double y1, double x2, double y2)
    {
        var plain = new EuclideanCeilMinutes(320);
        var rule = new TrafficAdjusted<EuclideanCeilMinutes>(plain, m);
        return (plain.Minutes(x1, y1, x2, y2), rule.Minutes(x1, y1, x2, y2));
    }

    private static int Crossings(TrafficModel m, double x1, double y1, double x2, double y2)
    {
        m.MeanSlowness(x1, y1, x2, y2, out int n);
        return n;
    }

    // ------------------------------------------------------------------ zones

    [Fact]
    public void A_leg_half_inside_a_half_speed_zone_takes_one_and_a_half_times_as_long()
    {
        var m = NewModel();
        m.AddZone(new CongestionZone(Box(5000, 0, 10_000, 10_000), 0.5, 0, double.PositiveInfinity, "east"));
        Assert.True(m.Update(0));

        // 2500 m outside (slowness 1), 2500 m inside (slowness 2): mean 1.5.
        Assert.Equal(1.5, Mean(m, 2500, 5050, 7500, 5050), 9);
        Assert.Equal(1.5, Mean(m, 7500, 5050, 2500, 5050), 9);              // either direction
        // Length-weighted, not cell-count-weighted: 1000 m outside, 3000 m inside = (1 + 3 * 2) / 4.
        Assert.Equal(1.75, Mean(m, 4000, 5050, 8000, 5050), 9);
        // Diagonal: the zone boundary is crossed at the middle of the leg as well.
        Assert.Equal(1.5, Mean(m, 3000, 3050, 7000, 7050), 2);
        Assert.Equal(0.5, m.SpeedFactorAt(6050, 5050), 9);
        Assert.Equal(1, m.SpeedFactorAt(4950, 5050), 9);

        var rule = new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(100), m);
        Assert.Equal(50 * 1.5, rule.Minutes(2500, 5050, 7500, 5050), 9);     // 5000 m at 100 m/min = 50 min base
    }

    [Fact]
    public void A_leg_wholly_outside_every_zone_is_unchanged()
    {
        var m = NewModel();
        m.AddZone(new CongestionZone(Box(5000, 0, 10_000, 10_000), 0.5, 0, double.PositiveInfinity));
        m.Update(0);
        Assert.Equal(1.0, Mean(m, 1050, 1050, 4050, 8050));
        Assert.Equal(1.0, Mean(m, 4950, 50, 4950, 9950));                     // runs along the zone's edge, outside
        Assert.Equal(1.0, Mean(m, -3000, 5050, -100, 5050));                  // outside the grid too
        Assert.Equal(1.0, Mean(m, 1234, 4321, 1234, 4321));                   // zero-length leg outside the zone
        Assert.Equal(2.0, Mean(m, 7000, 7000, 7000, 7000));                   // zero-length leg inside it
        var rule = new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), m);
        var plain = new EuclideanCeilMinutes(320);
        Assert.Equal(plain.Minutes(1050, 1050, 4050, 8050), rule.Minutes(1050, 1050, 4050, 8050));
    }

    [Fact]
    public void A_citywide_factor_applies_everywhere_including_outside_the_grid()
    {
        var m = NewModel();
        m.AddCitywideFactor(0.7, 0, double.PositiveInfinity);
        Assert.True(m.Update(0));
        double s = 1 / 0.7;
        Assert.Equal(s, Mean(m, 1050, 1050, 9050, 8050), 6);                 // inside the grid
        Assert.Equal(s, Mean(m, -5000, -5000, -1000, -2000), 12);             // wholly outside
        Assert.Equal(s, Mean(m, -5000, 5050, 5050, 5050), 6);                 // half and half
        Assert.Equal(s, Mean(m, -5000, -5000, 20_000, 20_000), 6);            // through it, out both sides
        Assert.Equal(s, Mean(m, 20_000, 20_000, 20_000, 20_000), 12);         // a point outside
        Assert.Equal(0.7, m.SpeedFactorAt(5050, 5050), 6);
        Assert.Equal(0.7, m.SpeedFactorAt(-1, -1), 12);
        Assert.Equal(0.7, m.SpeedFactorAt(10_000, 5050), 12);                 // the far edge is outside

        // With a zone on top, the zone multiplies the citywide factor.
        m.AddZone(new CongestionZone(Box(5000, 0, 10_000, 10_000), 0.5, 0, double.PositiveInfinity));
        Assert.True(m.Update(0));
        Assert.Equal(0.35, m.SpeedFactorAt(6050, 5050), 6);
        Assert.Equal((s + s / 0.5) / 2, Mean(m, 2500, 5050, 7500, 5050), 5);

        var rule = new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), m);
        Assert.Equal(new EuclideanCeilMinutes(320).Minutes(-9000, -9000, -1000, -1000) / 0.7, rule.Minutes(-9000, -9000, -1000, -1000), 9);
    }

    [Fact]
    public void Overlapping_zones_the_slowest_wins_whatever_the_order_they_were_added_in()
    {
        foreach (bool slowFirst in new[] { false, true })
        {
            var m = NewModel();
            var half = new CongestionZone(Box(0, 0, 6000, 10_000), 0.5, 0, double.PositiveInfinity, "half");
            var quarter = new CongestionZone(Box(4000, 0, 10_000, 10_000), 0.25, 0, double.PositiveInfinity, "quarter");
            var fast = new CongestionZone(Box(0, 0, 3000, 10_000), 2.0, 0, double.PositiveInfinity, "fast");
            foreach (var z in slowFirst ? new[] { quarter, half, fast } : new[] { fast, half, quarter }) m.AddZone(z);
            m.Update(0);
            Assert.Equal(0.5, m.SpeedFactorAt(1050, 5050), 9);                // half and fast overlap: half wins
            Assert.Equal(0.5, m.SpeedFactorAt(3050, 5050), 9);
            Assert.Equal(0.25, m.SpeedFactorAt(5050, 5050), 9);               // half and quarter overlap: quarter wins
            Assert.Equal(0.25, m.SpeedFactorAt(8050, 5050), 9);
            // [3000, 4000): half only, slowness 2; [4000, 6000): half and quarter, slowness 4.
            Assert.Equal((2 + 4 + 4) / 3.0, Mean(m, 3000, 5050, 6000, 5050), 9);
        }
    }

    [Fact]
    public void A_faster_than_normal_zone_shortens_legs()
    {
        var m = NewModel();
        m.AddZone(new CongestionZone(Box(0, 0, 10_000, 10_000), 2.0, 0, double.PositiveInfinity, "motorway"));
        m.Update(0);
        Assert.Equal(0.5, Mean(m, 1050, 1050, 9050, 9050), 9);
        Assert.Equal(0.75, Mean(m, -8000, 5050, 8000, 5050), 9);               // half outside the grid at normal speed
    }

    // ------------------------------------------------------------------ time windows

    [Fact]
    public void Update_reports_a_change_exactly_when_the_active_set_changes()
    {
        var m = NewModel();
        m.Update(0);                                                          // the initial picture
        int v0 = m.Version;
        Assert.False(m.Update(0));
        Assert.False(m.Update(1));

        m.AddZone(new CongestionZone(Box(0, 0, 5000, 5000), 0.5, 10, 20, "rush"));
        Assert.True(m.Update(2));                                             // something added (not yet active)
        Assert.Equal(1, m.SpeedFactorAt(1050, 1050));
        Assert.False(m.Update(5));
        Assert.False(m.Update(9.999));
        Assert.True(m.Update(10));                                            // starts (From is inclusive)
        Assert.Equal(0.5, m.SpeedFactorAt(1050, 1050), 9);
        Assert.False(m.Update(10));
        Assert.False(m.Update(15));
        Assert.False(m.Update(19.999));
        Assert.True(m.Update(20));                                            // ends (To is exclusive)
        Assert.Equal(1, m.SpeedFactorAt(1050, 1050));
        Assert.False(m.Update(25));

        m.AddClosure(new RoadClosure(Line(5050, 2050, 5050, 7050), 30, 40, "bridge"));
        Assert.True(m.Update(25));                                            // added
        Assert.Equal(0, Crossings(m, 2050, 5050, 8050, 5050));
        Assert.False(m.Update(29));
        Assert.True(m.Update(30));
        Assert.Equal(1, Crossings(m, 2050, 5050, 8050, 5050));
        Assert.False(m.Update(35));
        Assert.True(m.Update(40));
        Assert.Equal(0, Crossings(m, 2050, 5050, 8050, 5050));

        m.AddCitywideFactor(0.7, 50, 60);
        Assert.True(m.Update(41));
        Assert.False(m.Update(49));
        Assert.True(m.Update(50));
        Assert.Equal(0.7, m.SpeedFactorAt(1050, 1050), 6);
        Assert.False(m.Update(55));
        Assert.True(m.Update(60));
        Assert.Equal(1, m.SpeedFactorAt(1050, 1050));
        Assert.False(m.Update(61));

        // Two windows that hand over at the same minute still change the set.
        m.AddZone(new CongestionZone(Box(0, 0, 5000, 5000), 0.5, 70, 80, "a"));
        m.AddZone(new CongestionZone(Box(0, 0, 5000, 5000), 0.5, 80, 90, "b"));
        Assert.True(m.Update(62));
        Assert.True(m.Update(70));
        Assert.True(m.Update(80));
        Assert.Equal(0.5, m.SpeedFactorAt(1050, 1050), 9);
        Assert.False(m.Update(85));
        Assert.True(m.Update(90));
        Assert.False(m.Update(1000));
        Assert.True(m.Version > v0);
    }

    [Fact]
    public void Version_moves_only_when_Update_returns_true()
    {
        var m = NewModel();
        m.AddZone(new CongestionZone(Box(0, 0, 5000, 5000), 0.5, 10, 20));
        int changes = 0;
        int start = m.Version;
        for (double t = 0; t < 30; t += 0.5)
            if (m.Update(t)) changes++;
        Assert.Equal(3, changes);                                             // added, started, ended
        Assert.Equal(start + 3, m.Version);
    }

    [Fact]
    public void Nothing_applies_before_the_first_Update_after_it_was_added()
    {
        var m = NewModel();
        m.Update(0);
        m.AddZone(new CongestionZone(Box(0, 0, 10_000, 10_000), 0.5, 0, double.PositiveInfinity));
        m.AddCitywideFactor(0.5, 0, double.PositiveInfinity);
        Assert.Equal(1.0, Mean(m, 1050, 1050, 9050, 9050));
        Assert.True(m.Update(0));
        Assert.Equal(4.0, Mean(m, 1050, 1050, 9050, 9050), 9);
        Assert.Single(m.Zones);
    }

    /// <summary>
    /// The picture ahead: rain (half speed) from 30 to 90, a closure across the middle from 45 to 100, the east half at
    /// half speed from 60 to 120, announced at 0. A leg that starts before the first change is timed in the picture now,
    /// one that starts later in the picture of the latest change before it (rain, then rain and closure, then rain,
    /// closure and jam, then closure and jam), past the last picture rasterised (the fourth change) in that one. The
    /// travel rule's minutes ahead are the base minutes times that slowness plus the detours; before the first change
    /// they are its minutes now. A model brought forward drops the changes behind it.
    /// </summary>
    [Fact]
    public void Legs_that_start_later_are_timed_in_the_picture_announced_for_then()
    {
        var m = NewModel(detour: 10);
        m.AddCitywideFactor(0.5, 30, 90);
        m.AddClosure(new RoadClosure(Line(5050, 0, 5050, 10_000), 45, 100, "bridge"));
        m.AddZone(new CongestionZone(Box(5100, 0, 10_000, 10_000), 0.5, 60, 120, "east"));
        m.Update(0);
        Assert.Equal(30, m.ChangesFrom);
        double Ahead(double at, double x1, double x2, out int crossed) => m.MeanSlownessAt(at, x1, 5050, x2, 5050, out crossed);
        Assert.Equal(1.0, Ahead(10, 1050, 4050, out _));                             // now: dry
        Assert.Equal(2.0, Ahead(40, 1050, 4050, out _), 6);                           // rain
        Assert.Equal(2.0, Ahead(50, 1050, 9050, out int crossed), 6);                 // rain, across the closure
        Assert.Equal(1, crossed);
        Assert.Equal(4.0, Ahead(70, 6050, 9050, out _), 6);                           // rain in the jam
        Assert.Equal(2.0, Ahead(95, 6050, 9050, out _), 6);                           // the jam, dry
        Assert.Equal(2.0, Ahead(130, 6050, 9050, out crossed), 6);                    // past the 4th change: its picture
        Assert.Equal(0, crossed);

        var plain = new EuclideanCeilMinutes(320);
        var rule = new TrafficAdjusted<EuclideanCeilMinutes>(plain, m);
        Assert.Equal(30, rule.ChangesFrom);
        Assert.Equal(rule.Minutes(1050, 5050, 9050, 5050), rule.MinutesAt(1050, 5050, 9050, 5050, 29.9));
        Assert.Equal(plain.Minutes(1050, 5050, 9050, 5050) * 2.0 + 10, rule.MinutesAt(1050, 5050, 9050, 5050, 50), 6);
        Assert.Equal(double.PositiveInfinity, plain.ChangesFrom);
        Assert.Equal(plain.Minutes(0, 0, 3000, 4000), plain.MinutesAt(0, 0, 3000, 4000, 1e6));

        Assert.True(m.Update(40));                                                    // the rain set in
        Assert.Equal(45, m.ChangesFrom);
        Assert.Equal(2.0, Mean(m, 1050, 5050, 4050, 5050), 6);
        Assert.Equal(2.0, Ahead(41, 1050, 4050, out _), 6);                           // before the next change: now
        m.Update(200);
        Assert.Equal(double.PositiveInfinity, m.ChangesFrom);
        Assert.Equal(1.0, Ahead(300, 6050, 9050, out _));
    }

    // ------------------------------------------------------------------ closures

    [Fact]
    public void A_closed_road_crossed_once_costs_one_detour_and_a_parallel_leg_nothing()
    {
        // A north-south road through the middle of the cell column x = [5000, 5100).
        var m = ClosedFromTheStart(detour: 10, (Line(5050, 2050, 5050, 7050), "high street"));

        Assert.Equal(1, Crossings(m, 2050, 5050, 8050, 5050));                // straight across
        Assert.Equal(1, Crossings(m, 8050, 5050, 2050, 5050));                // and back
        Assert.Equal(1, Crossings(m, 2050, 3050, 8050, 6050));                // diagonally across
        Assert.Equal(0, Crossings(m, 6050, 2050, 6050, 7050));                // parallel, one column east
        Assert.Equal(0, Crossings(m, 3050, 1050, 3050, 9050));                // parallel, further west
        Assert.Equal(0, Crossings(m, 2050, 8050, 8050, 8050));                // passes beyond the road's north end
        Assert.Equal(0, Crossings(m, 2050, 5050, 4050, 5050));                // stops short of it
        Assert.Equal(0, Crossings(m, -5000, -5000, -1000, -1000));            // outside the grid

        var across = LegMinutes(m, 2050, 5050, 8050, 5050);
        Assert.Equal(across.Plain + 10, across.WithTraffic, 9);
        var parallel = LegMinutes(m, 6050, 2050, 6050, 7050);
        Assert.Equal(parallel.Plain, parallel.WithTraffic, 9);
        Assert.Equal(1.0, Mean(m, 2050, 5050, 8050, 5050));                 // closures add minutes, not slowness
    }

    [Fact]
    public void Two_closed_roads_crossed_cost_two_detours()
    {
        var m = ClosedFromTheStart(detour: 7, (Line(3050, 50, 3050, 9950), "a"), (Line(7050, 50, 7050, 9950), "b"));
        Assert.Equal(2, Crossings(m, 1050, 5050, 9050, 5050));
        Assert.Equal(1, Crossings(m, 1050, 5050, 5050, 5050));
        var both = LegMinutes(m, 1050, 5050, 9050, 5050);
        Assert.Equal(both.Plain + 14, both.WithTraffic, 9);
    }

    [Fact]
    public void A_closed_area_entered_costs_one_detour()
    {
        var m = ClosedFromTheStart(detour: 12, (Box(4000, 4000, 6000, 6000), "market"));
        Assert.Equal(1, Crossings(m, 1050, 5050, 5050, 5050));                // ends inside
        Assert.Equal(1, Crossings(m, 1050, 5050, 9050, 5050));                // through it: one run of closed cells
        Assert.Equal(1, Crossings(m, 1050, 1250, 9050, 9250));                // diagonally through it
        Assert.Equal(0, Crossings(m, 1050, 8050, 9050, 8050));                // passes north of it
        Assert.Equal(0, Crossings(m, 1050, 1050, 3050, 9050));                // passes west of it
        var through = LegMinutes(m, 1050, 5050, 9050, 5050);
        Assert.Equal(through.Plain + 12, through.WithTraffic, 9);
        var north = LegMinutes(m, 1050, 8050, 9050, 8050);
        Assert.Equal(north.Plain, north.WithTraffic, 9);
    }

    // ------------------------------------------------------------------ validation

    [Fact]
    public void Invalid_zones_closures_and_factors_are_refused_with_clear_messages()
    {
        var m = NewModel();
        var box = Box(0, 0, 1000, 1000);

        var e1 = Assert.Throws<ArgumentException>(() => m.AddZone(new CongestionZone(Line(0, 0, 10, 10), 0.5, 0, 10, "road")));
        Assert.Contains("road", e1.Message);
        Assert.Contains("polygon", e1.Message);
        var e1b = Assert.Throws<ArgumentException>(() => m.AddZone(new CongestionZone(Geo.CreatePoint(new Coordinate(1, 1)), 0.5, 0, 10, "pt")));
        Assert.Contains("polygon", e1b.Message);

        // A bow tie is a polygon but not a valid one.
        var bowTie = Geo.CreatePolygon([new(0, 0), new(100, 100), new(100, 0), new(0, 100), new(0, 0)]);
        var e2 = Assert.Throws<ArgumentException>(() => m.AddZone(new CongestionZone(bowTie, 0.5, 0, 10, "tie")));
        Assert.Contains("not valid", e2.Message);

        foreach (double f in new[] { 0.0, -0.5, double.NaN, 4.5, double.PositiveInfinity })
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => m.AddZone(new CongestionZone(box, f, 0, 10, "z")));
            Assert.Contains("speed factor", e.Message);
            var c = Assert.ThrowsAny<ArgumentException>(() => m.AddCitywideFactor(f, 0, 10));
            Assert.Contains("speed factor", c.Message);
        }

        foreach (var (from, to) in new[] { (10.0, 5.0), (10.0, 10.0), (double.NaN, 10.0), (0.0, double.NaN), (double.NegativeInfinity, 10.0), (double.PositiveInfinity, double.PositiveInfinity) })
        {
            var ez = Assert.ThrowsAny<ArgumentException>(() => m.AddZone(new CongestionZone(box, 0.5, from, to, "win")));
            Assert.Contains("window", ez.Message);
            Assert.Contains("win", ez.Message);
            var ec = Assert.ThrowsAny<ArgumentException>(() => m.AddClosure(new RoadClosure(Line(0, 0, 10, 10), from, to, "cl")));
            Assert.Contains("window", ec.Message);
            var ef = Assert.ThrowsAny<ArgumentException>(() => m.AddCitywideFactor(0.7, from, to));
            Assert.Contains("window", ef.Message);
        }

        var empty = Assert.Throws<ArgumentException>(() => m.AddClosure(new RoadClosure(Geo.CreateLineString(), 0, 10, "nothing")));
        Assert.Contains("empty", empty.Message);
        Assert.Throws<ArgumentNullException>(() => m.AddZone(null!));
        Assert.Throws<ArgumentNullException>(() => m.AddClosure(null!));
        Assert.Throws<ArgumentNullException>(() => m.AddZone(new CongestionZone(null!, 0.5, 0, 10)));

        // Nothing refused was kept.
        Assert.Empty(m.Zones);
        Assert.Empty(m.Closures);
        m.Update(0);
        Assert.Equal(1.0, Mean(m, 50, 50, 9950, 9950));
        Assert.Equal(0, Crossings(m, 50, 50, 9950, 9950));
    }

    [Fact]
    public void Bad_bounds_cell_sizes_and_detours_are_refused()
    {
        Assert.Contains("bounding box", Assert.Throws<ArgumentException>(() => new TrafficModel(0, 0, 0, 100, 10)).Message);
        Assert.Contains("bounding box", Assert.Throws<ArgumentException>(() => new TrafficModel(100, 0, 0, 100, 10)).Message);
        Assert.Contains("bounding box", Assert.Throws<ArgumentException>(() => new TrafficModel(0, 50, 100, 10, 10)).Message);
        Assert.Contains("bounding box", Assert.Throws<ArgumentException>(() => new TrafficModel(double.NaN, 0, 100, 100, 10)).Message);
        Assert.Contains("bounding box", Assert.Throws<ArgumentException>(() => new TrafficModel(0, 0, double.PositiveInfinity, 100, 10)).Message);
        foreach (double cell in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity })
            Assert.Contains("cell size", Assert.Throws<ArgumentOutOfRangeException>(() => new TrafficModel(0, 0, 100, 100, cell)).Message);
        Assert.Contains("too fine", Assert.Throws<ArgumentOutOfRangeException>(() => new TrafficModel(0, 0, 100_000, 100_000, 1)).Message);
        foreach (double d in new[] { -1.0, double.NaN, double.PositiveInfinity })
            Assert.Contains("detour", Assert.Throws<ArgumentOutOfRangeException>(() => new TrafficModel(0, 0, 100, 100, 10, d)).Message);
        // A box smaller than one cell is one cell.
        var tiny = new TrafficModel(0, 0, 1, 1, 10);
        tiny.Update(0);
        Assert.Equal(1.0, tiny.MeanSlowness(-5, -5, 5, 5, out _));
    }

    // ------------------------------------------------------------------ allocation

    [Fact]
    public void MeanSlowness_and_TrafficAdjusted_allocate_nothing()
    {
        var m = NewModel();
        m.AddZone(new CongestionZone(Box(2000, 2000, 7000, 6000), 0.4, 0, double.PositiveInfinity));
        m.AddZone(new CongestionZone(Box(5000, 1000, 9000, 9000), 0.8, 0, double.PositiveInfinity));
        m.AddClosure(new RoadClosure(Line(5050, 50, 5050, 9950), 0, double.PositiveInfinity));
        m.AddClosure(new RoadClosure(Box(1000, 7000, 2000, 8000), 0, double.PositiveInfinity));
        m.AddCitywideFactor(0.9, 0, double.PositiveInfinity);
        m.Update(0);
        var rule = new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), m);
        var rng = new Random(7);
        var pts = new double[4 * 10_000];
        for (int i = 0; i < pts.Length; i++) pts[i] = rng.NextDouble() * 14_000 - 2000;   // some legs leave the grid

        double sink = 0;
        int crossed = 0;
        for (int i = 0; i < 10_000; i++)                                          // warm-up (JIT, tiering)
        {
            sink += m.MeanSlowness(pts[4 * i], pts[4 * i + 1], pts[4 * i + 2], pts[4 * i + 3], out int n);
            sink += rule.Minutes(pts[4 * i], pts[4 * i + 1], pts[4 * i + 2], pts[4 * i + 3]);
            crossed += n;
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            sink += m.MeanSlowness(pts[4 * i], pts[4 * i + 1], pts[4 * i + 2], pts[4 * i + 3], out int n);
            crossed += n;
        }
        long mid = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) sink += rule.Minutes(pts[4 * i], pts[4 * i + 1], pts[4 * i + 2], pts[4 * i + 3]);
        long after = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(0, mid - before);
        Assert.Equal(0, after - mid);
        Assert.True(double.IsFinite(sink) && crossed > 0);
    }

    /// <summary>The picture ahead costs nothing once rasterised: a leg timed ahead and an update that changes nothing
    /// allocate nothing.</summary>
    [Fact]
    public void Legs_timed_ahead_and_updates_that_change_nothing_allocate_nothing()
    {
        var m = NewModel();
        m.AddZone(new CongestionZone(Box(2000, 2000, 7000, 6000), 0.4, 30, 90));
        m.AddClosure(new RoadClosure(Line(5050, 50, 5050, 9950), 45, 100));
        m.AddCitywideFactor(0.7, 20, 200);
        m.Update(0);
        var rule = new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), m);
        double sink = 0;
        for (int i = 0; i < 1000; i++) { sink += rule.MinutesAt(100 * (i % 90), 50, 9000, 100 * (i % 70), i % 150); m.Update(1 + (i % 10) * 0.1); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) { sink += rule.MinutesAt(100 * (i % 90), 50, 9000, 100 * (i % 70), i % 150); m.Update(1 + (i % 10) * 0.1); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sink));
    }
}

/// <summary>Cell-walk edge cases of closure counting.</summary>
public class TrafficModelClosureEdgeTests
{
    // The cell walk of a leg that passes exactly through a grid corner visits a side cell with zero length; a closed
    // cell the leg only touches at a corner is no crossing and adds no detour. Legs through corners are common with
    // round-number coordinates.
    [Fact]
    public void A_leg_through_a_cell_corner_does_not_pay_for_a_closure_it_never_enters()
    {
        var m = TrafficModelTests.NewModel();
        // A small closed square well inside cell (49, 49); the leg x + y = 10000 passes its corner cell at (5000, 5000) only.
        m.AddClosure(new RoadClosure(TrafficModelTests.Box(4920, 4920, 4980, 4980), 0, double.PositiveInfinity, "square"));
        m.Update(0);
        m.MeanSlowness(4850, 5150, 5150, 4850, out int n);
        Assert.Equal(0, n);
    }
}
