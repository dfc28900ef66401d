using System.Text.Json;
using Dispatch.Simulator.Evaluation;
using Dispatch.Simulator.Mdrp;
using Dispatch.Simulator.Replay;
using Dispatch.Simulator.Staffing;
using Xunit.Abstractions;

namespace Dispatch.Simulator.Tests.Staffing;

/// <summary>plan-shifts on a shared trace, as a user runs it, and the plan checked independently of the planner.</summary>
[Collection(ConsoleCapture.Collection)]
public class StaffingPlannerTests(ITestOutputHelper output)
{
    private const string Trace = "0o100t100s1p100"; // 505 orders: a plan takes a few seconds

    [SkippableFact]
    public void Plan_meets_the_target_when_its_instance_folder_is_replayed_and_evaluated()
    {
        string dir = TestPaths.SharedMdrpInstance(Trace);
        string outDir = Path.Combine(Path.GetTempPath(), "dispatch-staffing-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Equal(0, Cli.Run(["plan-shifts", dir, "--target-on-time", "0.8", "--shift-lengths", "2,3,4", "--out", outDir, "--quiet"]));
            foreach (var f in new[] { StaffingReport.ShiftsFile, StaffingReport.JsonFile, StaffingReport.HtmlFile })
                Assert.True(File.Exists(Path.Combine(outDir, f)), f);

            // The instance folder: the trace's orders with the plan's couriers, matching shifts.csv.
            var trace = MdrpInstance.Load(dir);
            var plan = MdrpInstance.Load(Path.Combine(outDir, StaffingReport.InstanceFolder));
            Assert.Equal(trace.Orders, plan.Orders);
            var shifts = File.ReadAllLines(Path.Combine(outDir, StaffingReport.ShiftsFile)).Skip(1).Select(l => l.Split(',')).ToArray();
            Assert.Equal(shifts.Sum(s => int.Parse(s[3], System.Globalization.CultureInfo.InvariantCulture)), plan.Couriers.Length);
            Assert.All(plan.Couriers, c => Assert.Contains(c.OffTime - c.OnTime, new[] { 120, 180, 240 }));

            // Replayed here, independently of the planner, and checked by the evaluator.
            var replay = MdrpReplay.Run(plan);
            var report = SolutionEvaluator.Evaluate(plan, replay.Solution);
            Assert.True(report.Feasible, report.ToString());
            double onTime = (1 - report.Metrics.OverTargetShare) * report.Metrics.DeliveredShare;
            Assert.True(onTime >= 0.8, $"on time {onTime:P2}");

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, StaffingReport.JsonFile)));
            var root = json.RootElement;
            foreach (var key in new[] { "courier_hours", "trace_courier_hours", "target_on_time", "on_time_share_simulated", "click_to_door_mean_simulated" })
                Assert.True(root.TryGetProperty(key, out _), key);
            Assert.Equal(onTime, root.GetProperty("on_time_share_simulated").GetDouble(), 3);
            Assert.Equal(report.Metrics.ClickToDoorMean, root.GetProperty("click_to_door_mean_simulated").GetDouble(), 1);
            Assert.Equal(plan.Couriers.Sum(c => c.OffTime - c.OnTime) / 60.0, root.GetProperty("courier_hours").GetDouble(), 2);
            Assert.Equal(303, root.GetProperty("trace_courier_hours").GetDouble(), 2);
            output.WriteLine($"plan {root.GetProperty("courier_hours").GetDouble()} courier-hours, on time {onTime:P1}; {root.GetProperty("replays")} replays in {root.GetProperty("seconds")} s");
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [SkippableFact]
    public void An_unreachable_target_exits_3_naming_the_best_reachable()
    {
        string dir = TestPaths.SharedMdrpInstance(Trace);
        // 88.5 % of this trace's orders can reach the door within 40 minutes at all.
        string err = ConsoleCapture.StandardError(() =>
            Assert.Equal(StaffingCommands.Unreachable, Cli.Run(["plan-shifts", dir, "--target-on-time", "0.95", "--out", Path.Combine(Path.GetTempPath(), "never-written"), "--quiet"])));
        Assert.Contains("target 0.95 not reachable on 0o100t100s1p100 with any staffing", err);
        Assert.Contains("only 0.885 of its orders (447 of 505) can be delivered within 40 min", err);

        // On days drawn from the forecast the bound is over their orders together, before any replay.
        var e = Assert.Throws<StaffingUnreachableException>(() =>
            new StaffingPlanner(new StaffingOptions { TargetOnTime = 0.95, ForecastSeeds = 2 }).Plan([MdrpInstance.Load(dir)]));
        Assert.Matches(@"^target 0\.95 not reachable on 2 days drawn from the forecast of 0o100t100s1p100 with any staffing: only 0\.8\d* of their orders \(\d+ of \d+\)", e.Message);
    }

    [Fact]
    public void A_target_the_replays_cannot_reach_names_the_shifts_and_the_best_reached()
    {
        // The hand-made day's lower bounds average 17 minutes; no courier waits at the far restaurant at
        // every ready time, so a mean of 17.01 fails at every scale of the fluid estimate.
        var day = DemandProfileTests.Day();
        var planner = new StaffingPlanner(new StaffingOptions { TargetClickToDoorMean = 17.01, MaxRequirementReplays = 6, StartDraws = 1 });
        var e = Assert.Throws<StaffingUnreachableException>(() => planner.Plan([day]));
        Assert.Matches(@"^mean click-to-door 17\.01 min not reachable with shifts of 2/3/4 h starting \d+:\d\d-\d+:\d\d: best mean click-to-door \d+(\.\d+)? min at \d+(\.\d+)? courier-hours", e.Message);
        output.WriteLine(e.Message);
    }

    [Fact]
    public void Bad_options_name_the_field()
    {
        string text = ConsoleCapture.StandardError(() =>
        {
            Assert.Equal(2, Cli.Run(["plan-shifts", "no-such-dir", "--shift-lengths", "2,x"]));
            Assert.Equal(2, Cli.Run(["plan-shifts", "no-such-dir", "--earliest-start", "25:99"]));
            Assert.Equal(2, Cli.Run(["plan-shifts", "no-such-dir", "--shift-lengths", "2.1"]));
            Assert.Equal(2, Cli.Run(["plan-shifts", "no-such-dir", "--target-on-time", "1.5"]));
            Assert.Equal(2, Cli.Run(["plan-shifts", "no-such-dir", "--forecast-seeds", "-1"]));
        });
        Assert.Contains("--shift-lengths: 'x' is not a positive number of hours", text);
        Assert.Contains("--earliest-start: '25:99' is not h:mm", text);
        Assert.Contains("ShiftLengthHours: 2.1 is not a positive whole number of 15-minute slots", text);
        Assert.Contains("TargetOnTime must be in (0, 1], got 1.5", text);
        Assert.Contains("ForecastSeeds must be at least 0, got -1", text);
    }

    [Fact]
    public void Requirement_couriers_match_the_requirement_slot_by_slot()
    {
        var day = DemandProfileTests.Day();
        int[] required = [0, 2, 3, 1, 0, 2];
        var couriers = CourierSupply.FromRequirement(day, required, seed: 1);
        Assert.Equal(required, CourierSupply.OnDutyPerSlot(couriers, required.Length));
        Assert.Equal(5, couriers.Length); // level 1: slots 1-3 and 5; level 2: 1-2 and 5; level 3: slot 2
        Assert.All(couriers, c => Assert.Contains((c.X, c.Y), day.Couriers.Select(t => (t.X, t.Y))));
    }
}
