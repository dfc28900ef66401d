using System.Text.Json;
using Dispatch.Simulator.Evaluation;

namespace Dispatch.Simulator.Tests.Replay;

/// <summary>The simulator's commands, run in-process as a user would run them.</summary>
[Collection(ConsoleCapture.Collection)]
public class ReplayCliTests
{
    [SkippableFact]
    public void Replay_writes_the_three_solution_files_and_metrics_that_the_evaluator_accepts()
    {
        string dir = TestPaths.SharedMdrpInstance("0o100t100s1p100");
        using var temp = new TempFolder("dispatch-cli");
        string outDir = temp.Path;
        int rc = Cli.Run(["replay", dir, "--out", outDir]);
        Assert.Equal(0, rc);
        foreach (var f in new[] { MdrpSolution.AssignmentsFile, MdrpSolution.OrdersFile, MdrpSolution.CouriersFile, "metrics.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        var report = SolutionEvaluator.Evaluate(MdrpInstance.Load(dir), MdrpSolution.Read(outDir));
        Assert.True(report.Feasible, report.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        foreach (var key in new[] { "orders", "delivered", "click_to_door_mean", "click_to_door_p90", "over_target_share", "ready_to_pickup_mean", "tick_ms_p50", "tick_ms_max" })
            Assert.True(json.RootElement.TryGetProperty(key, out _), key);
        Assert.Equal(505, json.RootElement.GetProperty("orders").GetDouble());
        Assert.Equal(report.Metrics.Delivered, json.RootElement.GetProperty("delivered").GetDouble());
    }

    [SkippableFact]
    public void Replay_all_writes_a_summary_with_the_engine_and_the_greedy_baseline()
    {
        string a = TestPaths.SharedMdrpInstance("0o50t75s1p100");
        string b = TestPaths.SharedMdrpInstance("3r50t100s2p125");
        using var temp = new TempFolder("dispatch-all");
        string root = temp.Path;
        string inDir = Path.Combine(root, "in"), outDir = Path.Combine(root, "out");
        // A folder of two instances: copies, since the shared folder is read-only and has 168.
        foreach (var src in new[] { a, b })
        {
            string dst = Path.Combine(inDir, Path.GetFileName(src));
            Directory.CreateDirectory(dst);
            foreach (var f in Directory.GetFiles(src)) File.Copy(f, Path.Combine(dst, Path.GetFileName(f)));
        }
        Assert.Equal(0, Cli.Run(["replay-all", inDir, "--out", outDir]));
        string md = File.ReadAllText(Path.Combine(outDir, "summary.md"));
        Assert.Contains("| 0o50t75s1p100 | yes |", md);
        Assert.Contains("| 3r50t100s2p125 | yes |", md);
        Assert.Contains("| **mean** | all |", md);
        Assert.Contains("greedy c2d mean", md);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(2, json.RootElement.GetProperty("instances").GetInt32());
        Assert.True(json.RootElement.GetProperty("all_feasible").GetBoolean());
        Assert.True(File.Exists(Path.Combine(outDir, "0o50t75s1p100", MdrpSolution.AssignmentsFile)));
        Assert.True(File.Exists(Path.Combine(outDir, "0o50t75s1p100", "greedy", "metrics.json")));
    }

    [Fact]
    public void A_missing_instance_folder_is_a_clear_error_not_a_crash()
    {
        int rc = 0;
        string err = ConsoleCapture.StandardError(() => rc = Cli.Run(["replay", "/nonexistent/instance", "--out", Path.GetTempPath()]));
        Assert.Equal(2, rc);
        Assert.Contains("instance folder not found: /nonexistent/instance", err);
    }
}
