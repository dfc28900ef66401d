using Dispatch.Server.Snapshots;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Tests.Snapshots;

/// <summary>Periodic snapshots and recovery from snapshot + journal, in process.</summary>
public sealed class SnapshotRecoveryTests : IDisposable
{
    private readonly string _dir = TestServer.NewDataDirectory();

    public void Dispose() => TestServer.TryDelete(_dir);

    [Fact]
    public async Task Graceful_restart_recovers_the_same_state_from_the_shutdown_snapshot_replaying_nothing()
    {
        ServerState before;
        long journalRecords;
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 40))
        {
            Assert.False(s.Recovery.UsedSnapshot);
            await using var c = await s.ConnectAsync();
            var (ids, _) = await SnapshotServer.WorkloadAsync(c, 1000, 150, 0, setUp: true);
            before = await SnapshotServer.CaptureAsync(c, ids);
            journalRecords = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
            // Written in the background: one that falls due while the previous is being written waits for it, so fewer than records / 40.
            await SnapshotServer.SettleAsync(s);
            Assert.True(s.Server.Metrics.SnapshotsWritten >= 1, $"periodic snapshots: {s.Server.Metrics.SnapshotsWritten}");
        }
        // The shutdown snapshot covers the whole journal; two snapshots are kept.
        var seqs = SnapshotServer.SnapshotSequences(_dir);
        Assert.Equal(2, seqs.Length);
        Assert.Equal(journalRecords, seqs[^1]);

        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 40))
        {
            Assert.True(s.Recovery.UsedSnapshot, s.Log.ToString());
            Assert.Equal(journalRecords, s.Recovery.SnapshotRecords);
            Assert.Equal(0, s.Recovery.RecordsReplayed);
            Assert.Equal(journalRecords, s.Recovery.JournalRecords);
            Assert.True(s.Log.Contains(LogLevel.Information, $"covering {journalRecords} journal records, then replayed 0 journal records after it"), s.Log.ToString());
            await using var c = await s.ConnectAsync();
            SnapshotServer.AssertSame(before, await SnapshotServer.CaptureAsync(c, before.Orders.Select(o => o.OrderId)));
            Assert.Equal(journalRecords, (await c.GetMetricsAsync()).Snapshot.JournalRecords);
        }
    }

    [Fact]
    public async Task Snapshot_plus_journal_tail_decides_exactly_like_a_full_replay()
    {
        // Copy the data directory while the server runs (no shutdown snapshot): the newest snapshot
        // lags the journal, so recovery replays a tail. One copy keeps its snapshots, one loses them.
        string withSnap = _dir + "-snap", fullReplay = _dir + "-full";
        try
        {
            ServerState before;
            List<long> ids;
            double now;
            long journalRecords;
            // Enough snapshots kept that nothing is compacted: the full replay needs the whole journal.
            await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 37, o => o.SnapshotsToKeep = 100))
            {
                await using var c = await s.ConnectAsync();
                (ids, now) = await SnapshotServer.WorkloadAsync(c, 1000, 130, 0, setUp: true);
                await SnapshotServer.SettleAsync(s);
                // If the last snapshot happened to cover everything, one more record puts the journal ahead of it.
                if (s.Server.Metrics.LastSnapshotRecords == (await c.GetMetricsAsync()).Snapshot.JournalRecords) await c.TickAsync(now++);
                before = await SnapshotServer.CaptureAsync(c, ids);
                journalRecords = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
                Assert.NotEqual(journalRecords, s.Server.Metrics.LastSnapshotRecords);
                SnapshotServer.CopyDirectory(_dir, withSnap);
                SnapshotServer.CopyDirectory(_dir, fullReplay);
            }
            foreach (var f in Directory.EnumerateFiles(fullReplay, "snapshot-*")) File.Delete(f);

            await using var a = await SnapshotServer.StartAsync(withSnap, snapshotEvery: 0);
            await using var b = await SnapshotServer.StartAsync(fullReplay, snapshotEvery: 0);
            Assert.True(a.Recovery.UsedSnapshot, a.Log.ToString());
            Assert.True(a.Recovery.RecordsReplayed > 0 && a.Recovery.RecordsReplayed < journalRecords, a.Recovery.ToString());
            Assert.Equal(journalRecords, a.Recovery.SnapshotRecords + a.Recovery.RecordsReplayed);
            Assert.False(b.Recovery.UsedSnapshot);
            Assert.Equal(journalRecords, b.Recovery.RecordsReplayed);

            await using var ca = await a.ConnectAsync();
            await using var cb = await b.ConnectAsync();
            var sa = await SnapshotServer.CaptureAsync(ca, ids);
            SnapshotServer.AssertSame(before, sa);
            SnapshotServer.AssertSame(before, await SnapshotServer.CaptureAsync(cb, ids));

            await SnapshotServer.AssertDecideAlikeAsync(ca, cb, ids, now, before, firstOrder: 5000, ticks: 60);
        }
        finally
        {
            TestServer.TryDelete(withSnap);
            TestServer.TryDelete(fullReplay);
        }
    }

    [Fact]
    public async Task Torn_and_garbage_snapshots_are_ignored_with_a_warning_and_recovery_falls_back()
    {
        ServerState before;
        long journalRecords;
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 50))
        {
            await using var c = await s.ConnectAsync();
            var (ids, _) = await SnapshotServer.WorkloadAsync(c, 1000, 120, 0, setUp: true);
            before = await SnapshotServer.CaptureAsync(c, ids);
            journalRecords = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
        }
        var seqs = SnapshotServer.SnapshotSequences(_dir);
        Assert.Equal(2, seqs.Length);
        long older = seqs[0], newest = seqs[1];

        // Newest torn in half: the older snapshot is used, the journal after it replayed.
        string newestPath = SnapshotServer.SnapshotPath(_dir, newest);
        using (var f = new FileStream(newestPath, FileMode.Open)) f.SetLength(f.Length / 2);
        // A file that is not a snapshot at all, named as the newest one.
        File.WriteAllBytes(SnapshotServer.SnapshotPath(_dir, journalRecords + 1000), Enumerable.Range(0, 5000).Select(i => (byte)(i * 31)).ToArray());
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 0))
        {
            Assert.True(s.Recovery.UsedSnapshot, s.Log.ToString());
            Assert.Equal(older, s.Recovery.SnapshotRecords);
            Assert.Equal(journalRecords - older, s.Recovery.RecordsReplayed);
            Assert.Equal(2, s.Recovery.SnapshotsIgnored);
            Assert.True(s.Log.Contains(LogLevel.Warning, "is unreadable (bad magic"), s.Log.ToString());
            Assert.True(s.Log.Contains(LogLevel.Warning, "(torn)"), s.Log.ToString());
            await using var c = await s.ConnectAsync();
            SnapshotServer.AssertSame(before, await SnapshotServer.CaptureAsync(c, before.Orders.Select(o => o.OrderId)));
        }
        Assert.True(File.Exists(newestPath + ".bad"));

        // The last one damaged in its engine state too (one byte flipped): the CRC catches it, and the journal before
        // it was compacted (two snapshots were kept), so no state can be rebuilt: the start is refused, saying why.
        string olderPath = SnapshotServer.SnapshotPath(_dir, older);
        var bytes = File.ReadAllBytes(olderPath);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(olderPath, bytes);
        var refused = await Assert.ThrowsAsync<Journal.JournalDamagedException>(() => SnapshotServer.StartAsync(_dir, snapshotEvery: 0));
        Assert.Contains("compacted into snapshots, and no usable snapshot covers them", refused.Message);
        Assert.Empty(SnapshotServer.SnapshotSequences(_dir));
    }

    [Fact]
    public async Task A_snapshot_taken_under_different_engine_settings_is_ignored_with_a_warning()
    {
        long journalRecords;
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 1000))
        {
            await using var c = await s.ConnectAsync();
            await SnapshotServer.WorkloadAsync(c, 1000, 40, 0, setUp: true);
            journalRecords = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
        }
        Assert.Equal([journalRecords], SnapshotServer.SnapshotSequences(_dir));

        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 0, o => o.Engine = o.Engine with { PickupServiceMinutes = 5 }))
        {
            Assert.False(s.Recovery.UsedSnapshot);
            Assert.Equal(1, s.Recovery.SnapshotsIgnored);
            Assert.Equal(journalRecords, s.Recovery.RecordsReplayed);
            Assert.True(s.Log.Contains(LogLevel.Warning, "was taken under different engine settings (engine.PickupServiceMinutes: 4 -> 5)"), s.Log.ToString());
        }
        // Left in place (valid again under the old settings), and used again once they are back.
        Assert.Equal([journalRecords], SnapshotServer.SnapshotSequences(_dir));
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 0, o => o.Travel = TravelMode.Euclidean))
        {
            Assert.True(s.Recovery.UsedSnapshot, s.Log.ToString());
            Assert.Equal(0, s.Recovery.RecordsReplayed);
        }
        // A travel rule change counts as well.
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 0, o => o.MetersPerMinute = 250))
        {
            Assert.False(s.Recovery.UsedSnapshot);
            Assert.True(s.Log.Contains(LogLevel.Warning, "travel.metersPerMinute: 320 -> 250"), s.Log.ToString());
        }
    }

    [Fact]
    public async Task Snapshots_without_their_journal_are_set_aside_and_snapshots_off_writes_none()
    {
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 10))
        {
            await using var c = await s.ConnectAsync();
            await SnapshotServer.WorkloadAsync(c, 1000, 30, 0, setUp: true);
        }
        Assert.NotEmpty(SnapshotServer.SnapshotSequences(_dir));
        foreach (var seg in Journal.JournalSegment.List(_dir)) File.Delete(seg.Path);
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 0))
        {
            Assert.False(s.Recovery.UsedSnapshot);
            Assert.Equal(0, s.Recovery.JournalRecords);
            Assert.True(s.Log.Contains(LogLevel.Warning, "but no usable journal"), s.Log.ToString());
            await using var c = await s.ConnectAsync();
            Assert.Equal(0, (await c.GetCountsAsync()).Known);
            await SnapshotServer.WorkloadAsync(c, 1000, 30, 0, setUp: true);
            Assert.Equal(0, s.Server.Metrics.SnapshotsWritten);
        }
        Assert.Empty(SnapshotServer.SnapshotSequences(_dir));
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Snapshot_file_names_parse_and_the_settings_fingerprint_ignores_capacities_only()
    {
        Assert.True(SnapshotFormat.TryParseFileName("snapshot-200000.snap", out long n));
        Assert.Equal(200_000, n);
        Assert.False(SnapshotFormat.TryParseFileName("snapshot-12.snap.tmp", out _));
        Assert.False(SnapshotFormat.TryParseFileName("snapshot--1.snap", out _));
        Assert.False(SnapshotFormat.TryParseFileName("snapshot-.snap", out _));

        var a = new ServerOptions();
        string text = EngineSettings.Describe(a);
        Assert.Contains("engine.Profile=Mdrp", text);
        Assert.Contains("engine.MaxRouteStops=24", text);
        Assert.DoesNotContain("Initial", text);
        Assert.Equal(EngineSettings.Fingerprint(text), EngineSettings.Fingerprint(EngineSettings.Describe(new ServerOptions { Port = 1, SnapshotEveryRecords = 5, Clock = Dispatch.Protocol.ClockMode.Manual })));
        Assert.NotEqual(EngineSettings.Fingerprint(text), EngineSettings.Fingerprint(EngineSettings.Describe(new ServerOptions { Engine = new() { TickIntervalMinutes = 2 } })));
        Assert.NotEqual(EngineSettings.Fingerprint(text), EngineSettings.Fingerprint(EngineSettings.Describe(new ServerOptions { Travel = TravelMode.Haversine })));
    }
}
