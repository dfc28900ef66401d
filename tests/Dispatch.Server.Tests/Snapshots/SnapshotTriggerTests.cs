using System.Diagnostics;
using Dispatch.Server.Metrics;
using Dispatch.Server.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dispatch.Server.Tests.Snapshots;

/// <summary>
/// When a periodic snapshot falls due: after SnapshotEveryRecords journal records, or after
/// SnapshotEveryEngineMilliseconds of engine work (what a restart would replay), whichever comes first; and once the
/// engine has been idle SnapshotWhenIdleMilliseconds with at least a twentieth of that work to cover.
/// </summary>
public sealed class SnapshotTriggerTests : IDisposable
{
    private readonly string _dir = TestServer.NewDataDirectory();

    public void Dispose() => TestServer.TryDelete(_dir);

    /// <summary>The trigger of a server with these settings, resumed after a recovery from a snapshot of <paramref name="snapshotRecords"/> records whose journal replay took <paramref name="replayMs"/>.</summary>
    private PeriodicSnapshots Resumed(long everyRecords, double everyEngineMs, long snapshotRecords, double replayMs, double idleMs = 0)
    {
        Directory.CreateDirectory(_dir);
        var p = new PeriodicSnapshots(new ServerOptions { DataDirectory = _dir, SnapshotEveryRecords = everyRecords, SnapshotEveryEngineMilliseconds = everyEngineMs, SnapshotWhenIdleMilliseconds = idleMs },
            new SnapshotStore(_dir, 2, NullLogger.Instance), "settings", [1, 2, 3], new ServerMetrics(), TimeProvider.System, NullLogger.Instance);
        p.Resume(snapshotRecords, replayMs);
        return p;
    }

    private static long Ticks(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    [Fact]
    public void Engine_work_makes_a_snapshot_due_before_the_record_count_does_once_there_is_a_record_to_cover()
    {
        var p = Resumed(everyRecords: 1_000_000, everyEngineMs: 100, snapshotRecords: 500, replayMs: 0);
        p.AddWork(Ticks(60), 0);
        Assert.False(p.IsDue(520));
        p.AddWork(Ticks(50), 0);
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
        p.AddWork(Ticks(10_000), 0);
        Assert.False(p.IsDue(39));
        Assert.True(p.IsDue(40));
    }

    [Fact]
    public void Snapshots_off_stay_off_whatever_the_engine_work()
    {
        var p = Resumed(everyRecords: 0, everyEngineMs: 100, snapshotRecords: 0, replayMs: 10_000);
        p.AddWork(Ticks(10_000), 0);
        Assert.False(p.Enabled);
        Assert.False(p.IsDue(1_000_000));
    }

    [Fact]
    public void An_idle_engine_with_work_to_cover_makes_a_snapshot_due_once_the_idle_time_has_passed()
    {
        // Budget 100 ms: the idle rule needs 5 ms of work since the last snapshot.
        var p = Resumed(everyRecords: 1_000_000, everyEngineMs: 100, snapshotRecords: 500, replayMs: 0, idleMs: 1000);
        long t = Ticks(50_000);
        p.AddWork(Ticks(4), t);
        Assert.Equal(Timeout.Infinite, p.MillisecondsUntilIdle(510, t)); // too little work: a trickle never snapshots for idleness
        Assert.False(p.IsIdleDue(510, t + Ticks(10_000)));
        p.AddWork(Ticks(2), t);
        Assert.Equal(1000, p.MillisecondsUntilIdle(511, t));
        Assert.Equal(400, p.MillisecondsUntilIdle(511, t + Ticks(600)));
        Assert.False(p.IsIdleDue(511, t + Ticks(999)));
        Assert.True(p.IsIdleDue(511, t + Ticks(1000)));
        Assert.Equal(1, p.MillisecondsUntilIdle(511, t + Ticks(5000)));
        Assert.False(p.IsIdleDue(500, t + Ticks(5000))); // nothing after the last snapshot: nothing to cover
        Assert.False(p.IsDue(511)); // the periodic rules are not due
        p.AddWork(Ticks(1), t + Ticks(900)); // a new record restarts the idle count
        Assert.False(p.IsIdleDue(512, t + Ticks(1000)));
        Assert.True(p.IsIdleDue(512, t + Ticks(1900)));
    }

    [Fact]
    public void Idle_snapshots_need_the_work_budget_and_snapshots_on()
    {
        long t = Ticks(50_000);
        foreach (var p in new[]
        {
            Resumed(everyRecords: 1_000_000, everyEngineMs: 100, snapshotRecords: 0, replayMs: 0, idleMs: 0),
            Resumed(everyRecords: 1_000_000, everyEngineMs: 0, snapshotRecords: 0, replayMs: 0, idleMs: 1000),
            Resumed(everyRecords: 0, everyEngineMs: 100, snapshotRecords: 0, replayMs: 0, idleMs: 1000),
        })
        {
            p.AddWork(Ticks(50), t);
            Assert.Equal(Timeout.Infinite, p.MillisecondsUntilIdle(10, t));
            Assert.False(p.IsIdleDue(10, t + Ticks(100_000)));
        }
    }

    [Fact]
    public void Bad_settings_are_refused_naming_the_option()
    {
        foreach (double bad in new[] { -1, double.NaN, double.PositiveInfinity })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ServerOptions { SnapshotEveryEngineMilliseconds = bad }.Validate());
            Assert.Equal(nameof(ServerOptions.SnapshotEveryEngineMilliseconds), ex.ParamName);
            ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ServerOptions { SnapshotWhenIdleMilliseconds = bad }.Validate());
            Assert.Equal(nameof(ServerOptions.SnapshotWhenIdleMilliseconds), ex.ParamName);
        }
    }

    /// <summary>
    /// Over TCP: a journal with no snapshot (written with snapshots off); a server restarted on it with a work budget
    /// its replay does not reach, but whose twentieth it does, snapshots once idle, and the next restart replays nothing.
    /// The budget is sized from a first restart's replay time (5x margins both ways).
    /// </summary>
    [Fact]
    public async Task A_server_gone_idle_snapshots_what_it_would_replay()
    {
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 0))
        {
            await using var c = await s.ConnectAsync();
            await SnapshotServer.WorkloadAsync(c, 1000, 300, 0, setUp: true);
        }
        double replayMs = double.PositiveInfinity;
        long records = 0;
        // The smaller of two restarts' replays: one slowed by a busy machine (tests run in parallel) would size the budget
        // so large that the next replay no longer reaches its twentieth.
        for (int restart = 0; restart < 2; restart++)
        {
            await using var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 0);
            replayMs = Math.Min(replayMs, s.Recovery.Milliseconds); // the replay and the journal scan around it
            records = s.Recovery.RecordsReplayed;
            Assert.Null(s.Recovery.SnapshotPath);
        }
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 1_000_000_000, o =>
        {
            o.SnapshotEveryEngineMilliseconds = 4 * replayMs; // not due by work; the idle minimum is a fifth of one replay
            o.SnapshotWhenIdleMilliseconds = 100;
        }))
        {
            Assert.Equal(records, s.Recovery.RecordsReplayed);
            for (int i = 0; i < 100 && s.Server.Metrics.SnapshotsWritten == 0; i++) await Task.Delay(50);
            Assert.Equal(1, s.Server.Metrics.SnapshotsWritten);
            Assert.Contains("(idle)", s.Log.ToString(), StringComparison.Ordinal);
        }
        await using var r = await SnapshotServer.StartAsync(_dir, snapshotEvery: 1_000_000_000);
        Assert.Equal(records, r.Recovery.SnapshotRecords);
        Assert.Equal(0, r.Recovery.RecordsReplayed);
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
