using Dispatch.Engine;
using System.Text.Json;
using Dispatch.Simulator.Evaluation;
using Dispatch.Simulator.Generation;
using Dispatch.Simulator.Mdrp;

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

    [SkippableFact]
    public void Set_gives_every_engine_of_the_replay_the_setting_and_the_default_is_the_same_as_none()
    {
        // TravelWeight 0.19 is the perturbation of a paired draw (bench/README.md): it must reach the engine, and the
        // default value given explicitly must replay exactly as no --set at all.
        string dir = TestPaths.SharedMdrpInstance("0o50t75s1p100");
        using var temp = new TempFolder("dispatch-set");
        string Run(string name, params string[] set)
        {
            string outDir = Path.Combine(temp.Path, name);
            Assert.Equal(0, Cli.Run(["replay", dir, "--out", outDir, .. set]));
            return File.ReadAllText(Path.Combine(outDir, MdrpSolution.AssignmentsFile));
        }
        string none = Run("none");
        Assert.Equal(none, Run("default", "--set", "TravelWeight=0.2", "--set", "PromiseBreakCost=2"));
        Assert.NotEqual(none, Run("perturbed", "--set", "travelweight=0.05"));
    }

    [Fact]
    public void Set_refuses_what_is_not_a_setting_of_the_replay_naming_it()
    {
        Assert.Null(EngineSettingsOption.Apply([]));
        var o = EngineSettingsOption.Apply(["TravelWeight=0.19", "PromiseBreakCost = 0"])!;
        Assert.Equal((0.19, 0.0), (o.TravelWeight, o.PromiseBreakCost));
        Assert.Equal(new DispatchOptions().PromiseLatenessWeight, o.PromiseLatenessWeight);
        Assert.Contains("(--set): TravelWeight=0.19, PromiseBreakCost=0.", EngineSettingsOption.Describe(o));
        Assert.Equal("", EngineSettingsOption.Describe(null));
        void Refused(string assignment, string message) =>
            Assert.Contains(message, Assert.Throws<ArgumentException>(() => EngineSettingsOption.Apply([assignment])).Message);
        Refused("TravelWeight", "--set TravelWeight: expected NAME=VALUE");
        Refused("=1", "expected NAME=VALUE");
        Refused("TravelWeigth=1", "unknown engine setting 'TravelWeigth'; the settings are Profile, ");
        Refused("TravelWeight=fast", "TravelWeight: \"fast\" is not a number");
        Refused("PromiseBreakCost=-1", "PromiseBreakCost");
        Refused("Profile=Greedy", "Profile is decided by --policy");
        Refused("PickupServiceMinutes=3", "decided by the trace's parameters");
        Refused("Replanning=false", "decided by --no-replan");
        Assert.Contains("set twice", Assert.Throws<ArgumentException>(() => EngineSettingsOption.Apply(["TravelWeight=0.1", "travelWeight=0.2"])).Message);

        // On the command line: an error naming the assignment, exit code 2, no replay.
        string text = ConsoleCapture.StandardError(() => Assert.Equal(2, Cli.Run(["replay", "no-such-dir", "--set", "MaxBundleSize=many"])));
        Assert.Contains("--set MaxBundleSize=many: MaxBundleSize: \"many\" is not a whole number", text);
    }

    [Fact]
    public void Set_refuses_exactly_the_settings_a_replay_overwrites()
    {
        // Every setting given a value other than its default, then the replay's options built over them: the ones the
        // build overwrites (and Replanning, which the scenario replay sets from --no-replan) are the ones --set refuses.
        var given = new DispatchOptions();
        foreach (var setting in DispatchSettings.All)
            given = setting.WithText(given, OtherThanDefault(setting));
        var built = MdrpEngineOptions.For(EmbeddedDefault.Create(), given, new DispatchOptions().Profile, new DispatchOptions().TickIntervalMinutes);
        var overwritten = DispatchSettings.All.Where(s => s.Format(built) != s.Format(given)).Select(s => s.Name).Append(nameof(DispatchOptions.Replanning));
        Assert.Equal(EngineSettingsOption.DecidedElsewhere.Keys.Order(), overwritten.Order());
    }

    private static string OtherThanDefault(DispatchSetting setting)
    {
        string value = setting.Format(new DispatchOptions());
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (setting.ValueType == typeof(double)) return (double.Parse(value, inv) + 1).ToString("R", inv);
        if (setting.ValueType == typeof(int)) return (int.Parse(value, inv) + 1).ToString(inv);
        if (setting.ValueType == typeof(bool)) return (!bool.Parse(value)).ToString();
        return Enum.GetNames(setting.ValueType).First(n => n != value);
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
