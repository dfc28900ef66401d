using System.Text.Json;
using static Dispatch.Simulator.Tests.Vroom.VroomTestSupport;

namespace Dispatch.Simulator.Tests.Vroom;

/// <summary>Every problem in samples/vroom solves, and its output is valid VROOM output for that problem.</summary>
public class VroomSampleTests
{
    private static readonly string[] SampleNames =
    [
        "jobs-time-windows.json",
        "shipments-distances.json",
        "depot-deliveries-unassigned.json",
        "coordinates-only.json",
    ];

    public static TheoryData<string> Samples => new(SampleNames);

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_solves_and_its_output_is_valid_VROOM_output(string name)
    {
        string path = Path.Combine(SamplesDir, name);
        var run = SolveFile(path);

        Assert.True(run.Code == 0, run.Log);
        var errors = VroomOutputValidator.Validate(File.ReadAllText(path), run.Output);
        Assert.True(errors.Count == 0, $"{name}:\n{string.Join("\n", errors)}");
        string summaryLine = run.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Contains("routes", summaryLine, StringComparison.Ordinal);
        Assert.Contains("unassigned", summaryLine, StringComparison.Ordinal);
        Assert.Contains("cost", summaryLine, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_sample_is_in_the_theory_and_in_the_README()
    {
        var files = Directory.GetFiles(SamplesDir, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        string readme = File.ReadAllText(Path.Combine(SamplesDir, "README.md"));

        Assert.True(files.Length >= 3, $"{files.Length} samples");
        Assert.Equal(SampleNames.Order(StringComparer.Ordinal), files);
        foreach (string? file in files) Assert.Contains(file!, readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Jobs_sample_serves_every_job_within_its_window_with_two_dimensional_loads()
    {
        var root = SolveFile(Path.Combine(SamplesDir, "jobs-time-windows.json")).Root;

        Assert.Equal(0, root.GetProperty("summary").GetProperty("unassigned").GetInt32());
        Assert.Equal(7, root.GetProperty("routes").EnumerateArray().Sum(r => Steps(r).Count - 2));
        Assert.Equal(2, root.GetProperty("summary").GetProperty("delivery").GetArrayLength());
        // No distances matrix and no coordinates: VROOM reports no distance.
        Assert.False(root.GetProperty("summary").TryGetProperty("distance", out _));
        // Default costs: cost is the travel time in seconds.
        Assert.Equal(root.GetProperty("summary").GetProperty("duration").GetInt64(), root.GetProperty("summary").GetProperty("cost").GetInt64());
    }

    [Fact]
    public void Shipments_sample_reports_distances_and_per_km_and_fixed_costs()
    {
        var root = SolveFile(Path.Combine(SamplesDir, "shipments-distances.json")).Root;
        var summary = root.GetProperty("summary");

        Assert.Equal(0, summary.GetProperty("unassigned").GetInt32());
        Assert.True(summary.GetProperty("distance").GetInt64() > 0);
        Assert.Equal(12, root.GetProperty("routes").EnumerateArray().Sum(r => Steps(r).Count - 2));
        Assert.All(root.GetProperty("routes").EnumerateArray().SelectMany(Steps).Where(s => s.GetProperty("type").GetString() is "pickup" or "delivery"),
            s => Assert.True(s.TryGetProperty("id", out _)));
        // Fixed costs are in the route costs: every route costs more than its travel time.
        Assert.All(root.GetProperty("routes").EnumerateArray(), r => Assert.True(r.GetProperty("cost").GetInt64() >= r.GetProperty("duration").GetInt64() + 600));
    }

    [Fact]
    public void Depot_sample_leaves_the_oversized_job_unassigned_with_its_reason()
    {
        var root = SolveFile(Path.Combine(SamplesDir, "depot-deliveries-unassigned.json")).Root;

        var u = Assert.Single(root.GetProperty("unassigned").EnumerateArray());
        Assert.Equal(6, u.GetProperty("id").GetInt32());
        Assert.Equal("job", u.GetProperty("type").GetString());
        Assert.Equal(6, u.GetProperty("location_index").GetInt32());
        Assert.Equal(2, u.GetProperty("location").GetArrayLength());
        Assert.Equal("capacity_exceeded", u.GetProperty("reason").GetString());
        Assert.Equal("amount [14] exceeds the capacity of every vehicle", u.GetProperty("reason_detail").GetString());
        Assert.Equal(1, root.GetProperty("summary").GetProperty("unassigned").GetInt32());
        // The descriptions and coordinates given in input come back on the steps.
        var step = root.GetProperty("routes").EnumerateArray().SelectMany(Steps).First(s => s.GetProperty("type").GetString() == "job");
        Assert.StartsWith("Rue ", step.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, step.GetProperty("location").GetArrayLength());
    }

    [Fact]
    public void Coordinates_sample_uses_the_straight_line_stand_in_and_says_so()
    {
        var run = SolveFile(Path.Combine(SamplesDir, "coordinates-only.json"));

        Assert.Equal(0, run.Code);
        Assert.Contains("straight-line", run.Log, StringComparison.Ordinal);
        Assert.Contains("stand-in", run.Log, StringComparison.Ordinal);
        Assert.True(run.Root.GetProperty("summary").GetProperty("distance").GetInt64() > 0);
        Assert.False(Steps(run.Root.GetProperty("routes")[0])[0].TryGetProperty("location_index", out _));
    }

    [Fact]
    public void The_time_limited_entry_point_the_CLI_calls_solves_a_sample()
    {
        string path = Path.Combine(SamplesDir, "shipments-distances.json");
        string outPath = Path.Combine(Path.GetTempPath(), $"dispatch-vroom-{Guid.NewGuid():N}.json");
        var log = new StringWriter();
        try
        {
            int code = Dispatch.Simulator.Vroom.VroomCommand.Solve(path, outPath, 0.2, 3, log);

            Assert.Equal(0, code);
            Assert.Empty(VroomOutputValidator.Validate(File.ReadAllText(path), File.ReadAllText(outPath)));
            Assert.Single(log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(outPath);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Same_seed_and_budget_give_the_same_output(string name)
    {
        string path = Path.Combine(SamplesDir, name);
        Assert.Equal(WithoutTimes(SolveFile(path).Output), WithoutTimes(SolveFile(path).Output));
    }

    private static string WithoutTimes(string output)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        node["summary"]!.AsObject().Remove("computing_times");
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}

/// <summary>The validator itself: each way of breaking a valid output is caught.</summary>
public class VroomOutputValidatorTests
{
    public static TheoryData<string> Breakages => new(
        "arrival", "load over capacity", "drop a step", "duplicate a step", "swap shipment steps", "window", "summary cost", "start type", "missing key");

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_broken_output_is_reported(string breakage)
    {
        string problem = File.ReadAllText(Path.Combine(SamplesDir, "shipments-distances.json"));
        string output = SolveFile(Path.Combine(SamplesDir, "shipments-distances.json")).Output;
        Assert.Empty(VroomOutputValidator.Validate(problem, output));

        var root = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        var steps = root["routes"]![0]!["steps"]!.AsArray();
        switch (breakage)
        {
            case "arrival": steps[2]!["arrival"] = steps[2]!["arrival"]!.GetValue<long>() - 1; break;
            case "load over capacity": steps[1]!["load"]![0] = 9; break;
            case "drop a step": steps.RemoveAt(1); break;
            case "duplicate a step": steps.Insert(1, steps[1]!.DeepClone()); break;
            case "swap shipment steps":
                int d = steps.Select((s, i) => (s, i)).First(x => x.s!["type"]!.GetValue<string>() == "delivery").i;
                var delivery = steps[d]!;
                steps.RemoveAt(d);
                steps.Insert(1, delivery);
                break;
            case "window": steps[1]!["waiting_time"] = 100_000; break;
            case "summary cost": root["summary"]!["cost"] = 1; break;
            case "start type": steps[0]!["type"] = "job"; break;
            case "missing key": steps[1]!.AsObject().Remove("duration"); break;
        }

        Assert.NotEmpty(VroomOutputValidator.Validate(problem, root.ToJsonString()));
    }
}
