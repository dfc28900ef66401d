using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Dispatch.Client;

namespace Dispatch.Server.Tests.Snapshots;

/// <summary>The real server as a child process with a small snapshot threshold: stopped with SIGTERM, killed with SIGKILL, restarted.</summary>
public sealed partial class SnapshotCrashTests : IDisposable
{
    private readonly string _dir = TestServer.NewDataDirectory();

    public SnapshotCrashTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => TestServer.TryDelete(_dir);

    [GeneratedRegex(@"Recovery: loaded snapshot \S+ covering (\d+) journal records, then replayed (\d+) journal records after it")]
    private static partial Regex FromSnapshot();

    private static (long SnapshotRecords, long Replayed)? Recovery(ChildServer server)
    {
        var m = FromSnapshot().Match(server.Text);
        return m.Success ? (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value)) : null;
    }

    // By record count only, as the in-process snapshot kits: the test names the snapshot a kill must fall after, which
    // the engine-work trigger (on by default) could take at any batch, the one extra Tick below included.
    private Task<ChildServer> StartAsync() => ChildServer.StartAsync(_dir, "--fsync", "Always", "--Dispatch:SnapshotEveryRecords=45", "--Dispatch:SnapshotEveryEngineMilliseconds=0");

    private static Task<DispatchClient> ConnectAsync(ChildServer child) =>
        DispatchClient.ConnectAsync("127.0.0.1", child.Port, "snapshot-crash-test").WaitAsync(TestServer.Timeout);

    [Fact]
    public async Task Graceful_stop_and_kill_9_both_recover_the_same_state_through_a_snapshot()
    {
        ServerState before;
        long records;
        double now;
        List<long> ids;

        // 1. Work with periodic snapshots, then SIGTERM: the shutdown snapshot covers the whole journal.
        using (var server = await StartAsync())
        {
            Assert.Null(Recovery(server));
            await using var c = await ConnectAsync(server);
            (ids, now) = await SnapshotServer.WorkloadAsync(c, 1000, 120, 0, setUp: true);
            before = await SnapshotServer.CaptureAsync(c, ids);
            records = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
            await c.DisposeAsync();
            await server.StopGracefullyAsync();
            if (!OperatingSystem.IsWindows()) Assert.True(server.Process.ExitCode == 0, server.Text);
        }
        Assert.Equal(records, SnapshotServer.SnapshotSequences(_dir)[^1]);

        // 2. Restart: the same state from the snapshot alone, then more work, and kill -9 mid-way between snapshots.
        using (var server = await StartAsync())
        {
            Assert.True(Recovery(server) == (records, 0L), server.Text);
            await using var c = await ConnectAsync(server);
            SnapshotServer.AssertSame(before, await SnapshotServer.CaptureAsync(c, ids));

            var (more, later) = await SnapshotServer.WorkloadAsync(c, 5000, 100, now, setUp: false);
            ids.AddRange(more);
            // If the last batch happened to end on a snapshot, one more single command puts the journal ahead. The snapshot
            // is written in the background (a reply can leave before its file is on disk), and one that fell due while another
            // was being written is taken after the next batch, so the files are read once they have settled, and again after
            // each extra command. (A CI run once killed the server with the newest snapshot covering the whole journal.)
            records = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
            for (int extra = 0; await SnapshotServer.SettledNewestSnapshotAsync(_dir, TimeSpan.FromSeconds(1)) >= records; extra++)
            {
                Assert.True(extra < 5, $"the newest snapshot still covers the whole journal ({records} records) after {extra} extra commands");
                await c.TickAsync(later + extra);
                records = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
            }
            before = await SnapshotServer.CaptureAsync(c, ids);
            records = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
            await server.KillAsync();
        }
        long newest = SnapshotServer.SnapshotSequences(_dir)[^1];
        Assert.True(newest < records, $"the newest snapshot ({newest}) should lag the journal ({records}) after a kill");

        // 3. Restart after the kill: newest snapshot + the journal after it.
        using (var server = await StartAsync())
        {
            var r = Recovery(server);
            Assert.True(r is not null, server.Text);
            Assert.Equal(newest, r.Value.SnapshotRecords);
            Assert.Equal(records - newest, r.Value.Replayed);
            await using var c = await ConnectAsync(server);
            SnapshotServer.AssertSame(before, await SnapshotServer.CaptureAsync(c, ids));
            Assert.Equal(records, (await c.GetMetricsAsync()).Snapshot.JournalRecords);
            await c.TickAsync(before.Now + 1); // and it keeps going
        }
        Assert.True(SnapshotServer.SnapshotSequences(_dir).Length <= 2);
    }
}
