using Xunit.Abstractions;

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

    /// <summary>Output folder of <c>replay</c> with the Mdrp profile, or null when the shared traces are absent (not in CI).</summary>
    public string? EngineRun(ITestOutputHelper output) => Ensure(output) ? Path.Combine(_root, "mdrp") : null;

    /// <summary>Output folder of <c>replay --policy Greedy</c>.</summary>
    public string? GreedyRun(ITestOutputHelper output) => Ensure(output) ? Path.Combine(_root, "greedy") : null;

    public string Root => _root;

    private bool Ensure(ITestOutputHelper output)
    {
        string? dir = TestPaths.SharedMdrpInstanceOrSkip(InstanceName, output);
        if (dir is null) return false;
        lock (_gate)
        {
            if (_done) return true;
            Assert.Equal(0, Cli.Run(["replay", dir, "--out", Path.Combine(_root, "mdrp")]));
            Assert.Equal(0, Cli.Run(["replay", dir, "--out", Path.Combine(_root, "greedy"), "--policy", "Greedy"]));
            _done = true;
            return true;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
