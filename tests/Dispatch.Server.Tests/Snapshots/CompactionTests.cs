using Dispatch.Client;
using Dispatch.Protocol;
using Dispatch.Server.Journal;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Tests.Snapshots;

/// <summary>Journal compaction behind background snapshots, in process: what stays on disk, and that every restart from it is exact.</summary>
public sealed class CompactionTests : IDisposable
{
    private readonly string _dir = TestServer.NewDataDirectory();
    private readonly List<string> _copies = new();

    public void Dispose()
    {
        TestServer.TryDelete(_dir);
        foreach (var d in _copies) TestServer.TryDelete(d);
    }

    private string Copy(string suffix)
    {
        string to = _dir + "-" + suffix;
        _copies.Add(to);
        SnapshotServer.CopyDirectory(_dir, to);
        return to;
    }

    private static long[] SegmentBases(string dir) => JournalSegment.List(dir).Select(s => s.BaseRecords).ToArray();

    private static long FilesBytes(string dir, string pattern) => Directory.EnumerateFiles(dir, pattern).Sum(f => new FileInfo(f).Length);

    /// <summary>Small segments and frequent snapshots, so a short workload rolls, snapshots and compacts many times.</summary>
    private static void Small(ServerOptions o) => o.JournalSegmentBytes = 4096;

    /// <summary>
    /// The running server and a restart from a copy of its data directory take the same further workload and
    /// must agree on every order and courier afterwards (the restarted engine decides exactly like the original).
    /// </summary>
    private static async Task AssertDecidesLikeAsync(DispatchClient original, DispatchClient restarted, List<long> ids, double now, ServerState before)
    {
        SnapshotServer.AssertSame(before, await SnapshotServer.CaptureAsync(restarted, ids));
        await SnapshotServer.AssertDecideAlikeAsync(original, restarted, ids, now, before, firstOrder: 50_000, ticks: 40);
    }

    /// <summary>Runs the workload, waits for the background writer, and makes sure the journal is ahead of the newest snapshot.</summary>
    private static async Task<(List<long> Ids, double Now, ServerState Before, long Records)> WorkAsync(SnapshotServer s, DispatchClient c, int orders)
    {
        var (ids, now) = await SnapshotServer.WorkloadAsync(c, 1000, orders, 0, setUp: true);
        await SnapshotServer.SettleAsync(s);
        if (s.Server.Metrics.LastSnapshotRecords == (await c.GetMetricsAsync()).Snapshot.JournalRecords) await c.TickAsync(now++);
        var before = await SnapshotServer.CaptureAsync(c, ids);
        long records = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
        return (ids, now, before, records);
    }

    [Fact]
    public async Task Segments_covered_by_the_oldest_kept_snapshot_are_deleted_and_a_restart_from_what_remains_is_exact()
    {
        await using var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 40, Small);
        await using var c = await s.ConnectAsync();
        var (ids, now, before, records) = await WorkAsync(s, c, 400);

        var snaps = SnapshotServer.SnapshotSequences(_dir);
        var bases = SegmentBases(_dir);
        Assert.Equal(2, snaps.Length);
        Assert.True(s.Server.Metrics.JournalSegmentsCompacted > 0, s.Log.ToString());
        // What stays: the segment the oldest kept snapshot ends in (or starts), and everything after it; nothing wholly before it.
        Assert.True(bases[0] <= snaps[0] && (bases.Length == 1 || bases[1] > snaps[0]), $"segments {string.Join(",", bases)}, snapshots {string.Join(",", snaps)}");
        Assert.DoesNotContain(0L, bases);
        // A snapshot ends a segment: the newest one is followed by a segment named after it.
        Assert.Contains(snaps[1], bases);
        Assert.Equal(FilesBytes(_dir, "journal-*"), s.Server.Metrics.JournalBytesOnDisk);
        Assert.Equal(FilesBytes(_dir, "snapshot-*"), s.Server.Metrics.SnapshotBytesOnDisk);
        Assert.True(s.Server.Metrics.LastSnapshotPauseMs > 0 && s.Server.Metrics.SnapshotPauseP99Ms >= s.Server.Metrics.LastSnapshotPauseMs);

        // A copy taken now is what a kill -9 leaves: the newest snapshot, then the segments after it.
        string copy = Copy("kill");
        await using var r = await SnapshotServer.StartAsync(copy, snapshotEvery: 40, Small);
        Assert.Equal(snaps[1], r.Recovery.SnapshotRecords);
        Assert.Equal(records - snaps[1], r.Recovery.RecordsReplayed);
        await using var rc = await r.ConnectAsync();
        await AssertDecidesLikeAsync(c, rc, ids, now, before);
    }

    [Fact]
    public async Task A_damaged_newest_snapshot_or_a_crash_while_it_was_written_recovers_from_the_older_one_losing_nothing()
    {
        await using var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 40, Small);
        await using var c = await s.ConnectAsync();
        var (ids, now, before, records) = await WorkAsync(s, c, 300);
        var snaps = SnapshotServer.SnapshotSequences(_dir);
        Assert.Equal(2, snaps.Length);
        long older = snaps[0], newest = snaps[1];

        // 1. The newest snapshot damaged in its engine state (one byte flipped): the older one and the journal after it.
        string damaged = Copy("damaged");
        string newestPath = SnapshotServer.SnapshotPath(damaged, newest);
        var bytes = File.ReadAllBytes(newestPath);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(newestPath, bytes);
        await using (var r = await SnapshotServer.StartAsync(damaged, snapshotEvery: 0, Small))
        {
            Assert.Equal(older, r.Recovery.SnapshotRecords);
            Assert.Equal(records - older, r.Recovery.RecordsReplayed);
            Assert.True(r.Log.Contains(LogLevel.Warning, "engine state CRC mismatch"), r.Log.ToString());
            await using var rc = await r.ConnectAsync();
            SnapshotServer.AssertSame(before, await SnapshotServer.CaptureAsync(rc, ids));
        }

        // 2. The process killed while the background writer was writing the newest: its segment had rolled, its file
        //    was a partial snapshot-N.snap.tmp. Every acknowledged command is in the journal: nothing is lost.
        string crashed = Copy("crashed");
        string partial = SnapshotServer.SnapshotPath(crashed, newest);
        File.WriteAllBytes(partial + ".tmp", File.ReadAllBytes(partial).AsSpan(0, (int)(new FileInfo(partial).Length / 3)).ToArray());
        File.Delete(partial);
        await using (var r = await SnapshotServer.StartAsync(crashed, snapshotEvery: 40, Small))
        {
            Assert.Equal(older, r.Recovery.SnapshotRecords);
            Assert.Equal(records, r.Recovery.JournalRecords);
            Assert.Empty(Directory.EnumerateFiles(crashed, "*.tmp"));
            await using var rc = await r.ConnectAsync();
            var after = await SnapshotServer.CaptureAsync(rc, ids);
            Assert.DoesNotContain(after.Orders, o => o.Status == WireOrderStatus.Unknown);
            await AssertDecidesLikeAsync(c, rc, ids, now, before);
        }
    }

    [Fact]
    public async Task Disk_use_stays_flat_over_many_snapshots_while_the_state_does_not_grow()
    {
        // The state is a fixed fleet and a fixed set of orders; the history is position reports and ticks, without end.
        await using var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 150, Small);
        await using var c = await s.ConnectAsync();
        await SnapshotServer.WorkloadAsync(c, 1000, 30, 0, setUp: true);
        double now = 10;
        var onDisk = new List<(long Records, long Journal, long Snapshots)>();
        for (int round = 0; round < 12; round++)
        {
            var pending = new List<Task>();
            for (int i = 0; i < 300; i++)
            {
                long courier = SnapshotServer.CourierIds[i % SnapshotServer.CourierIds.Length];
                pending.Add(c.UpdateCourierPositionAsync(courier, 900 + (i * 37 % 400), 1200 + (i * 53 % 300)));
                if (i % 50 == 49)
                {
                    await Task.WhenAll(pending).WaitAsync(TestServer.Timeout);
                    pending.Clear();
                    await c.TickAsync(now++);
                }
            }
            await Task.WhenAll(pending).WaitAsync(TestServer.Timeout);
            await SnapshotServer.SettleAsync(s);
            onDisk.Add(((await c.GetMetricsAsync()).Snapshot.JournalRecords, s.Server.Metrics.JournalBytesOnDisk, s.Server.Metrics.SnapshotBytesOnDisk));
        }
        string table = string.Join("\n", onDisk.Select(d => $"{d.Records} records: journal {d.Journal} B, snapshots {d.Snapshots} B"));
        Assert.True(onDisk[^1].Records > 3 * onDisk[2].Records, table);
        // Journal on disk: what the oldest kept snapshot needs, about two intervals (plus a partly filled segment), never the history.
        long journalBytesPerRecord = 64;
        foreach (var d in onDisk.Skip(2)) Assert.True(d.Journal < 3 * 150 * journalBytesPerRecord + 2 * 4096, table);
        Assert.True(onDisk[^1].Journal + onDisk[^1].Snapshots <= 1.5 * (onDisk[2].Journal + onDisk[2].Snapshots), table);
        Assert.Equal(FilesBytes(_dir, "journal-*"), s.Server.Metrics.JournalBytesOnDisk);
        Assert.True(s.Server.Metrics.SnapshotsWritten >= 8, table);
    }

    [Fact]
    public async Task Compacted_segments_go_to_the_archive_folder_when_one_is_set()
    {
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 40, o => { Small(o); o.JournalArchiveDirectory = "archive"; }))
        {
            await using var c = await s.ConnectAsync();
            await WorkAsync(s, c, 300);
        }
        string archive = Path.Combine(_dir, "archive");
        var archived = JournalSegment.List(archive).Select(a => a.BaseRecords).ToArray();
        var kept = SegmentBases(_dir);
        Assert.NotEmpty(archived);
        Assert.Equal(0, archived[0]);
        // Together they are the whole journal, each record once: archived ones end where the kept ones begin.
        Assert.True(archived[^1] < kept[0], $"{string.Join(",", archived)} | {string.Join(",", kept)}");
        var all = new List<(double, Command)>();
        foreach (var f in Directory.EnumerateFiles(archive)) File.Copy(f, Path.Combine(_dir, Path.GetFileName(f)));
        var r = JournalReader.Replay(_dir, (now, c) => all.Add((now, c)), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Null(r.Problem);
        Assert.Equal(r.Records, all.Count);
    }

    [Fact]
    public async Task An_old_single_file_journal_directory_recovers_exactly_and_is_compacted_like_any_segment()
    {
        // What a server before segments left behind: journal.dspj, format 1, with a torn tail.
        var commands = new List<(double Now, Command Command)>();
        for (int site = 1; site <= SnapshotServer.Sites; site++) commands.Add((0, Command.AddSite(0, site, 1000 * site, 1000 + 300 * site)));
        foreach (long id in SnapshotServer.CourierIds) commands.Add((0, Command.CourierOnShift(0, id, 800 + 150 * (id % 5), 1200 + 90 * (id % 3), 0, 900)));
        double now = 0;
        var ids = new List<long>();
        for (int i = 0; i < 90; i++)
        {
            long id = 1000 + i;
            ids.Add(id);
            commands.Add((now, Command.PlaceOrder(0, id, 1 + id % SnapshotServer.Sites, 500 + (id * 7919 % 4000), 600 + (id * 104729 % 3500), now, now + 4 + id % 9)));
            if (i % 6 == 5) commands.Add((++now, Command.Tick(0, now)));
        }
        LegacyJournal.Write(_dir, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), commands);
        File.AppendAllText(Path.Combine(_dir, JournalFormat.LegacyFileName), "\u0011torn");

        // The same commands sent live to a fresh server: the reference.
        string referenceDir = _dir + "-reference";
        _copies.Add(referenceDir);
        await using var reference = await SnapshotServer.StartAsync(referenceDir, snapshotEvery: 0);
        await using var refc = await reference.ConnectAsync();
        foreach (var (_, command) in commands) Assert.IsType<AckMessage>(await refc.RequestAsync(command));
        var expected = await SnapshotServer.CaptureAsync(refc, ids);

        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 40, Small))
        {
            Assert.Equal(commands.Count, s.Recovery.JournalRecords);
            Assert.True(s.Log.Contains(LogLevel.Warning, "discarding the last"), s.Log.ToString());
            await using var c = await s.ConnectAsync();
            SnapshotServer.AssertSame(expected, await SnapshotServer.CaptureAsync(c, ids));
            // New records go to a segment after the old file; snapshots later cover it, and it is compacted.
            Assert.Equal([0L, commands.Count], SegmentBases(_dir));
            var (more, _) = await SnapshotServer.WorkloadAsync(c, 5000, 200, now + 1, setUp: false);
            ids.AddRange(more);
            await SnapshotServer.SettleAsync(s);
            expected = await SnapshotServer.CaptureAsync(c, ids);
        }
        Assert.False(File.Exists(Path.Combine(_dir, JournalFormat.LegacyFileName)), string.Join(",", SegmentBases(_dir)));
        await using (var s = await SnapshotServer.StartAsync(_dir, snapshotEvery: 40, Small))
        {
            Assert.True(s.Recovery.UsedSnapshot);
            await using var c = await s.ConnectAsync();
            SnapshotServer.AssertSame(expected, await SnapshotServer.CaptureAsync(c, ids));
        }
    }
}
