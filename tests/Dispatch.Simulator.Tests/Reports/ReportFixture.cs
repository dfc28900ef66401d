namespace Dispatch.Simulator.Tests.Reports;

/// <summary>
/// One real replay of a shared trace (engine and greedy baseline), written by the CLI exactly as a
/// user runs it, shared by the report tests of a class; deleted at the end.
/// </summary>
public sealed class ReportFixture : IDisposable
{
    public const string InstanceName = "0o100t100s1p100";

    private readonly object _gate = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dispatch-report-" + Guid.NewGuid().ToString("N"));
    private bool _done;

    /// <summary>Output folder of <c>replay</c> with the Mdrp profile; skips the calling test when the shared traces are absent (not in CI).</summary>
    public string EngineRun() { Ensure(); return Path.Combine(_root, "mdrp"); }

    /// <summary>Output folder of <c>replay --policy Greedy</c>.</summary>
    public string GreedyRun() { Ensure(); return Path.Combine(_root, "greedy"); }

    public string Root => _root;

    private void Ensure()
    {
        string dir = TestPaths.SharedMdrpInstance(InstanceName);
        lock (_gate)
        {
            if (_done) return;
            Assert.Equal(0, Cli.Run(["replay", dir, "--out", Path.Combine(_root, "mdrp")]));
            Assert.Equal(0, Cli.Run(["replay", dir, "--out", Path.Combine(_root, "greedy"), "--policy", "Greedy"]));
            _done = true;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
