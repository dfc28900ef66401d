using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.LoadTest;

internal sealed record LiveViewLoadSettings(
    string ServerDll, string Fsync, string[] ViewerLevels, int Rounds, int Connections, int Window, int Couriers,
    int OrdersPerTick, int TickEveryMs, TimeSpan Warmup, TimeSpan Duration, string OutPath);

internal sealed record LiveViewRun(
    int Round, string Viewers, double PositionsPerSecond, double PositionP50Us, double PositionP99Us, int Ticks,
    double TickRttP50Ms, double TickRttP99Ms, double EngineTickP50Ms, double EngineTickP99Ms, double EngineTickMaxMs,
    long FeedMessages, long FeedBytes, long ViewersDropped, long EventsLost, double ServerCpuPercent);

/// <summary>
/// The live view's cost to the engine (issue 15): the usual UpdateCourierPosition load on several connections, a
/// ticker placing orders and ticking the manual clock (so every tick plans), and 0 or N browsers' worth of
/// Server-Sent-Events connections reading the feed as fast as they can. Levels alternate run by run (off, 0, 50,
/// off, 0, 50, ...), each on a fresh server process, because the machine is shared and drifts: what is compared is
/// a level against its neighbours. "off" is a server without --http-port (no ring, no projection).
/// </summary>
internal static partial class LiveViewLoad
{
    [GeneratedRegex(@"Live view on http://[0-9.]+:(\d+)/")]
    private static partial Regex LiveViewLine();

    public static async Task<int> RunAsync(LiveViewLoadSettings s)
    {
        var runs = new List<LiveViewRun>();
        var wall = Stopwatch.StartNew();
        for (int round = 1; round <= s.Rounds; round++)
        {
            foreach (string level in s.ViewerLevels)
            {
                var r = await RunOnceAsync(round, level, s).ConfigureAwait(false);
                runs.Add(r);
                Console.WriteLine(Row(r));
            }
        }
        await ResultPage.PublishAsync(Report(runs, s, wall.Elapsed), s.OutPath).ConfigureAwait(false);
        return 0;
    }

    private static async Task<LiveViewRun> RunOnceAsync(int round, string level, LiveViewLoadSettings s)
    {
        bool off = level == "off";
        int viewers = off ? 0 : int.Parse(level, CultureInfo.InvariantCulture);
        string dataDir = Path.Combine(Path.GetTempPath(), "dispatch-liveload", Guid.NewGuid().ToString("N"));
        string[] extra = off ? [] : ["--http-port", "0", "--Dispatch:HttpViewerBacklog=64"];
        using var server = await ServerProcess.StartAsync(s.ServerDll, dataDir, "Manual", s.Fsync, extra: extra).ConfigureAwait(false);
        int httpPort = off ? 0 : await HttpPortAsync(server).ConfigureAwait(false);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var stopViewers = new CancellationTokenSource();
        var feeds = new List<Task<(long Messages, long Bytes)>>();
        try
        {
            await using var ticker = await DispatchClient.ConnectAsync("127.0.0.1", server.Port, "live-load ticker").ConfigureAwait(false);
            long[] couriers = await SetupAsync(ticker, s).ConfigureAwait(false);
            for (int i = 0; i < viewers; i++) feeds.Add(ReadFeedAsync(http, httpPort, stopViewers.Token));

            var connections = new LoadConnection[s.Connections];
            for (int i = 0; i < s.Connections; i++) connections[i] = await LoadConnection.ConnectAsync(server.Port, s.Window, couriers, seed: i * 7919 + 1).ConfigureAwait(false);
            var phase = new LoadPhase();
            var tickRtt = new List<double>();
            var engineTick = new List<double>();
            var tickerStop = new CancellationTokenSource();
            var tickerRun = Task.Run(() => TickerAsync(ticker, s, phase, tickRtt, engineTick, tickerStop.Token));
            try
            {
                var loads = connections.Select(c => Task.Run(() => c.RunAsync(phase))).ToArray();
                await Task.Delay(s.Warmup).ConfigureAwait(false);
                var cpu0 = Cpu(server.Process);
                phase.MeasureStart = Stopwatch.GetTimestamp();
                phase.State = 1;
                await Task.Delay(s.Duration).ConfigureAwait(false);
                phase.MeasureEnd = Stopwatch.GetTimestamp();
                phase.State = 2;
                var cpu1 = Cpu(server.Process);
                tickerStop.Cancel();
                await tickerRun.ConfigureAwait(false);
                await Task.WhenAll(loads).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                double seconds = Stopwatch.GetElapsedTime(phase.MeasureStart, phase.MeasureEnd).TotalSeconds;
                long acks = connections.Sum(c => c.MeasuredAcks);
                var lat = connections.SelectMany(c => c.Latencies.Span.ToArray()).Order().ToArray();
                double us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
                (long dropped, long lost) = off ? (0, 0) : await LiveStatsAsync(http, httpPort).ConfigureAwait(false);
                stopViewers.Cancel();
                var fed = await Task.WhenAll(feeds).ConfigureAwait(false);
                return new LiveViewRun(round, level, acks / seconds,
                    lat.Length == 0 ? double.NaN : us(Pct(lat, 0.50)), lat.Length == 0 ? double.NaN : us(Pct(lat, 0.99)),
                    tickRtt.Count, Pct(tickRtt, 0.50), Pct(tickRtt, 0.99), Pct(engineTick, 0.50), Pct(engineTick, 0.99),
                    engineTick.Count == 0 ? double.NaN : engineTick.Max(),
                    fed.Sum(f => f.Messages), fed.Sum(f => f.Bytes), dropped, lost,
                    (cpu1 - cpu0).TotalSeconds / seconds * 100);
            }
            finally
            {
                foreach (var c in connections) c.Dispose();
                tickerStop.Dispose();
            }
        }
        finally
        {
            stopViewers.Cancel();
            try { await Task.WhenAll(feeds).ConfigureAwait(false); } catch (Exception) { /* already reported or cancelled */ }
            server.Dispose();
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<long[]> SetupAsync(DispatchClient c, LiveViewLoadSettings s)
    {
        var tasks = new List<Task>();
        for (int i = 0; i < 10; i++) tasks.Add(c.AddSiteAsync(i, 1000 + 300 * i, 2000 + 150 * i));
        var couriers = new long[s.Couriers];
        for (int i = 0; i < s.Couriers; i++)
        {
            couriers[i] = 10_000 + i;
            tasks.Add(c.CourierOnShiftAsync(couriers[i], 1000 + i % 4000, 1000 + i / 4 % 4000, 0, 100_000));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return couriers;
    }

    /// <summary>Every TickEveryMs: place OrdersPerTick orders, Tick(minute) (its round trip timed), then read the engine's own time for that tick.</summary>
    private static async Task TickerAsync(DispatchClient c, LiveViewLoadSettings s, LoadPhase phase, List<double> rtt, List<double> engine, CancellationToken ct)
    {
        var rng = new Random(5);
        long nextOrder = 1;
        double minute = 1;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(s.TickEveryMs));
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var placed = new Task[s.OrdersPerTick];
                for (int i = 0; i < placed.Length; i++)
                    placed[i] = c.PlaceOrderAsync(nextOrder++, rng.Next(10), 500 + rng.Next(5000), 500 + rng.Next(5000), minute, minute + 5 + rng.Next(15));
                await Task.WhenAll(placed).ConfigureAwait(false);
                long t0 = Stopwatch.GetTimestamp();
                await c.TickAsync(minute).ConfigureAwait(false);
                double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                var m = await c.GetMetricsAsync().ConfigureAwait(false);
                if (phase.State == 1) { rtt.Add(ms); engine.Add(m.Snapshot.LastTickMs); }
                minute += 1;
            }
        }
        catch (OperationCanceledException) { }
    }

    private static async Task<(long Messages, long Bytes)> ReadFeedAsync(HttpClient http, int port, CancellationToken ct)
    {
        long messages = 0, bytes = 0;
        try
        {
            using var res = await http.GetAsync($"http://127.0.0.1:{port}/api/feed", HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            res.EnsureSuccessStatusCode();
            await using var stream = await res.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var buffer = new byte[64 * 1024];
            byte last = 0;
            while (true)
            {
                int n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n == 0) break;
                bytes += n;
                // A message ends with a blank line: count "\n\n" (across reads too).
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] == (byte)'\n' && last == (byte)'\n') messages++;
                    last = buffer[i];
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        catch (HttpRequestException) { }
        return (messages, bytes);
    }

    private static async Task<int> HttpPortAsync(ServerProcess server)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var m = LiveViewLine().Match(server.Log);
            if (m.Success) return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new TimeoutException("the server did not log its live view's port:\n" + server.Log);
    }

    private static async Task<(long Dropped, long Lost)> LiveStatsAsync(HttpClient http, int port)
    {
        string json = await http.GetStringAsync($"http://127.0.0.1:{port}/api/stats").ConfigureAwait(false);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return (doc.RootElement.GetProperty("viewersDropped").GetInt64(), doc.RootElement.GetProperty("eventsLost").GetInt64());
    }

    private static long Pct(long[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static double Pct(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static TimeSpan Cpu(Process p)
    {
        p.Refresh();
        return p.TotalProcessorTime;
    }

    private static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Row(LiveViewRun r) =>
        $"| {r.Round} | {r.Viewers} | {F(r.PositionsPerSecond, "N0")} | {F(r.PositionP50Us / 1000, "F2")} | {F(r.PositionP99Us / 1000, "F2")} | {r.Ticks} | {F(r.TickRttP50Ms, "F2")} | {F(r.TickRttP99Ms, "F2")} | {F(r.EngineTickP50Ms, "F2")} | {F(r.EngineTickP99Ms, "F2")} | {F(r.EngineTickMaxMs, "F2")} | {r.FeedMessages:N0} | {r.FeedBytes / 1024.0 / 1024:F1} | {(r.FeedMessages == 0 ? "-" : (r.FeedBytes / 1024.0 / r.FeedMessages).ToString("F1", CultureInfo.InvariantCulture))} | {r.ViewersDropped} | {r.EventsLost} | {F(r.ServerCpuPercent, "F0")}% |";

    private static string Report(List<LiveViewRun> runs, LiveViewLoadSettings s, TimeSpan wall)
    {
        var b = new StringBuilder();
        ResultPage.Header(b, "Live view under load: 0 vs 50 browsers' feeds", "bench/Dispatch.LoadTest live-view",
            string.Create(CultureInfo.InvariantCulture, $"; wall time {wall.TotalMinutes:F1} min."));
        b.AppendLine();
        b.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Each run: a fresh server (manual clock, fsync {s.Fsync}), {s.Couriers} couriers, UpdateCourierPosition on {s.Connections} connections ({s.Window} in flight each), and a ticker that every {s.TickEveryMs} ms places {s.OrdersPerTick} orders and sends Tick(next minute) (round trip timed; the engine's own time for that tick read from Metrics.lastTickMs). Warm-up {s.Warmup.TotalSeconds:0} s, measured {s.Duration.TotalSeconds:0} s. Viewers: `off` = no --http-port; `0` = the live view on, nobody watching; `N` = N SSE connections reading /api/feed as fast as they can. Levels alternate run by run ({string.Join(", ", s.ViewerLevels)}, then again), {s.Rounds} rounds."));
        b.AppendLine();
        b.AppendLine("| round | viewers | positions/s | pos p50 ms | pos p99 ms | ticks | tick RTT p50 ms | tick RTT p99 ms | engine tick p50 ms | engine tick p99 ms | engine tick max ms | feed messages (all viewers) | feed MiB | KiB per message | viewers dropped | events lost | server CPU |");
        b.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs) b.AppendLine(Row(r));
        b.AppendLine();
        b.AppendLine("Means per level (over the rounds):");
        b.AppendLine();
        b.AppendLine("| viewers | positions/s | engine tick p50 ms | engine tick p99 ms | tick RTT p50 ms | feed MiB | server CPU |");
        b.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (string level in s.ViewerLevels)
        {
            var rs = runs.Where(r => r.Viewers == level).ToArray();
            if (rs.Length == 0) continue;
            b.AppendLine($"| {level} | {F(rs.Average(r => r.PositionsPerSecond), "N0")} | {F(rs.Average(r => r.EngineTickP50Ms), "F2")} | {F(rs.Average(r => r.EngineTickP99Ms), "F2")} | {F(rs.Average(r => r.TickRttP50Ms), "F2")} | {F(rs.Average(r => r.FeedBytes / 1024.0 / 1024), "F1")} | {F(rs.Average(r => r.ServerCpuPercent), "F0")}% |");
        }
        return b.ToString();
    }
}
