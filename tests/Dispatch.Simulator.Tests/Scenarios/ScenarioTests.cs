using System.Text.Json;
using Dispatch.Simulator.Replay;
using Dispatch.Simulator.Scenarios;
using Dispatch.Simulator.Evaluation;
using Xunit.Abstractions;

namespace Dispatch.Simulator.Tests.Scenarios;

/// <summary>Scenario scripts and the world replay: parsing, consistency, and re-planning against frozen plans.</summary>
public class ScenarioTests(ITestOutputHelper output)
{
    private static string ScenarioDir => Path.Combine(TestPaths.RepoRoot, "samples", "scenarios");

    private static string WriteTemp(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), "scenario-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void At_least_four_shipped_scenarios_load_and_use_only_relative_times_and_places()
    {
        var files = Directory.GetFiles(ScenarioDir, "*.json");
        Assert.True(files.Length >= 4, $"{files.Length} scenarios shipped");
        foreach (var f in files)
        {
            var s = ScenarioFile.Load(f);
            Assert.NotEmpty(s.Events);
            Assert.False(string.IsNullOrWhiteSpace(s.Description), f);
        }
    }

    [Theory]
    [InlineData("""{"events":[{"kind":"hail","from":"peak","to":"peak+10"}]}""", "event 1 (hail): unknown kind 'hail'")]
    [InlineData("""{"events":[{"kind":"rain","from":"peak","factor":0.5}]}""", "event 1 (rain): needs 'from' and 'to'")]
    [InlineData("""{"events":[{"kind":"rain","from":"noon","to":"peak","factor":0.5}]}""", "time 'noon' is not")]
    [InlineData("""{"events":[{"kind":"rain","from":"peak","to":"peak+5","factor":0}]}""", "'factor' (speed factor) must be in (0, 4]")]
    [InlineData("""{"events":[{"kind":"congestion","from":"peak","to":"peak+5","factor":0.5,"area":[[0,0],[1,0]]}]}""", "'area' needs at least 3 points")]
    [InlineData("""{"events":[{"kind":"courier-offline","at":"peak","couriers":"slowest","count":2}]}""", "'couriers' must be busiest, random or nearest-center")]
    [InlineData("""{"events":[{"kind":"rain","from":"peak","to":"peak+5","factor":0.5,"colour":"grey"}]}""", "not a valid scenario")]
    public void A_bad_scenario_file_is_refused_with_the_event_and_field_at_fault(string json, string expected)
    {
        string path = WriteTemp(json);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ScenarioFile.Load(path));
            Assert.Contains(expected, e.Message);
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("\"peak\"", 500)]
    [InlineData("\"peak+30\"", 530)]
    [InlineData("\"peak-15\"", 485)]
    [InlineData("\"start+60\"", 160)]
    [InlineData("\"end-30\"", 870)]
    [InlineData("0.5", 500)]
    [InlineData("\"0.25\"", 300)]
    public void Times_resolve_against_the_trace(string json, double expected)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(expected, ScenarioEvent.ParseTime(doc.RootElement, 100, 900, 500));
    }

    /// <summary>A fixed peak minute places the "peak" events there whatever the trace's busiest hour is (what keeps the
    /// rain in place when bench/promises/futures resamples the orders after a cut); a bad one is refused by name.</summary>
    [Fact]
    public void A_fixed_peak_minute_places_the_peak_events_there()
    {
        var wave = Dispatch.Simulator.Generation.WaveGenerator.Generate(new Dispatch.Simulator.Generation.WaveOptions { Seed = 3, OrdersPerDay = 1_000 });
        var rain = ScenarioFile.Load(Path.Combine(ScenarioDir, "dinner-rain.json")); // rain from peak-30 to peak+120
        var busiest = CompiledScenario.Compile(wave, new WorldReplayOptions { Scenario = rain }).TrafficReports[0].Report;
        Assert.Equal(CompiledScenario.PeakMinute(wave) - 30, busiest.T1);
        var fixedAt = CompiledScenario.Compile(wave, new WorldReplayOptions { Scenario = rain, PeakMinute = 400 }).TrafficReports[0].Report;
        Assert.Equal((370.0, 520.0), (fixedAt.T1, fixedAt.T2));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CompiledScenario.Compile(wave, new WorldReplayOptions { Scenario = rain, PeakMinute = -1 }));
        Assert.Contains(nameof(WorldReplayOptions.PeakMinute), e.Message);
    }

    [SkippableFact]
    public void An_unchanging_world_replays_exactly_like_the_plain_replay()
    {
        string dir = TestPaths.SharedMdrpInstance("0o100t100s2p100");
        var inst = MdrpInstance.Load(dir);
        var world = WorldReplay.Run(inst, new WorldReplayOptions());
        var plain = SolutionEvaluator.Evaluate(inst, MdrpReplay.Run(inst).Solution).Metrics;
        Assert.Equal(plain.Delivered, world.Delivered);
        Assert.Equal(plain.ClickToDoorMean, world.ClickToDoorMean, 9);
        Assert.Equal(0, world.Lost);
    }

    /// <summary>The General profile on a generated wave with delivery promises, in an unchanging world: every
    /// plan and every drop-off keeps its promise (hard windows), nothing is lost, and driving is measured.</summary>
    [Fact]
    public void An_unchanging_world_keeps_every_promise_under_the_General_profile()
    {
        var wave = Dispatch.Simulator.Generation.WaveGenerator.Generate(new Dispatch.Simulator.Generation.WaveOptions { Seed = 6, OrdersPerDay = 1_000, DeliveryPromises = true });
        var world = WorldReplay.Run(wave, new WorldReplayOptions { Profile = Dispatch.Engine.DispatchProfile.General });
        Assert.Equal(wave.Orders.Length, world.PromisedOrders);
        Assert.Equal(0, world.Lost);
        Assert.True(world.Delivered > wave.Orders.Length * 0.95, $"{world.Delivered} of {wave.Orders.Length} delivered");
        Assert.Equal(wave.Orders.Length, world.Delivered + world.Unserved);
        Assert.Equal((0, 0), (world.LateDropoffs, world.PlannedLateDropoffs));
        Assert.True(world.DrivingMinutes > 5 * world.Delivered, $"{world.DrivingMinutes} minutes driven");
    }

    [SkippableTheory]
    [InlineData("dinner-rain.json", "0o100t100s2p100")]
    [InlineData("downtown-jam-and-closure.json", "5o100t100s2p100")]
    [InlineData("courier-outage-in-rain.json", "3o100t100s1p100")]
    [InlineData("kitchen-backlog-surge.json", "0o100t100s2p100")]
    public void Re_planning_beats_frozen_plans_and_loses_no_order(string scenario, string trace)
    {
        string dir = TestPaths.SharedMdrpInstance(trace);
        var inst = MdrpInstance.Load(dir);
        var s = ScenarioFile.Load(Path.Combine(ScenarioDir, scenario));
        var on = WorldReplay.Run(inst, new WorldReplayOptions { Scenario = s, Replan = true });
        var off = WorldReplay.Run(inst, new WorldReplayOptions { Scenario = s, Replan = false });
        output.WriteLine($"{scenario} on {trace}: c2d {on.ClickToDoorMean:F2} vs {off.ClickToDoorMean:F2}, over 40 {on.OverTargetShare:P1} vs {off.OverTargetShare:P1}");
        Assert.Equal(0, on.Lost);
        Assert.Equal(0, off.Lost);
        Assert.Equal(on.Orders, on.Delivered + on.Cancelled + on.Unserved);
        Assert.True(on.ClickToDoorMean < off.ClickToDoorMean, $"mean click-to-door {on.ClickToDoorMean:F2} (on) vs {off.ClickToDoorMean:F2} (off)");
        Assert.True(on.OverTargetShare < off.OverTargetShare, $"over 40 {on.OverTargetShare:P2} (on) vs {off.OverTargetShare:P2} (off)");
        if (scenario.StartsWith("courier-outage", StringComparison.Ordinal))
        {
            Assert.True(on.Released > 0, "the outage released orders");
            Assert.Equal(on.Released, on.Reassigned);
        }
    }
}

/// <summary>A scenario replay with --out writes what the world did and a report whose map shows the scenario's zones and closures.</summary>
public class ScenarioReportTests
{
    [SkippableFact]
    public void A_scenario_replay_writes_the_solution_metrics_and_a_report_with_its_zones_and_closures()
    {
        string dir = TestPaths.SharedMdrpInstance("0o100t100s2p100");
        using var temp = new TempFolder("dispatch-scenario");
        string outDir = temp.Path;
        string scenario = Path.Combine(TestPaths.RepoRoot, "samples", "scenarios", "downtown-jam-and-closure.json");
        Assert.Equal(0, Cli.Run(["replay", dir, "--scenario", scenario, "--out", outDir]));
        foreach (var f in new[] { "metrics.json", "report.html", "routes.geojson", MdrpSolution.OrdersFile, MdrpSolution.AssignmentsFile, MdrpSolution.CouriersFile })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("1 congestion zones, 1 closures", html);
        Assert.Contains("SCENARIO downtown-jam-and-closure", html);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.Equal(0, json.RootElement.GetProperty("lost").GetInt32());
        // The orders file holds every delivered order at the world's actual times.
        var solution = MdrpSolution.Read(outDir);
        Assert.Equal(json.RootElement.GetProperty("delivered").GetInt32(), solution.Orders.Count);
        Assert.All(solution.Orders, o => Assert.True(o.DropoffTime > o.PickupTime && o.PickupTime >= o.ReadyTime));
    }
}
