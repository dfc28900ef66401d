using System.Text.Json;
using System.Text.RegularExpressions;
using Dispatch.Simulator.Reports;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace Dispatch.Simulator.Tests.Reports;

/// <summary>The run report, the GeoJSON export and the comparison page, from a real replay.</summary>
[Collection(ConsoleCapture.Collection)]
public class RunReportTests(ReportFixture fixture) : IClassFixture<ReportFixture>
{
    private static readonly string[] Sections = ["kpis", "sec-orders", "sec-supply", "sec-c2d", "sec-rtp", "sec-utilization", "sec-ontime", "sec-map"];

    [SkippableFact]
    public void Replay_writes_a_self_contained_report_with_every_section_and_chart()
    {
        string run = fixture.EngineRun();
        string html = File.ReadAllText(Path.Combine(run, RunReport.FileName));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);

        // Nothing to fetch: no remote or protocol-relative src/href, no external scripts or stylesheets, no imports.
        var remote = Regex.Matches(html, @"\b(?:src|href|xlink:href)\s*=\s*[""']?\s*(?:https?:)?//", RegexOptions.IgnoreCase);
        Assert.True(remote.Count == 0, "remote reference: " + string.Join(", ", remote.Select(m => m.Value)));
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);

        foreach (var id in Sections) Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        foreach (var id in RunReport.ChartIds)
        {
            Assert.Single(Regex.Matches(html, $"id=\"{Regex.Escape(id)}\""));
            Assert.Contains($"<svg id=\"{id}\"", html, StringComparison.Ordinal);
        }
        Assert.Contains("40 min target", html, StringComparison.Ordinal);
        Assert.Contains("90 min maximum", html, StringComparison.Ordinal);
        Assert.Contains("FEASIBLE", html, StringComparison.Ordinal);
        Assert.Contains(ReportFixture.InstanceName, html, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Report_numbers_add_up_to_the_instance_and_the_metrics()
    {
        string run = fixture.EngineRun();
        var inst = MdrpInstance.Load(Path.Combine(TestPaths.SharedMdrpInstances, ReportFixture.InstanceName));
        var data = ReportData.From(inst, MdrpSolution.Read(run));
        Assert.Equal(505, data.Delivered.Count);
        Assert.Equal(inst.Orders.Length, data.PlacedPer10Min().Total);
        Assert.Equal(data.Delivered.Count, data.DeliveredPer10Min().Total);
        Assert.Equal(data.Delivered.Count, data.ClickToDoor().Total);
        Assert.Equal(data.Delivered.Count, data.ReadyToPickup().Total);
        Assert.Equal(inst.Couriers.Length, data.Utilization().Total);
        Assert.Equal(inst.Orders.Length, data.OnTimeByHour().Sum(h => h.Placed));
        Assert.Equal(data.Delivered.Count, data.Couriers.Sum(c => c.Delivered));

        // Per-courier busy minutes add up to the fleet utilization the evaluator reports.
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        double fleet = data.Couriers.Sum(c => c.BusyMinutes) / inst.Couriers.Sum(c => (double)(c.OffTime - c.OnTime));
        Assert.Equal(metrics.RootElement.GetProperty("courier_utilization").GetDouble(), fleet, 5);
        double overTarget = data.Delivered.Count(d => d.Line.DropoffTime - inst.Orders[d.Index].PlacementTime > 40) / (double)data.Delivered.Count;
        Assert.Equal(metrics.RootElement.GetProperty("over_target_share").GetDouble(), overTarget, 5);

        var supply = data.OnShift();
        var busy = data.Busy();
        Assert.All(Enumerable.Range(0, supply.Values.Length), i => Assert.InRange(busy.Values[i], 0, inst.Couriers.Length));
        Assert.True(supply.Values.Max() > 0);
        var (from, to) = data.BusiestHour();
        Assert.Equal(60, to - from);
        Assert.NotEmpty(CityMap.LegsIn(data, from, to));
    }

    [SkippableFact]
    public void Routes_geojson_holds_sites_dropoffs_and_one_polyline_per_working_courier()
    {
        string run = fixture.EngineRun();
        var options = new JsonSerializerOptions { Converters = { new GeoJsonConverterFactory() } };
        var fc = JsonSerializer.Deserialize<FeatureCollection>(File.ReadAllText(Path.Combine(run, GeoJsonExport.FileName)), options);
        Assert.NotNull(fc);
        var byKind = fc.GroupBy(f => (string)f.Attributes["kind"]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(116, byKind["restaurant"].Count);
        Assert.Equal(505, byKind["dropoff"].Count);
        Assert.Equal(113, byKind["courier_start"].Count);
        var solution = MdrpSolution.Read(run);
        Assert.Equal(solution.Moves.Select(m => m.Courier).Distinct().Count(), byKind["route"].Count);
        Assert.All(byKind["route"], f =>
        {
            var line = Assert.IsType<LineString>(f.Geometry);
            Assert.True(line.NumPoints >= 2);
        });
        Assert.All(byKind["restaurant"], f => Assert.IsType<Point>(f.Geometry));
    }

    [Fact]
    public void The_map_draws_congestion_zones_and_closures_when_given()
    {
        var inst = new MdrpInstance("tiny", MdrpParameters.Default,
            [new MdrpRestaurant("r1", 1000, 1000)], [new MdrpOrder("o1", 3000, 2000, 0, "r1", 10)], [new MdrpCourier("c1", 900, 1200, 0, 120)]);
        var solution = new MdrpSolution();
        solution.Assignments.Add(new MdrpAssignmentRecord(0, 10, "c1", ["o1"]));
        solution.Orders.Add(new MdrpOrderRecord("o1", 0, 10, 10, 20, "c1"));
        solution.Moves.Add(new MdrpCourierMove("c1", 0, MdrpSolution.StartLocation, "r1"));
        solution.Moves.Add(new MdrpCourierMove("c1", 12, "r1", "o1"));
        var data = ReportData.From(inst, solution);
        var gf = new GeometryFactory();
        var zone = gf.CreatePolygon([new(1500, 1500), new(2500, 1500), new(2500, 2500), new(1500, 2500), new(1500, 1500)]);
        var closure = gf.CreateLineString([new(500, 500), new(4000, 500)]);
        var overlays = new MapOverlays { CongestionZones = [new CongestionZone("centre", zone, 0.6)], Closures = [new Closure("bridge", closure)] };

        string svg = CityMap.Svg(data, 0, 60, overlays);
        Assert.Contains("class=\"congestion\"", svg, StringComparison.Ordinal);
        Assert.Contains("congestion: centre (speed x0.6)", svg, StringComparison.Ordinal);
        Assert.Contains("closure: bridge", svg, StringComparison.Ordinal);
        Assert.Contains("data-courier=\"c1\"", svg, StringComparison.Ordinal);
        string plain = CityMap.Svg(data, 0, 60);
        Assert.DoesNotContain("class=\"congestion\"", plain, StringComparison.Ordinal);

        string html = RunReport.ToHtml(data, Dispatch.Simulator.Reports.RunSummary.From(inst, "Test", new Dispatch.Simulator.Replay.ReplayResult
        {
            Solution = solution, TickMilliseconds = [0.1], EngineMilliseconds = 1, WallMilliseconds = 1, EndMinute = 30,
        }), new RunReportOptions { Overlays = overlays, MapWindowStart = 0, MapWindowEnd = 30 });
        Assert.Contains("1 congestion zones, 1 closures", html, StringComparison.Ordinal);
        Assert.Contains("0:00-0:30", html, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Compare_writes_both_runs_side_by_side_with_differences_and_the_better_run()
    {
        string a = fixture.EngineRun();
        string b = fixture.GreedyRun();
        Assert.True(File.Exists(Path.Combine(b, RunReport.FileName)));
        string outFile = Path.Combine(fixture.Root, "cmp", "compare.html");
        Assert.Equal(0, Cli.Run(["compare", a, b, "--out", outFile]));
        string html = File.ReadAllText(outFile);
        Assert.Contains("Mdrp", html, StringComparison.Ordinal);
        Assert.Contains("Greedy", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        foreach (var key in new[] { "click_to_door_mean", "click_to_door_p90", "over_target_share", "delivered_share", "courier_utilization", "tick_ms_p50" })
            Assert.Contains($"data-metric=\"{key}\"", html, StringComparison.Ordinal);

        var rows = RunComparison.Rows(RunComparison.ReadMetrics(a), RunComparison.ReadMetrics(b));
        var c2d = rows.Single(r => r.Metric == "click_to_door_mean");
        Assert.Equal(RunComparison.Better.Lower, c2d.Direction);
        Assert.Equal(c2d.B!.Value - c2d.A!.Value, c2d.Delta!.Value, 9);
        Assert.Equal("A", c2d.Winner); // the optimizer beats the greedy baseline on this trace
        Assert.Equal("", rows.Single(r => r.Metric == "orders").Winner);
    }

    [Fact]
    public void Comparison_rows_compute_differences_and_winners()
    {
        var lower = new RunComparison.Row("click_to_door_mean", 40, 30, RunComparison.Better.Lower);
        Assert.Equal(-10, lower.Delta);
        Assert.Equal(-25, lower.Percent);
        Assert.Equal("B", lower.Winner);
        var higher = new RunComparison.Row("delivered_share", 0.9, 0.8, RunComparison.Better.Higher);
        Assert.Equal("A", higher.Winner);
        Assert.Equal("=", new RunComparison.Row("x", 1, 1, RunComparison.Better.Lower).Winner);
        Assert.Null(new RunComparison.Row("x", 0, 1, RunComparison.Better.Lower).Percent);
        Assert.Equal(RunComparison.Better.Lower, RunComparison.DirectionOf("ready_to_pickup_mean"));
        Assert.Equal(RunComparison.Better.Higher, RunComparison.DirectionOf("orders_per_courier_hour"));
    }

    [Fact]
    public void Compare_of_a_folder_without_metrics_is_a_clear_error()
    {
        int rc = 0;
        string err = ConsoleCapture.StandardError(() => rc = Cli.Run(["compare", "/nonexistent/a", "/nonexistent/b", "--out", Path.Combine(fixture.Root, "x.html")]));
        Assert.Equal(2, rc);
        Assert.Contains("metrics.json not found", err, StringComparison.Ordinal);
    }
}
