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

    private PeriodicSnapshots Trigger(long everyRecords, double everyEngineMs)
    {
        Directory.CreateDirectory(_dir);
        return new(new ServerOptions { DataDirectory = _dir, SnapshotEveryRecords = everyRecords, SnapshotEveryEngineMilliseconds = everyEngineMs },
            new SnapshotStore(_dir, 2, NullLogger.Instance), "settings", [1, 2, 3], new ServerMetrics(), TimeProvider.System, NullLogger.Instance);
    }

    private static long Ticks(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    [Fact]
    public void Engine_work_makes_a_snapshot_due_before_the_record_count_does_once_there_is_a_record_to_cover()
    {
        var p = Trigger(everyRecords: 1_000_000, everyEngineMs: 100);
        p.Resume(snapshotRecords: 500, replayMilliseconds: 0);
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
        var p = Trigger(everyRecords: 1_000_000, everyEngineMs: 100);
        p.Resume(snapshotRecords: 500, replayMilliseconds: 150);
        Assert.True(p.IsDue(501));

        var q = Trigger(everyRecords: 1_000_000, everyEngineMs: 100);
        q.Resume(snapshotRecords: 500, replayMilliseconds: 10);
        Assert.False(q.IsDue(501));
    }

    [Fact]
    public void Zero_engine_milliseconds_leaves_the_record_count_alone()
    {
        var p = Trigger(everyRecords: 40, everyEngineMs: 0);
        p.Resume(snapshotRecords: 0, replayMilliseconds: 10_000);
        p.AddWork(Ticks(10_000));
        Assert.False(p.IsDue(39));
        Assert.True(p.IsDue(40));
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
