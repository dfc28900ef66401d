using Dispatch.Engine;
using Dispatch.Simulator.Evaluation;
using Dispatch.Simulator.Generation;
using Dispatch.Simulator.Replay;
using Xunit.Abstractions;

namespace Dispatch.Simulator.Tests.Replay;

/// <summary>
/// Replays of recorded traces through the engine, checked by the project's own evaluator: every
/// solution feasible, and the quality bar of the foundation issue on the whole shared set.
/// </summary>
public class ReplayQualityTests(ITestOutputHelper output)
{
    private static EvaluationReport Replay(MdrpInstance inst, DispatchProfile profile) =>
        SolutionEvaluator.Evaluate(inst, MdrpReplay.Run(inst, new ReplayOptions { Profile = profile }).Solution);

    [SkippableTheory]
    [InlineData("0o100t100s1p100")]
    [InlineData("2r50t75s2p125")]
    [InlineData("5o100t100s1p100")]
    [InlineData("6o50t100s2p100")]
    public void A_shared_trace_replays_feasibly_and_beats_the_greedy_baseline(string name)
    {
        string dir = TestPaths.SharedMdrpInstance(name);
        var inst = MdrpInstance.Load(dir);
        var engine = Replay(inst, DispatchProfile.Mdrp);
        var greedy = Replay(inst, DispatchProfile.Greedy);
        Assert.True(engine.Feasible, engine.ToString());
        Assert.True(greedy.Feasible, greedy.ToString());
        output.WriteLine($"{name}: engine gap {engine.Metrics.LowerBoundGapMean:F2}, greedy gap {greedy.Metrics.LowerBoundGapMean:F2}");
        Assert.True(engine.Metrics.DeliveredShare >= 0.99, $"delivered {engine.Metrics.DeliveredShare:P2}");
        Assert.True(engine.Metrics.LowerBoundGapMean < greedy.Metrics.LowerBoundGapMean,
            $"engine gap {engine.Metrics.LowerBoundGapMean:F2} vs greedy {greedy.Metrics.LowerBoundGapMean:F2}");
    }

    [Fact]
    public void The_embedded_default_wave_replays_feasibly()
    {
        var inst = EmbeddedDefault.Create();
        var report = Replay(inst, DispatchProfile.Mdrp);
        Assert.True(report.Feasible, report.ToString());
        // The wave's last orders meet a thin end-of-day fleet; all but a handful are delivered.
        Assert.True(report.Metrics.DeliveredShare >= 0.995, $"delivered {report.Metrics.DeliveredShare:P2}");
        Assert.True(report.Metrics.LowerBoundGapMean < 3.0, $"gap {report.Metrics.LowerBoundGapMean:F2}");
    }

    /// <summary>
    /// The foundation issue's bar over all 168 shared traces: every solution feasible, at least 99.7%
    /// of orders delivered on average, mean click-to-door at most 2.0 minutes above the per-order lower
    /// bound (averaged over instances), and p90 click-to-door and share over 40 minutes below the greedy
    /// baseline's in every seed family.
    /// </summary>
    [SkippableFact]
    public void All_shared_traces_meet_the_quality_bar()
    {
        TestPaths.Require(Directory.Exists(TestPaths.SharedMdrpInstances), $"shared traces not found at {TestPaths.SharedMdrpInstances}");
        var dirs = Directory.GetDirectories(TestPaths.SharedMdrpInstances).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        Assert.Equal(168, dirs.Length);
        var engine = new EvaluationReport[dirs.Length];
        var greedy = new EvaluationReport[dirs.Length];
        Parallel.For(0, dirs.Length, i =>
        {
            var inst = MdrpInstance.Load(dirs[i]);
            engine[i] = Replay(inst, DispatchProfile.Mdrp);
            greedy[i] = Replay(inst, DispatchProfile.Greedy);
        });
        for (int i = 0; i < dirs.Length; i++) Assert.True(engine[i].Feasible, $"{Path.GetFileName(dirs[i])}: {engine[i]}");

        double delivered = engine.Average(r => r.Metrics.DeliveredShare);
        double gap = engine.Average(r => r.Metrics.LowerBoundGapMean);
        output.WriteLine($"delivered {delivered:P3}, gap {gap:F3}, over 90: {engine.Sum(r => r.Metrics.OverMaxCount)} orders");
        Assert.True(delivered >= 0.997, $"delivered share {delivered:P3} < 99.7%");
        Assert.True(gap <= 2.0, $"mean gap to lower bound {gap:F3} > 2.0 min");

        foreach (var family in Enumerable.Range(0, dirs.Length).GroupBy(i => Path.GetFileName(dirs[i])[0]))
        {
            double ep90 = family.Average(i => engine[i].Metrics.ClickToDoorP90), gp90 = family.Average(i => greedy[i].Metrics.ClickToDoorP90);
            double eo = family.Average(i => engine[i].Metrics.OverTargetShare), go = family.Average(i => greedy[i].Metrics.OverTargetShare);
            output.WriteLine($"seed {family.Key}: p90 {ep90:F2} vs {gp90:F2}, over 40 {eo:P2} vs {go:P2}");
            Assert.True(ep90 < gp90, $"seed {family.Key}: p90 {ep90:F2} not below greedy {gp90:F2}");
            Assert.True(eo < go, $"seed {family.Key}: over-40 share {eo:P2} not below greedy {go:P2}");
        }
    }
}
