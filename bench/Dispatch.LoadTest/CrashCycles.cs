using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.LoadTest;

internal sealed record CrashSettings(string ServerDll, string[] FsyncPolicies, int Cycles, int Batch, int Window, int Seed, string OutPath);

internal sealed record CycleResult(int Cycle, long Sent, long Acked, long InFlightAtKill, long Checked, long Lost, double RecoveryMs);

internal sealed record PolicyResult(string Fsync, List<CycleResult> Cycles, long FinalChecked, long FinalLost, long CouriersAcked, long CouriersLost, TimeSpan Elapsed);

/// <summary>
/// kill -9 cycles: start the server on the same data directory, stream new orders (and a courier),
/// SIGKILL the process by PID while requests are in flight, restart, and query every acknowledged id.
/// </summary>
internal static class CrashCycles
{
    public static async Task<int> RunAsync(CrashSettings s)
    {
        var results = new List<PolicyResult>();
        foreach (var fsync in s.FsyncPolicies) results.Add(await RunPolicyAsync(s, fsync).ConfigureAwait(false));
        string report = Report(results, s);
        await ResultPage.PublishAsync(report, s.OutPath).ConfigureAwait(false);
        return results.All(r => r.FinalLost == 0 && r.CouriersLost == 0 && r.Cycles.All(c => c.Lost == 0)) ? 0 : 1;
    }

    private static async Task<PolicyResult> RunPolicyAsync(CrashSettings s, string fsync)
    {
        var total = Stopwatch.StartNew();
        string dataDir = Path.Combine(Path.GetTempPath(), "dispatch-crash", Guid.NewGuid().ToString("N"));
        var rng = new Random(s.Seed);
        var allAcked = new List<long>();
        var couriersAcked = new List<long>();
        long[] previous = [];
        var cycles = new List<CycleResult>();
        long nextOrder = 1;
        const long site = 1;
        try
        {
            for (int cycle = 1; cycle <= s.Cycles; cycle++)
            {
                var startClock = Stopwatch.StartNew();
                using var server = await ServerProcess.StartAsync(s.ServerDll, dataDir, "Manual", fsync).ConfigureAwait(false);
                double recoveryMs = startClock.Elapsed.TotalMilliseconds; // process start + journal replay + listen
                await using var client = await DispatchClient.ConnectAsync("127.0.0.1", server.Port, $"crash-cycle-{cycle}").ConfigureAwait(false);

                // 1. Everything acknowledged in the previous cycle must be there.
                long lost = await CountMissingAsync(client, previous).ConfigureAwait(false);
                if (cycle > 1) cycles[^1] = cycles[^1] with { Checked = previous.Length, Lost = lost, RecoveryMs = recoveryMs };

                // 2. A courier and a stream of new orders; SIGKILL once a random number of them are acknowledged.
                if (cycle == 1) await client.AddSiteAsync(site, 1000, 1000).ConfigureAwait(false);
                long courier = 100 + cycle;
                await client.CourierOnShiftAsync(courier, 900 + cycle * 10, 1200, 0, 100_000).ConfigureAwait(false);
                couriersAcked.Add(courier);

                var acked = new ConcurrentQueue<long>();
                long ackCount = 0, sent = 0;
                int killAt = rng.Next(s.Batch / 10, s.Batch + 1);
                var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using var window = new SemaphoreSlim(s.Window);
                var streaming = Task.Run(async () =>
                {
                    // Never stops by itself before the kill: there are always requests in flight when it comes.
                    while (sent < 20L * s.Batch)
                    {
                        await window.WaitAsync().ConfigureAwait(false);
                        long id = nextOrder++;
                        Interlocked.Increment(ref sent);
                        _ = client.PlaceOrderAsync(id, site, 1000 + id % 3000, 1500 + id % 1700, 0, 5).ContinueWith(t =>
                        {
                            try { window.Release(); } catch (ObjectDisposedException) { }
                            if (!t.IsCompletedSuccessfully) return;
                            acked.Enqueue(id);
                            if (Interlocked.Increment(ref ackCount) == killAt) killNow.TrySetResult();
                        }, TaskContinuationOptions.ExecuteSynchronously);
                        if (client.Completion.IsCompleted) break;
                    }
                });
                await killNow.Task.WaitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                // A random moment a little after the trigger: 0..3 ms more of streaming.
                if (rng.Next(2) == 1) await Task.Delay(rng.Next(0, 4)).ConfigureAwait(false);
                long sentAtKill = Interlocked.Read(ref sent), ackedAtKill = Interlocked.Read(ref ackCount);
                server.Kill();
                await server.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                await client.Completion.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                await streaming.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                // Every request has now either an Ack (counted) or failed with the connection.
                await Task.Delay(50).ConfigureAwait(false);
                previous = acked.ToArray();
                allAcked.AddRange(previous);
                cycles.Add(new CycleResult(cycle, Interlocked.Read(ref sent), previous.Length, sentAtKill - ackedAtKill, 0, 0, 0));
                Console.WriteLine($"fsync {fsync} cycle {cycle}: sent {sent}, acknowledged {previous.Length}, in flight at kill {sentAtKill - ackedAtKill}, pid {server.Pid} killed");
            }

            // Final restart: every id acknowledged in any cycle, and every courier.
            var sw = Stopwatch.StartNew();
            using var last = await ServerProcess.StartAsync(s.ServerDll, dataDir, "Manual", fsync).ConfigureAwait(false);
            double lastRecovery = sw.Elapsed.TotalMilliseconds;
            await using var check = await DispatchClient.ConnectAsync("127.0.0.1", last.Port, "crash-cycle-final").ConfigureAwait(false);
            long lostLast = await CountMissingAsync(check, previous).ConfigureAwait(false);
            cycles[^1] = cycles[^1] with { Checked = previous.Length, Lost = lostLast, RecoveryMs = lastRecovery };
            long finalLost = await CountMissingAsync(check, allAcked.ToArray()).ConfigureAwait(false);
            long couriersLost = 0;
            foreach (var c in couriersAcked)
                if (!(await check.GetCourierAsync(c).ConfigureAwait(false)).Known) couriersLost++;
            Console.WriteLine($"fsync {fsync}: {allAcked.Count} acknowledged orders over {s.Cycles} cycles, {finalLost} lost; {couriersAcked.Count} couriers, {couriersLost} lost");
            return new PolicyResult(fsync, cycles, allAcked.Count, finalLost, couriersAcked.Count, couriersLost, total.Elapsed);
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<long> CountMissingAsync(DispatchClient c, long[] ids)
    {
        long missing = 0;
        for (int i = 0; i < ids.Length; i += 4096)
        {
            var chunk = ids.AsSpan(i, Math.Min(4096, ids.Length - i)).ToArray();
            var infos = await Task.WhenAll(chunk.Select(c.GetOrderAsync)).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            missing += infos.Count(o => o.Status == WireOrderStatus.Unknown);
        }
        return missing;
    }

    private static string Report(List<PolicyResult> results, CrashSettings s)
    {
        var b = new StringBuilder();
        ResultPage.Header(b, "Sidecar server: kill -9 crash cycles", "bench/Dispatch.LoadTest crash-cycles");
        b.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Per fsync policy: {s.Cycles} cycles on one data directory. A cycle starts the Release server (manual clock, 127.0.0.1, ephemeral port), checks every order acknowledged in the previous cycle with GetOrder, "
            + $"adds a courier, streams new PlaceOrder commands pipelined ({s.Window} in flight), and SIGKILLs the server by PID (Process.Kill(entireProcessTree: true)) once a random {s.Batch / 10}..{s.Batch} of them are acknowledged, "
            + $"with more in flight. After the last cycle the server is restarted once more and every order acknowledged in any cycle, and every courier, is queried. Seed {s.Seed}."));
        b.AppendLine();
        b.AppendLine("| fsync | cycles | orders acknowledged | lost (per-cycle checks) | lost (final check of all) | couriers acknowledged / lost | in flight at kill (min..max) | restart to listening (median ms) | wall time |");
        b.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var rec = r.Cycles.Select(c => c.RecoveryMs).Order().ToArray();
            b.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Fsync} | {r.Cycles.Count} | {r.FinalChecked:N0} | {r.Cycles.Sum(c => c.Lost)} | {r.FinalLost} | {r.CouriersAcked} / {r.CouriersLost} | {r.Cycles.Min(c => c.InFlightAtKill)}..{r.Cycles.Max(c => c.InFlightAtKill)} | {rec[rec.Length / 2]:F0} | {r.Elapsed.TotalSeconds:F0} s |"));
        }
        b.AppendLine();
        b.AppendLine(results.All(r => r.FinalLost == 0 && r.CouriersLost == 0 && r.Cycles.All(c => c.Lost == 0))
            ? "Result: **no acknowledged command was lost** under any policy tested."
            : "Result: **acknowledged commands were lost** (see the table).");
        foreach (var r in results)
        {
            b.AppendLine();
            b.AppendLine($"<details><summary>fsync {r.Fsync}: per cycle</summary>");
            b.AppendLine();
            b.AppendLine("| cycle | sent | acknowledged | in flight at kill | checked after restart | lost | restart ms |");
            b.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var c in r.Cycles)
                b.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Cycle} | {c.Sent} | {c.Acked} | {c.InFlightAtKill} | {c.Checked} | {c.Lost} | {c.RecoveryMs:F0} |"));
            b.AppendLine();
            b.AppendLine("</details>");
        }
        return b.ToString();
    }
}
