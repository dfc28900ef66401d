using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dispatch.Client;

namespace Dispatch.LoadTest;

internal sealed record LoadSettings(
    string ServerDll, int? ExternalPort, string[] FsyncPolicies, string Clock, int[] ConnectionLevels,
    int ThroughputWindow, int LatencyWindow, TimeSpan Warmup, TimeSpan Duration, long MaxCommandsPerLevel,
    int Couriers, int Sites, string OutPath, bool[] TlsModes)
{
    /// <summary>More ports of the same external server (a cluster's silo edges): connection i uses port i mod their count.</summary>
    public int[] MorePorts { get; init; } = [];

    /// <summary>Cluster regions to spread the connections over (connection i: region i mod their count), each with its
    /// corner in <see cref="Corners"/> (sites and couriers are placed and moved inside 0..5000 m of it); empty: no region in Hello.</summary>
    public string[] Regions { get; init; } = [];

    /// <inheritdoc cref="Regions"/>
    public (double X, double Y)[] Corners { get; init; } = [];
}

internal sealed record LevelResult(
    string Fsync, bool Tls, string Mode, int Window, int Connections, double CommandsPerSecond, long Commands,
    double P50Us, double P99Us, double MaxUs, long Errors, double ServerCpuPercent, double LoadGenCpuPercent);

/// <summary>
/// Starts (or connects to) a server, registers sites and couriers, then for each mode and each
/// connection count drives UpdateCourierPosition for a warm-up and a measured window. With <c>--tls off,on</c> each fsync
/// policy runs once in plaintext and once over TLS (a server started with a certificate made for the run), so the two
/// are measured side by side on the same machine in one run.
/// </summary>
internal static class LoadRunner
{
    public static async Task<int> RunAsync(LoadSettings s)
    {
        InlineSocketCompletions.Prefer(); // before the first socket of this process
        var results = new List<LevelResult>();
        string[] policies = s.ExternalPort is null ? s.FsyncPolicies : ["(external)"];
        if (s.ExternalPort is not null && s.TlsModes.Contains(true))
            throw new InvalidOperationException("--tls on needs a server this run starts (its certificate is made for the run): drop --port");
        using var tlsSetup = s.TlsModes.Contains(true) ? new LoadTls() : null;
        foreach (var (fsync, useTls) in policies.SelectMany(p => s.TlsModes.Select(t => (p, t))))
        {
            var tls = useTls ? tlsSetup : null;
            ServerProcess? server = null;
            string? dataDir = null;
            int port;
            if (s.ExternalPort is { } given)
            {
                port = given;
            }
            else
            {
                dataDir = Path.Combine(Path.GetTempPath(), "dispatch-loadtest", Guid.NewGuid().ToString("N"));
                server = await ServerProcess.StartAsync(s.ServerDll, dataDir, s.Clock, fsync, extra: tls?.ServerArgs).ConfigureAwait(false);
                port = server.Port;
                Console.WriteLine($"server pid {server.Pid} on 127.0.0.1:{port}, fsync {fsync}, TLS {(tls is null ? "off" : "on")}, clock {s.Clock}, data {dataDir}");
            }
            try
            {
                var couriers = await SetupRegionsAsync(port, s, tls).ConfigureAwait(false);
                foreach (var (mode, window) in new[] { ("throughput", s.ThroughputWindow), ("latency", s.LatencyWindow) })
                {
                    foreach (int conns in s.ConnectionLevels)
                    {
                        var r = await RunLevelAsync(port, server?.Process, fsync, tls, mode, window, conns, couriers, s).ConfigureAwait(false);
                        results.Add(r);
                        Console.WriteLine(FormatRow(r));
                    }
                }
            }
            finally
            {
                server?.Dispose();
                if (dataDir is not null) { try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { } }
            }
        }

        string report = Report(results, s);
        await ResultPage.PublishAsync(report, s.OutPath).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Sites and couriers in every region (one region, unnamed, without <c>--regions</c>): the couriers of each.</summary>
    private static async Task<long[][]> SetupRegionsAsync(int port, LoadSettings s, LoadTls? tls)
    {
        if (s.Regions.Length == 0) return [await SetupAsync(port, s, tls, null, 0, 0, 0).ConfigureAwait(false)];
        var all = new long[s.Regions.Length][];
        for (int r = 0; r < s.Regions.Length; r++)
            all[r] = await SetupAsync(port, s, tls, s.Regions[r], s.Corners[r].X, s.Corners[r].Y, r).ConfigureAwait(false);
        return all;
    }

    private static async Task<long[]> SetupAsync(int port, LoadSettings s, LoadTls? tls, string? region, double x0, double y0, int index)
    {
        var options = tls?.ClientOptions("Dispatch.LoadTest setup") ?? new DispatchClientOptions { ClientName = "Dispatch.LoadTest setup" };
        options.Region = region;
        await using var c = await DispatchClient.ConnectAsync("127.0.0.1", port, options).ConfigureAwait(false);
        double now = c.Server.Now;
        long run = Stopwatch.GetTimestamp() % 1_000_000; // fresh ids even against an external server with state
        long siteBase = 1_000_000_000L + run * 1000 + index * 100, courierBase = 2_000_000_000L + run * 100_000 + index * 10_000;
        var tasks = new List<Task>();
        for (int i = 0; i < s.Sites; i++) tasks.Add(c.AddSiteAsync(siteBase + i, x0 + 1000 + 300 * i, y0 + 2000));
        var couriers = new long[s.Couriers];
        for (int i = 0; i < s.Couriers; i++)
        {
            couriers[i] = courierBase + i;
            tasks.Add(c.CourierOnShiftAsync(couriers[i], x0 + 1000 + i % 4000, y0 + 1000 + i / 4 % 4000, now, now + 100_000));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return couriers;
    }

    private static async Task<LevelResult> RunLevelAsync(int port, Process? server, string fsync, LoadTls? tls, string mode, int window, int conns, long[][] couriers, LoadSettings s)
    {
        var connections = new LoadConnection[conns];
        int[] ports = [port, .. s.MorePorts];
        for (int i = 0; i < conns; i++)
        {
            int r = i % couriers.Length;
            var (x0, y0) = s.Regions.Length == 0 ? (0.0, 0.0) : s.Corners[r];
            connections[i] = await LoadConnection.ConnectAsync(ports[i % ports.Length], window, couriers[r], seed: i * 7919 + conns, tls,
                s.Regions.Length == 0 ? null : s.Regions[r], x0, y0).ConfigureAwait(false);
        }
        var phase = new LoadPhase { MaxPerConnection = Math.Max(1, s.MaxCommandsPerLevel / conns) };
        try
        {
            var runs = connections.Select(c => Task.Run(() => c.RunAsync(phase))).ToArray();
            await Task.Delay(s.Warmup).ConfigureAwait(false);
            GC.Collect();
            var serverCpu0 = Cpu(server);
            var selfCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            phase.MeasureStart = Stopwatch.GetTimestamp();
            phase.State = 1;
            // Measure until the duration passes or the count bound is reached by everyone.
            var deadline = Task.Delay(s.Duration);
            await Task.WhenAny(deadline, Task.WhenAll(runs)).ConfigureAwait(false);
            phase.MeasureEnd = Stopwatch.GetTimestamp();
            phase.State = 2;
            var serverCpu1 = Cpu(server);
            var selfCpu1 = Process.GetCurrentProcess().TotalProcessorTime;
            await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);

            double seconds = Stopwatch.GetElapsedTime(phase.MeasureStart, phase.MeasureEnd).TotalSeconds;
            long acks = connections.Sum(c => c.MeasuredAcks);
            var all = new long[connections.Sum(c => c.Latencies.Count)];
            int k = 0;
            foreach (var c in connections) { c.Latencies.Span.CopyTo(all.AsSpan(k)); k += c.Latencies.Count; }
            Array.Sort(all);
            double us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
            double pct(double p) => all.Length == 0 ? double.NaN : us(all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)]);
            double cpu(TimeSpan a, TimeSpan b) => (b - a).TotalSeconds / seconds * 100;
            return new LevelResult(fsync, tls is not null, mode, window, conns, acks / seconds, acks,
                pct(0.50), pct(0.99), all.Length == 0 ? double.NaN : us(all[^1]),
                connections.Sum(c => c.Errors),
                server is null ? double.NaN : cpu(serverCpu0, serverCpu1), cpu(selfCpu0, selfCpu1));
        }
        finally
        {
            foreach (var c in connections) c.Dispose();
        }
    }

    private static TimeSpan Cpu(Process? p)
    {
        if (p is null) return TimeSpan.Zero;
        p.Refresh();
        return p.TotalProcessorTime;
    }

    private static string Ms(double us) => double.IsNaN(us) ? "-" : (us / 1000).ToString("F3", CultureInfo.InvariantCulture);

    private static string FormatRow(LevelResult r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Fsync} | {(r.Tls ? "on" : "off")} | {r.Mode} | {r.Window} | {r.Connections} | {r.CommandsPerSecond:N0} | {Ms(r.P50Us)} | {Ms(r.P99Us)} | {Ms(r.MaxUs)} | {r.Errors} | {(double.IsNaN(r.ServerCpuPercent) ? "-" : r.ServerCpuPercent.ToString("F0", CultureInfo.InvariantCulture))}% | {r.LoadGenCpuPercent:F0}% |");

    private static string Report(List<LevelResult> results, LoadSettings s)
    {
        var b = new StringBuilder();
        ResultPage.Header(b, "Sidecar server load: UpdateCourierPosition", "bench/Dispatch.LoadTest");
        b.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Server: Release build as a child process on 127.0.0.1, clock {s.Clock}, fresh temporary data directory per fsync policy, {s.Couriers} couriers on shift, {s.Sites} sites. "
            + $"Per level: {s.Warmup.TotalSeconds:F0} s warm-up, then {s.Duration.TotalSeconds:F0} s measured (at most {s.MaxCommandsPerLevel:N0} commands)."));
        b.AppendLine();
        b.AppendLine("**The load generator runs on the same machine and shares its cores with the server** (both CPU columns are % of one core; 200% = the whole 2-core box).");
        b.AppendLine("Latency is per request: timestamp just before the socket send of the request's batch to the moment its Ack is parsed, so it includes the load generator's own queueing.");
        b.AppendLine("`throughput` mode keeps a deep window of requests in flight per connection (sustained rate, latency is mostly queueing); `latency` mode keeps at most a few in flight per connection.");
        b.AppendLine();
        b.AppendLine("| fsync | TLS | mode | in flight / conn | connections | commands/s | p50 ms | p99 ms | max ms | errors | server CPU | load-gen CPU |");
        b.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results) b.AppendLine(FormatRow(r));
        b.AppendLine();
        b.AppendLine("Targets at 16 connections: >= 200,000 position updates/s and p99 < 2 ms.");
        b.AppendLine();
        foreach (var g in results.Where(r => r.Connections == 16))
        {
            bool tput = g.CommandsPerSecond >= 200_000, lat = g.P99Us < 2000;
            b.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"- fsync {g.Fsync}, TLS {(g.Tls ? "on" : "off")}, {g.Mode} mode: {g.CommandsPerSecond:N0}/s ({(tput ? "meets" : "misses")} 200k/s), p99 {Ms(g.P99Us)} ms ({(lat ? "meets" : "misses")} 2 ms)"));
        }
        var pairs = results.Where(r => r.Connections == 16 && !r.Tls)
            .Select(off => (off, on: results.FirstOrDefault(r => r.Connections == 16 && r.Tls && r.Fsync == off.Fsync && r.Mode == off.Mode)))
            .Where(p => p.on is not null).ToList();
        if (pairs.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("TLS off vs on at 16 connections (same run, same machine):");
            b.AppendLine();
            b.AppendLine("| fsync | mode | updates/s off | updates/s on | change | p99 ms off | p99 ms on |");
            b.AppendLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (var (off, on) in pairs)
                b.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {off.Fsync} | {off.Mode} | {off.CommandsPerSecond:N0} | {on!.CommandsPerSecond:N0} | {(on.CommandsPerSecond / off.CommandsPerSecond - 1) * 100:+0.0;-0.0}% | {Ms(off.P99Us)} | {Ms(on.P99Us)} |"));
        }
        return b.ToString();
    }
}
