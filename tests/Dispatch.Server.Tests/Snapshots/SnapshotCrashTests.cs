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

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"Recovery: loaded snapshot \S+ covering (\d+) journal records, then replayed (\d+) journal records after it")]
    private static partial Regex FromSnapshot();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private sealed class Child : IDisposable
    {
        public required Process Process { get; init; }
        public required int Port { get; init; }
        public required StringWriter Log { get; init; }

        public string Text { get { lock (Log) return Log.ToString(); } }

        public (long SnapshotRecords, long Replayed)? Recovery()
        {
            var m = FromSnapshot().Match(Text);
            return m.Success ? (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value)) : null;
        }

        public async Task StopGracefullyAsync()
        {
            if (OperatingSystem.IsWindows()) Process.Kill(); // no SIGTERM there; the test then only checks what a kill keeps
            else Assert.Equal(0, kill(Process.Id, 15 /* SIGTERM */));
            await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        public async Task KillAsync()
        {
            Process.Kill(); // SIGKILL on Linux: no shutdown code runs
            await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        public void Dispose()
        {
            try { if (!Process.HasExited) Process.Kill(); } catch (InvalidOperationException) { }
            Process.WaitForExit(10_000);
            Process.Dispose();
        }
    }

    private async Task<Child> StartAsync()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Dispatch.Server.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (var a in new[] { dll, "--port", "0", "--address", "127.0.0.1", "--data", _dir, "--clock", "Manual", "--fsync", "Always", "--Dispatch:SnapshotEveryRecords=45" })
            psi.ArgumentList.Add(a);
        var log = new StringWriter();
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var p = new Process { StartInfo = psi };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.WriteLine(e.Data);
            var m = Listening().Match(e.Data);
            if (m.Success) port.TrySetResult(int.Parse(m.Groups[1].Value));
        };
        p.OutputDataReceived += onLine;
        p.ErrorDataReceived += onLine;
        p.Exited += (_, _) => port.TrySetException(new Xunit.Sdk.XunitException("server exited early:\n" + log));
        p.EnableRaisingEvents = true;
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            return new Child { Process = p, Port = await port.Task.WaitAsync(TimeSpan.FromSeconds(60)), Log = log };
        }
        catch
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            throw;
        }
    }

    private static Task<DispatchClient> ConnectAsync(Child child) =>
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
            Assert.Null(server.Recovery());
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
            Assert.True(server.Recovery() == (records, 0L), server.Text);
            await using var c = await ConnectAsync(server);
            SnapshotServer.AssertSame(before, await SnapshotServer.CaptureAsync(c, ids));

            var (more, later) = await SnapshotServer.WorkloadAsync(c, 5000, 100, now, setUp: false);
            ids.AddRange(more);
            // The reply to a query leaves after every earlier batch, snapshot included, is done: if the
            // last batch happened to end on a snapshot, one more single command puts the journal ahead.
            records = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
            if (SnapshotServer.SnapshotSequences(_dir)[^1] == records) await c.TickAsync(later);
            before = await SnapshotServer.CaptureAsync(c, ids);
            records = (await c.GetMetricsAsync()).Snapshot.JournalRecords;
            await server.KillAsync();
        }
        long newest = SnapshotServer.SnapshotSequences(_dir)[^1];
        Assert.True(newest < records, $"the newest snapshot ({newest}) should lag the journal ({records}) after a kill");

        // 3. Restart after the kill: newest snapshot + the journal after it.
        using (var server = await StartAsync())
        {
            var r = server.Recovery();
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
