using System.Diagnostics;
using Dispatch.Server.Metrics;
using Dispatch.Server.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dispatch.Server.Tests.Snapshots;

/// <summary>
/// When a periodic snapshot falls due: after SnapshotEveryRecords journal records, or after
/// SnapshotEveryEngineMilliseconds of engine work (what a restart would replay), whichever comes first.
/// </summary>
public sealed class SnapshotTriggerTests : IDisposable
{
    private readonly string _dir = TestServer.NewDataDirectory();

    public void Dispose() => TestServer.TryDelete(_dir);

    /// <summary>The trigger of a server with these settings, resumed after a recovery from a snapshot of <paramref name="snapshotRecords"/> records whose journal replay took <paramref name="replayMs"/>.</summary>
    private PeriodicSnapshots Resumed(long everyRecords, double everyEngineMs, long snapshotRecords, double replayMs)
    {
        Directory.CreateDirectory(_dir);
        var p = new PeriodicSnapshots(new ServerOptions { DataDirectory = _dir, SnapshotEveryRecords = everyRecords, SnapshotEveryEngineMilliseconds = everyEngineMs },
            new SnapshotStore(_dir, 2, NullLogger.Instance), "settings", [1, 2, 3], new ServerMetrics(), TimeProvider.System, NullLogger.Instance);
        p.Resume(snapshotRecords, replayMs);
        return p;
    }

    private static long Ticks(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    [Fact]
    public void Engine_work_makes_a_snapshot_due_before_the_record_count_does_once_there_is_a_record_to_cover()
    {
        var p = Resumed(everyRecords: 1_000_000, everyEngineMs: 100, snapshotRecords: 500, replayMs: 0);
        p.AddWork(Ticks(60));
        Assert.False(p.IsDue(520));
        p.AddWork(Ticks(50));
        Assert.True(p.IsDue(521));
        Assert.False(p.IsDue(500)); // nothing after the last snapshot: nothing to cover
        Assert.True(p.IsDue(1_000_500)); // the record count still applies
    }

    [Fact]
    public void The_replay_a_restart_took_counts_as_work_not_yet_covered()
    {
        Assert.True(Resumed(everyRecords: 1_000_000, everyEngineMs: 100, snapshotRecords: 500, replayMs: 150).IsDue(501));
        Assert.False(Resumed(everyRecords: 1_000_000, everyEngineMs: 100, snapshotRecords: 500, replayMs: 10).IsDue(501));
    }

    [Fact]
    public void Zero_engine_milliseconds_leaves_the_record_count_alone()
    {
        var p = Resumed(everyRecords: 40, everyEngineMs: 0, snapshotRecords: 0, replayMs: 10_000);
        p.AddWork(Ticks(10_000));
        Assert.False(p.IsDue(39));
        Assert.True(p.IsDue(40));
    }

    [Fact]
    public void Snapshots_off_stay_off_whatever_the_engine_work()
    {
        var p = Resumed(everyRecords: 0, everyEngineMs: 100, snapshotRecords: 0, replayMs: 10_000);
        p.AddWork(Ticks(10_000));
        Assert.False(p.Enabled);
        Assert.False(p.IsDue(1_000_000));
    }

    [Fact]
    public void Bad_settings_are_refused_naming_the_option()
    {
        foreach (double bad in new[] { -1, double.NaN, double.PositiveInfinity })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ServerOptions { SnapshotEveryEngineMilliseconds = bad }.Validate());
            Assert.Equal(nameof(ServerOptions.SnapshotEveryEngineMilliseconds), ex.ParamName);
        }
    }

    /// <summary>Over TCP: a record count never reached, a tiny work budget: snapshots are written, and a restart from one is exact.</summary>
    [Fact]
    public async Task A_server_snapshots_by_engine_work_and_recovers_from_those_snapshots()
    {
        long records;
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 1_000_000_000, o => o.SnapshotEveryEngineMilliseconds = 0.001))
        {
            await using var c = await s.ConnectAsync();
            await SnapshotServer.WorkloadAsync(c, 1000, 200, 0, setUp: true);
            await SnapshotServer.SettleAsync(s);
            Assert.True(s.Server.Metrics.SnapshotsWritten >= 2, s.Log.ToString());
            records = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
        }
        await using var r = await SnapshotServer.StartAsync(_dir, snapshotEvery: 1_000_000_000);
        Assert.Equal(records, r.Recovery.SnapshotRecords + r.Recovery.RecordsReplayed);
        Assert.NotNull(r.Recovery.SnapshotPath);
    }
}
