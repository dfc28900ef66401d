using System.Text.Json;
using Dispatch.Simulator.Vroom;
using static Dispatch.Simulator.Tests.Vroom.VroomTestSupport;

namespace Dispatch.Simulator.Tests.Vroom;

/// <summary>Every refusal names the JSON item and the field; the command answers with VROOM's error JSON, code 2.</summary>
public class VroomBadInputTests
{
    private const string M5 = """
        "matrices": {"car": {"durations": [[0, 1, 2, 3, 4], [1, 0, 1, 2, 3], [2, 1, 0, 1, 2], [3, 2, 1, 0, 1], [4, 3, 2, 1, 0]]}}
        """;

    private const string V1 = """[{"id": 1, "start_index": 0, "end_index": 0, "capacity": [4]}]""";
    private const string J2 = """[{"id": 1, "location_index": 1}, {"id": 17, "location_index": 2}]""";

    private static string P(string vehicles = V1, string jobs = J2, string shipments = "[]", string matrices = M5) =>
        $$"""{"vehicles": {{vehicles}}, "jobs": {{jobs}}, "shipments": {{shipments}}, {{matrices}}}""";

    /// <summary>The problem with one vehicle (id 1, starting at location 0) that also has <paramref name="fields"/>.</summary>
    private static string OneVehicleWith(string fields) => P(vehicles: $$"""[{"id": 1, "start_index": 0, {{fields}}}]""");

    /// <summary>The problem with one job (id 1 at location 1) that also has <paramref name="fields"/>.</summary>
    private static string OneJobWith(string fields) => P(jobs: $$"""[{"id": 1, "location_index": 1, {{fields}}}]""");

    public static TheoryData<string, string, string> Cases => new()
    {
        { "vehicle window end before start",
            P(vehicles: """[{"id": 1, "start_index": 0}, {"id": 2, "start_index": 0, "time_window": [200, 100]}]"""),
            "vehicles[1] (id 2): time_window end 100 is before start 200" },
        { "job window end before start",
            OneJobWith(""" "time_windows": [[200, 100]]"""),
            "jobs[0] (id 1): time_windows[0] end 100 is before start 200" },
        { "shipment pickup window after its delivery window",
            P(jobs: "[]", shipments: """[{"pickup": {"id": 5, "location_index": 1, "time_windows": [[5000, 6000]]}, "delivery": {"id": 6, "location_index": 2, "time_windows": [[1000, 3000]]}}]"""),
            "shipments[0] (pickup id 5, delivery id 6): the pickup time window opens at 5000, after the delivery time window closes at 3000" },
        { "negative matrix entry",
            P(matrices: """ "matrices": {"car": {"durations": [[0, 1, 2, 3, 4], [1, 0, 1, 2, 3], [2, 1, 0, 1, -7], [3, 2, 1, 0, 1], [4, 3, 2, 1, 0]]}}"""),
            "matrices.car.durations[2][4] is negative (-7)" },
        { "short matrix row",
            P(matrices: """ "matrices": {"car": {"durations": [[0, 1, 2, 3, 4], [1, 0, 1, 2, 3], [2, 1, 0, 1, 2], [3, 2, 1, 0], [4, 3, 2, 1, 0]]}}"""),
            "matrices.car.durations row 3 has 4 entries, expected 5" },
        { "negative entry in the older top-level matrix",
            P(matrices: """ "matrix": [[0, 1, 2, 3, 4], [-1, 0, 1, 2, 3], [2, 1, 0, 1, 2], [3, 2, 1, 0, 1], [4, 3, 2, 1, 0]]"""),
            "matrix[1][0] is negative (-1)" },
        { "distances of another size",
            P(matrices: """ "matrices": {"car": {"durations": [[0, 1], [1, 0]], "distances": [[0]]}}""", jobs: """[{"id": 1, "location_index": 1}]"""),
            "matrices.car.distances has 1 rows, expected 2 (the size of matrices.car.durations)" },
        { "non-integer matrix entry",
            P(matrices: """ "matrices": {"car": {"durations": [[0, 1.5], [1, 0]]}}""", jobs: """[{"id": 1, "location_index": 1}]"""),
            "matrices.car.durations[0][1] must be a whole number of seconds, got 1.5" },
        { "unknown job location_index",
            P(jobs: """[{"id": 1, "location_index": 9}]"""),
            "jobs[0] (id 1): location_index 9 is not in the 5x5 matrix" },
        { "unknown vehicle start_index",
            P(vehicles: """[{"id": 1, "start_index": 5}]"""),
            "vehicles[0] (id 1): start_index 5 is not in the 5x5 matrix" },
        { "unknown shipment delivery location_index",
            P(jobs: "[]", shipments: """[{"pickup": {"id": 5, "location_index": 1}, "delivery": {"id": 6, "location_index": 12}}]"""),
            "shipments[0].delivery (id 6): location_index 12 is not in the 5x5 matrix" },
        { "location without location_index when a matrix is given",
            P(jobs: """[{"id": 1, "location": [2.35, 48.85]}]"""),
            "jobs[0] (id 1): 'location' coordinates need 'location_index' when a matrix is given" },
        { "job skills",
            P(jobs: """[{"id": 1, "location_index": 1}, {"id": 17, "location_index": 2, "skills": [3]}]"""),
            "jobs[1] (id 17): 'skills' is not supported" },
        { "shipment skills",
            P(jobs: "[]", shipments: """[{"skills": [1], "pickup": {"id": 5, "location_index": 1}, "delivery": {"id": 6, "location_index": 2}}]"""),
            "shipments[0] (pickup id 5, delivery id 6): 'skills' is not supported" },
        { "two time windows",
            OneJobWith(""" "time_windows": [[0, 10], [20, 30]]"""),
            "jobs[0] (id 1): 'time_windows' has 2 windows: only one time window per task is supported" },
        { "delivery and pickup on one job",
            OneJobWith(""" "delivery": [1], "pickup": [2]"""),
            "jobs[0] (id 1): both 'delivery' and 'pickup' amounts are non-zero" },
        { "setup time",
            OneJobWith(""" "setup": 30"""),
            "jobs[0] (id 1): 'setup' is not supported" },
        { "vehicle breaks",
            OneVehicleWith(""" "breaks": [{"id": 1, "service": 300, "time_windows": [[0, 100]]}]"""),
            "vehicles[0] (id 1): 'breaks' is not supported" },
        { "vehicle max_tasks",
            OneVehicleWith(""" "max_tasks": 3"""),
            "vehicles[0] (id 1): 'max_tasks' is not supported" },
        { "vehicle max_travel_time",
            OneVehicleWith(""" "max_travel_time": 3600"""),
            "vehicles[0] (id 1): 'max_travel_time' is not supported" },
        { "vehicle steps (a plan)",
            OneVehicleWith(""" "steps": [{"type": "job", "id": 1}]"""),
            "vehicles[0] (id 1): 'steps' is not supported" },
        { "vehicle profile other than car",
            OneVehicleWith(""" "profile": "bike" """),
            "vehicles[0] (id 1): profile \"bike\" is not supported" },
        { "several profiles",
            P(matrices: """ "matrices": {"car": {"durations": [[0, 1], [1, 0]]}, "bike": {"durations": [[0, 2], [2, 0]]}}"""),
            "matrices.bike: profile 'bike' is not supported" },
        { "custom cost matrix",
            P(matrices: """ "matrices": {"car": {"durations": [[0, 1], [1, 0]], "costs": [[0, 1], [1, 0]]}}"""),
            "matrices.car: 'costs' (a custom cost matrix) is not supported" },
        { "per_km without distances",
            OneVehicleWith(""" "costs": {"per_km": 5}"""),
            "vehicles[0] (id 1): 'costs.per_km' needs distances" },
        { "amounts of different lengths",
            OneJobWith(""" "delivery": [1, 2]"""),
            "jobs[0] (id 1): 'delivery' has 2 dimensions, but vehicles[0] (id 1) 'capacity' has 1" },
        { "negative amount",
            OneJobWith(""" "delivery": [-1]"""),
            "jobs[0] (id 1): 'delivery'[0] = -1 is negative" },
        { "duplicate job id",
            P(jobs: """[{"id": 1, "location_index": 1}, {"id": 1, "location_index": 2}]"""),
            "jobs[1] (id 1): id 1 appears twice (also jobs[0])" },
        { "duplicate vehicle id",
            P(vehicles: """[{"id": 3, "start_index": 0}, {"id": 3, "end_index": 0}]"""),
            "vehicles[1] (id 3): id 3 appears twice (also vehicles[0])" },
        { "vehicle with neither start nor end",
            P(vehicles: """[{"id": 1}]"""),
            "vehicles[0] (id 1): needs a 'start' or an 'end'" },
        { "job without id",
            P(jobs: """[{"location_index": 1}]"""),
            "jobs[0]: 'id' is required" },
        { "fractional service",
            OneJobWith(""" "service": 1.5"""),
            "jobs[0] (id 1): 'service' must be a whole number of seconds, got 1.5" },
        { "priority out of range",
            OneJobWith(""" "priority": 101"""),
            "jobs[0] (id 1): 'priority' must be a whole number from 0 to 100, got 101" },
        { "no vehicles",
            """{"jobs": []}""",
            "'vehicles' is required" },
        { "no matrix and no coordinates",
            """{"vehicles": [{"id": 1, "start_index": 0}], "jobs": [{"id": 1, "location_index": 0}]}""",
            "vehicles[0] (id 1): 'start_index' needs a matrix" },
        { "coordinates out of range",
            """{"vehicles": [{"id": 1, "start": [48.85, 200]}]}""",
            "vehicles[0] (id 1): 'start' [48.85, 200] is not a [lon, lat] pair" },
        { "both matrix and matrices",
            P(matrices: M5 + """, "matrix": [[0]]"""),
            "give either 'matrices' or the older 'matrix', not both" },
        { "duplicate key",
            OneJobWith(""" "location_index": 2"""),
            "jobs[0]: key 'location_index' appears twice" },
        { "not JSON",
            """{"vehicles": [""",
            "the problem is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_is_refused_naming_the_item_and_field(string what, string json, string message)
    {
        var ex = Assert.Throws<VroomInputException>(() => VroomProblemReader.Parse(json));

        Assert.True(ex.Message.Contains(message, StringComparison.Ordinal), $"{what}: got \"{ex.Message}\", expected it to contain \"{message}\"");
    }

    [Fact]
    public void The_command_writes_VROOMs_error_JSON_with_code_2_and_logs_the_message()
    {
        var run = SolveJson(P(jobs: """[{"id": 1, "location_index": 1}, {"id": 17, "location_index": 2, "skills": [3]}]"""));

        Assert.Equal(2, run.Code);
        var root = run.Root;
        Assert.Equal(2, root.GetProperty("code").GetInt32());
        Assert.Equal("jobs[1] (id 17): 'skills' is not supported", root.GetProperty("error").GetString());
        Assert.Equal(2, root.EnumerateObject().Count());
        Assert.Contains("jobs[1] (id 17): 'skills' is not supported", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_problem_file_is_an_input_error_naming_the_path()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-problem-{Guid.NewGuid():N}.json");
        var run = SolveFile(missing);

        Assert.Equal(2, run.Code);
        Assert.Contains(missing, run.Root.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Error_JSON_has_only_code_and_error()
    {
        using var doc = JsonDocument.Parse(VroomSolutionWriter.ErrorJson(2, "vehicles[1] (id 2): time_window end 100 is before start 200"));

        Assert.Equal(["code", "error"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("vehicles[1] (id 2): time_window end 100 is before start 200", doc.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void Timing_errors_that_only_the_optimizer_finds_are_results_not_errors()
    {
        // Valid input a vehicle cannot serve in time is unassigned with a reason, never refused.
        var root = SolveValid(P(vehicles: """[{"id": 1, "start_index": 0, "end_index": 0, "time_window": [0, 5]}]""",
            jobs: """[{"id": 1, "location_index": 4, "service": 10}]"""));
        var u = Assert.Single(root.GetProperty("unassigned").EnumerateArray());

        Assert.Equal("shift_too_short", u.GetProperty("reason").GetString());
    }
}
