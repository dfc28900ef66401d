using BenchmarkDotNet.Attributes;

namespace Dispatch.Bench.Micro;

/// <summary>Snapshot names shared by the tick benchmarks.</summary>
internal static class TickSnapshots
{
    /// <summary>The busiest minute of the largest shared trace, and generated cities at 1k, 10k and 50k open orders.</summary>
    public static IEnumerable<string> All => ["trace", "city-1000", "city-10000", "city-50000"];
}

/// <summary>
/// One full tick of the MDRP planner, repeatable: the snapshot's couriers are all free one minute after
/// Now at the earliest (<see cref="SnapshotMode.PlanningOnly"/>), so the tick does all of its planning
/// (candidate grid, k-nearest per site, single-order matching, bundling, bundle matching, the commit
/// scan) and commits nothing. The state after the tick is the state before it, so BenchmarkDotNet can
/// invoke it as often as it likes and the engine never drifts. Must show 0 B allocated.
/// </summary>
public class TickBenchmarks
{
    private DispatchEngine<EuclideanCeilMinutes> _engine = null!;
    private double _now;

    [ParamsSource(nameof(Snapshots))]
    public string Snapshot { get; set; } = "";

    public static IEnumerable<string> Snapshots => TickSnapshots.All;

    [GlobalSetup]
    public void Setup()
    {
        var snap = SnapshotBuilder.ByName(Snapshot);
        Console.WriteLine($"// snapshot {snap}");
        _now = snap.Now;
        _engine = snap.BuildEngine(SnapshotMode.PlanningOnly);
        if (TickPlanningOnly() != 0) throw new InvalidOperationException("a planning-only tick committed something");
    }

    [Benchmark]
    public int TickPlanningOnly()
    {
        var sink = new NullSink();
        return _engine.Tick(_now, ref sink);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (TickPlanningOnly() != 0) throw new InvalidOperationException("the planning-only state drifted: a tick committed something");
    }
}

/// <summary>
/// The real tick at the snapshot minute, commits included. A tick that commits changes the state, so
/// every iteration rebuilds the engine from the snapshot in [IterationSetup] (not measured) and runs
/// it once (InvocationCount = 1: these ticks take milliseconds, so one invocation per iteration is
/// measurable). The rebuilt engine is warmed by a tick at Now - 1 that commits nothing (no courier
/// is idle before Now) and sizes the tick's buffers, so the measured tick is a steady-state tick, as
/// in a live system that has been ticking all along. Must show 0 B allocated.
/// </summary>
[InvocationCount(1)]
public class TickCommitBenchmarks
{
    private Snapshot _snap = null!;
    private DispatchEngine<EuclideanCeilMinutes> _engine = null!;

    [ParamsSource(nameof(Snapshots))]
    public string Snapshot { get; set; } = "";

    public static IEnumerable<string> Snapshots => TickSnapshots.All;

    [GlobalSetup]
    public void Setup()
    {
        _snap = SnapshotBuilder.ByName(Snapshot);
        Console.WriteLine($"// snapshot {_snap}");
    }

    [IterationSetup]
    public void Rebuild()
    {
        _engine = _snap.BuildEngine(SnapshotMode.AsIs);
        _snap.WarmUp(_engine);
    }

    [Benchmark]
    public int TickWithCommits()
    {
        var sink = new NullSink();
        return _engine.Tick(_snap.Now, ref sink);
    }
}
