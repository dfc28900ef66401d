using Dispatch.Engine;
using Dispatch.Protocol;
using Dispatch.Simulator.Generation;
using Dispatch.Simulator.Scenarios;

namespace Dispatch.Simulator.Tests.Scenarios;

/// <summary>The scenario replay tells its engine of the scenario's traffic through the command router, as the server does.</summary>
public class ScenarioRouterTests
{
    private static readonly MdrpInstance Wave = WaveGenerator.Generate(new WaveOptions { Seed = 3, OrdersPerDay = 1_000 });

    private static ScenarioFile Load(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), "scenario-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        try { return ScenarioFile.Load(path); }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_engine_hears_the_scenarios_traffic_as_commands_through_the_router_only_when_it_replans(bool replan)
    {
        var scenario = Load("""
            {"name":"jam","events":[
              {"kind":"rain","from":"peak-30","to":"peak+30","factor":0.7},
              {"kind":"kitchen-delay","from":"peak-30","to":"peak+30","minutes":5,"share":0.2},
              {"kind":"congestion","from":"peak","to":"peak+60","factor":0.4,"area":[[0.3,0.3],[0.7,0.3],[0.7,0.7],[0.3,0.7]]},
              {"kind":"closure","from":"peak","to":"peak+60","line":[[0.5,0.0],[0.5,1.0]]}]}
            """);
        var options = new WorldReplayOptions { Scenario = scenario, Replan = replan };
        var compiled = CompiledScenario.Compile(Wave, options);

        var world = WorldReplay.Start(Wave, options, compiled, out _);

        var heard = world.Router.Traffic.Definitions;
        // The city at normal speed first (the engine's travel on the world's grid from the start), then,
        // when it re-plans, every traffic event of the file in order: rain, zone 3, closure 4.
        Assert.Equal(Command.SetCitywideFactor(0, 1, 0, double.PositiveInfinity), heard[0]);
        MessageType[] reported = replan ? [MessageType.SetCitywideFactor, MessageType.AddCongestionZone, MessageType.AddClosure] : [];
        Assert.Equal(reported, heard.Skip(1).Select(c => c.Type));
        if (replan)
        {
            Assert.Equal(compiled.TrafficReports.Select(r => r.Report), heard.Skip(1));
            Assert.Equal(new long[] { 3, 4 }, heard.Skip(2).Select(c => c.Id));
            Assert.Single(world.Router.Traffic.Model.Zones);
            Assert.Single(world.Router.Traffic.Model.Closures);
        }
        else
        {
            Assert.Empty(world.Router.Traffic.Model.Zones);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_invalid_closure_polygon_in_a_scenario_file_is_refused_with_the_routers_message(bool replan)
    {
        // A bow tie: four points in range, so the file itself reads, but the ring crosses itself.
        var scenario = Load("""
            {"name":"bow-tie","events":[
              {"kind":"rain","from":"peak","to":"peak+30","factor":0.8},
              {"kind":"closure","from":"peak","to":"peak+60","area":[[0.2,0.2],[0.8,0.8],[0.8,0.2],[0.2,0.8]]}]}
            """);

        var e = Assert.Throws<InvalidDataException>(() => WorldReplay.Run(Wave, new WorldReplayOptions { Scenario = scenario, Replan = replan }));

        Assert.StartsWith("scenario 'bow-tie': event 2 (closure): closure 2: invalid polygon: Self-intersection at (", e.Message);
        Assert.Equal(DispatchError.InvalidValue, Assert.IsType<DispatchException>(e.InnerException).Error);
    }

    [Fact]
    public void An_empty_traffic_window_in_a_scenario_file_is_refused_naming_the_window()
    {
        var scenario = Load("""{"name":"backwards","events":[{"kind":"rain","from":"peak+30","to":"peak","factor":0.8}]}""");

        var e = Assert.Throws<InvalidDataException>(() => WorldReplay.Run(Wave, new WorldReplayOptions { Scenario = scenario }));

        Assert.Contains("event 1 (rain): citywide factor: inverted or empty window", e.Message);
    }
}
