using Dispatch.Routing;
using Dispatch.Simulator.Vroom;
using static Dispatch.Simulator.Tests.Vroom.VroomTestSupport;

namespace Dispatch.Simulator.Tests.Vroom;

/// <summary>Units, costs and timings on problems small enough to work out by hand.</summary>
public class VroomModelTests
{
    // 0 -> 1 -> 2 -> 0 takes 600 + 300 + 900 = 1800 s; every other way round takes 6000 s.
    private const string Matrix = """
        "matrices": {"car": {"durations": [[0, 600, 2000], [2000, 0, 300], [900, 2000, 0]], "distances": [[0, 5000, 9000], [9000, 0, 2500], [7000, 9000, 0]]}}
        """;

    private static string Problem(string vehicle = "", string job1 = "", string job2 = "") => $$"""
        {
          "vehicles": [{"id": 9, "start_index": 0, "end_index": 0 {{vehicle}} }],
          "jobs": [
            {"id": 1, "location_index": 1, "service": 60 {{job1}} },
            {"id": 2, "location_index": 2, "service": 60 {{job2}} }
          ],
          {{Matrix}}
        }
        """;

    [Fact]
    public void Seconds_come_back_as_whole_seconds_and_default_cost_is_travel_seconds()
    {
        var root = SolveValid(Problem());
        var route = Assert.Single(root.GetProperty("routes").EnumerateArray());
        var steps = Steps(route);

        Assert.Equal(["start", "job", "job", "end"], steps.Select(s => s.GetProperty("type").GetString()));
        Assert.Equal([0L, 600, 960, 1920], steps.Select(s => s.GetProperty("arrival").GetInt64()));
        Assert.Equal([0L, 600, 900, 1800], steps.Select(s => s.GetProperty("duration").GetInt64()));
        Assert.Equal([0L, 5000, 7500, 14500], steps.Select(s => s.GetProperty("distance").GetInt64()));
        Assert.Equal(1800, route.GetProperty("cost").GetInt64());
        Assert.Equal(120, route.GetProperty("service").GetInt64());
        Assert.Equal(14500, root.GetProperty("summary").GetProperty("distance").GetInt64());
    }

    [Fact]
    public void Per_hour_per_km_and_fixed_costs_are_in_VROOM_cost_units()
    {
        var root = SolveValid(Problem(vehicle: """, "costs": {"fixed": 500, "per_hour": 7200, "per_km": 100}"""));

        // 500 + 7200 * 1800 / 3600 + 100 * 14500 / 1000
        Assert.Equal(500 + 3600 + 1450, root.GetProperty("summary").GetProperty("cost").GetInt64());
    }

    [Fact]
    public void Reader_maps_seconds_to_minutes_and_costs_to_per_minute_and_per_meter()
    {
        var p = VroomProblemReader.Parse(Problem(vehicle: """, "costs": {"fixed": 500, "per_hour": 7200, "per_km": 100}, "time_window": [600, 7200]""",
            job2: """, "time_windows": [[1200, 1500]]"""));
        var v = p.Problem.Vehicles[0];
        var job = p.Problem.Requests[1];

        Assert.Equal(120, v.CostPerMinute);
        Assert.Equal(0.1, v.CostPerDistance);
        Assert.Equal(500, v.FixedCost);
        Assert.Equal(10, v.Shift.Earliest);
        Assert.Equal(120, v.Shift.Latest, 1e-5);
        Assert.Equal(20, job.DeliveryWindow.Earliest);
        Assert.Equal(25, job.DeliveryWindow.Latest, 1e-5);
        Assert.Equal(1, job.DeliveryServiceMinutes);
        Assert.Equal(10, p.Problem.Matrix.Duration(0, 1));
        Assert.Equal(5000, p.Problem.Matrix.Distance(0, 1));
        Assert.Equal(600, p.DurationSeconds(0, 1));
        Assert.Equal([1UL, 2UL], p.Requests.Select(r => r.Job!.Id));
    }

    [Fact]
    public void A_late_window_means_waiting_there_and_a_window_reached_exactly_is_kept()
    {
        // Job 2 opens at 2000 (arrival 960: wait 1040); job 1 closes exactly at its arrival, 600.
        var root = SolveValid(Problem(job1: """, "time_windows": [[0, 600]]""", job2: """, "time_windows": [[2000, 2100]]"""));
        var steps = Steps(root.GetProperty("routes")[0]);

        Assert.Equal(600, steps[1].GetProperty("arrival").GetInt64());
        Assert.Equal(1040, steps[2].GetProperty("waiting_time").GetInt64());
        Assert.Equal(2000 + 60 + 900, steps[3].GetProperty("arrival").GetInt64());
        Assert.Equal(1040, root.GetProperty("summary").GetProperty("waiting_time").GetInt64());
    }

    [Fact]
    public void The_route_leaves_later_instead_of_waiting_at_its_first_task()
    {
        var root = SolveValid(Problem(job1: """, "time_windows": [[1000, 1200]]"""));
        var steps = Steps(root.GetProperty("routes")[0]);

        Assert.Equal(400, steps[0].GetProperty("arrival").GetInt64());
        Assert.Equal(1000, steps[1].GetProperty("arrival").GetInt64());
        Assert.Equal(0, steps[1].GetProperty("waiting_time").GetInt64());
    }

    [Fact]
    public void A_window_missed_by_one_second_leaves_the_job_unassigned_with_the_window_in_seconds()
    {
        var root = SolveValid(Problem(job1: """, "time_windows": [[0, 599]]"""));
        var u = Assert.Single(root.GetProperty("unassigned").EnumerateArray());

        Assert.Equal(1, u.GetProperty("id").GetInt32());
        Assert.Equal("delivery_window_unreachable", u.GetProperty("reason").GetString());
        Assert.Contains("[0, 599]", u.GetProperty("reason_detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Amount_above_every_capacity_is_unassigned_with_a_reason_not_an_error()
    {
        var root = SolveValid(Problem(vehicle: """, "capacity": [5]""", job1: """, "delivery": [6]""", job2: """, "pickup": [5]"""));
        var u = Assert.Single(root.GetProperty("unassigned").EnumerateArray());

        Assert.Equal(1, u.GetProperty("id").GetInt32());
        Assert.Equal("capacity_exceeded", u.GetProperty("reason").GetString());
        Assert.Equal("amount [6] exceeds the capacity of every vehicle", u.GetProperty("reason_detail").GetString());
    }

    [Fact]
    public void Delivery_jobs_are_loaded_at_the_start_and_pickup_jobs_carried_to_the_end()
    {
        var root = SolveValid(Problem(vehicle: """, "capacity": [5]""", job1: """, "delivery": [3]""", job2: """, "pickup": [4]"""));
        var steps = Steps(root.GetProperty("routes")[0]);

        Assert.Equal([3L, 0, 4, 4], steps.Select(s => s.GetProperty("load")[0].GetInt64()));
        Assert.Equal(3, root.GetProperty("summary").GetProperty("delivery")[0].GetInt64());
        Assert.Equal(4, root.GetProperty("summary").GetProperty("pickup")[0].GetInt64());
    }

    [Fact]
    public void A_shipment_is_picked_up_before_it_is_delivered_on_one_route()
    {
        const string json = """
            {
              "vehicles": [{"id": 1, "start_index": 0, "capacity": [1]}, {"id": 2, "end_index": 0, "capacity": [1]}],
              "shipments": [
                {"amount": [1], "pickup": {"id": 7, "location_index": 2, "service": 30}, "delivery": {"id": 7, "location_index": 1, "service": 30}},
                {"amount": [1], "priority": 3, "pickup": {"id": 8, "location_index": 1}, "delivery": {"id": 8, "location_index": 2}}
              ],
              "matrices": {"car": {"durations": [[0, 600, 2000], [2000, 0, 300], [900, 2000, 0]]}}
            }
            """;
        var root = SolveValid(json);

        Assert.Equal(0, root.GetProperty("summary").GetProperty("unassigned").GetInt32());
        Assert.Equal(6, root.GetProperty("summary").GetProperty("priority").GetInt32());   // 3 at the pickup, 3 at the delivery, as VROOM counts
    }

    [Fact]
    public void Straight_line_matrix_is_great_circle_meters_at_the_given_speed()
    {
        const string json = """
            {"vehicles": [{"id": 0, "start": [2.3526, 48.8604]}], "jobs": [{"id": 0, "location": [2.3691, 48.8532]}]}
            """;
        var p = VroomProblemReader.Parse(json, new VroomReaderOptions { StraightLineSpeedKmh = 36 });
        // Equirectangular approximation, good to well under 0.1 % over 1.4 km.
        double lat = (48.8604 + 48.8532) / 2 * Math.PI / 180;
        double dx = (2.3691 - 2.3526) * Math.PI / 180 * Math.Cos(lat) * 6_371_008.8, dy = (48.8532 - 48.8604) * Math.PI / 180 * 6_371_008.8;
        double expected = Math.Sqrt(dx * dx + dy * dy);

        Assert.True(p.FromCoordinates);
        Assert.True(p.HasDistances);
        Assert.Equal(expected, p.DistanceMeters(0, 1), expected * 0.001);
        Assert.Equal(Math.Round(p.DistanceMeters(0, 1) / 10.0), p.DurationSeconds(0, 1), 1.0);
        Assert.Contains(p.Warnings, w => w.Contains("36 km/h", StringComparison.Ordinal));
    }

    [Fact]
    public void Older_top_level_matrix_and_priority_are_accepted_and_unknown_keys_warned_about()
    {
        const string json = """
            {
              "vehicles": [{"id": 1, "start_index": 0, "profile": "car", "skills": [1, 2], "breaks": [], "description": "van"}],
              "jobs": [{"id": 1, "location_index": 1, "priority": 100, "skills": [], "colour": "red"}],
              "matrix": [[0, 10], [10, 0]],
              "options": {"g": true}
            }
            """;
        var run = SolveJson(json);

        Assert.Equal(0, run.Code);
        Assert.Contains("jobs[0] (id 1): unknown key 'colour' ignored", run.Log, StringComparison.Ordinal);
        Assert.Contains("unknown key 'options' ignored", run.Log, StringComparison.Ordinal);
        Assert.Equal(100, run.Root.GetProperty("summary").GetProperty("priority").GetInt32());
        Assert.Equal("van", run.Root.GetProperty("routes")[0].GetProperty("description").GetString());
        Assert.Empty(VroomOutputValidator.Validate(json, run.Output));
    }

    /// <summary>
    /// One vehicle with time for one of two jobs (each due 600 s out, 600 s apart): without priorities
    /// it takes the nearer (cheaper) one; with priority the other, as VROOM does.
    /// </summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 2)]
    public void Priority_decides_which_job_is_left_out(int farPriority, int served)
    {
        string json = """
            {
              "vehicles": [{"id": 1, "start_index": 0}],
              "jobs": [
                {"id": 1, "location_index": 1, "time_windows": [[0, 600]]},
                {"id": 2, "location_index": 2, "time_windows": [[0, 600]], "priority": PRIORITY}
              ],
              "matrices": {"car": {"durations": [[0, 300, 500], [300, 0, 800], [500, 800, 0]]}}
            }
            """.Replace("PRIORITY", farPriority.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var root = SolveValid(json);
        var unassigned = root.GetProperty("unassigned");
        Assert.Equal(1, unassigned.GetArrayLength());
        Assert.Equal(3 - served, unassigned[0].GetProperty("id").GetInt32());
        Assert.Equal(served == 2 ? farPriority : 0, root.GetProperty("summary").GetProperty("priority").GetInt32());
    }

    [Fact]
    public void Minimises_cost_not_vehicles()
    {
        // Two vehicles at the two jobs' doors: using both (fixed 0) is cheaper than one driving 1000 s.
        const string json = """
            {
              "vehicles": [{"id": 1, "start_index": 0, "end_index": 0}, {"id": 2, "start_index": 1, "end_index": 1}],
              "jobs": [{"id": 1, "location_index": 0}, {"id": 2, "location_index": 1}],
              "matrices": {"car": {"durations": [[0, 500], [500, 0]]}}
            }
            """;
        var root = SolveValid(json);

        Assert.Equal(2, root.GetProperty("summary").GetProperty("routes").GetInt32());
        Assert.Equal(0, root.GetProperty("summary").GetProperty("cost").GetInt64());
    }

    [Fact]
    public void A_problem_without_tasks_has_no_routes()
    {
        const string json = """
            {"vehicles": [{"id": 1, "start_index": 0}], "jobs": [], "matrix": [[0]]}
            """;
        var root = SolveValid(json);

        Assert.Equal(0, root.GetProperty("routes").GetArrayLength());
        Assert.Equal(0, root.GetProperty("summary").GetProperty("cost").GetInt64());
    }

    [Fact]
    public void A_job_with_a_zero_delivery_and_a_pickup_is_a_pickup()
    {
        var p = VroomProblemReader.Parse(Problem(vehicle: """, "capacity": [5]""", job1: """, "delivery": [0], "pickup": [2]"""));

        Assert.Equal(1, p.Problem.Requests[0].PickupLocation);
        Assert.Equal(-1, p.Problem.Requests[0].DeliveryLocation);
        Assert.Equal([2], p.Problem.Requests[0].Amount);
    }

    [Fact]
    public void Deterministic_options_have_no_time_limit_one_thread_and_cost_first()
    {
        var o = VroomCommand.Deterministic(123, 7);

        Assert.Equal(new OptimizerOptions { TimeLimit = null, MaxIterations = 123, Threads = 1, Seed = 7, MinimizeVehiclesFirst = false }, o);
    }
}
