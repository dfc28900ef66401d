using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dispatch.Fuzzing;

namespace Dispatch.LoadTest;

internal sealed record FuzzRunSettings(string ServerDll, long Frames, int Seed, int Connections, int KillerLoops, int Window, string Fsync, string OutPath, bool Tls = false);

/// <summary>
/// `fuzz`: the FuzzTests bad-frame generator at scale against the real server as a child process,
/// then the same post-check (a valid client places a site, a courier and an order and reads them back). With
/// <c>--tls true</c> the server runs with a certificate made for the run and every connection speaks TLS.
/// </summary>
internal static class FuzzRun
{
    private const int MaxFrameBytes = 65536; // the server's default

    public static async Task<int> RunAsync(FuzzRunSettings s)
    {
        string dataDir = Path.Combine(Path.GetTempPath(), "dispatch-fuzz", Guid.NewGuid().ToString("N"));
        using var tls = s.Tls ? new LoadTls() : null;
        var client = tls is null ? null : new FuzzClient((inner, _) => tls.WrapAsync(inner), null, tls.ClientOptions("fuzz-post-check"));
        using var server = await ServerProcess.StartAsync(s.ServerDll, dataDir, "Manual", s.Fsync, extra: tls?.ServerArgs).ConfigureAwait(false);
        Console.WriteLine($"server pid {server.Pid} on 127.0.0.1:{server.Port}, fsync {s.Fsync}, TLS {(s.Tls ? "on" : "off")}, seed {s.Seed}; sending {s.Frames:N0} bad frames on {s.Connections} connections, {s.KillerLoops} killer loops");
        try
        {
            var cpu0 = server.Process.TotalProcessorTime;
            var self0 = Process.GetCurrentProcess().TotalProcessorTime;
            var result = await BadFrameFuzzer.RunAsync(new FuzzSettings(server.Port, s.Frames, s.Seed, s.Connections, s.KillerLoops, s.Window, MaxFrameBytes, client)).ConfigureAwait(false);
            server.Process.Refresh();
            double serverCpu = (server.Process.TotalProcessorTime - cpu0).TotalSeconds / result.Elapsed.TotalSeconds * 100;
            double selfCpu = (Process.GetCurrentProcess().TotalProcessorTime - self0).TotalSeconds / result.Elapsed.TotalSeconds * 100;
            bool alive = !server.Process.HasExited;
            const long idBase = 9_000_000_000;
            PostCheck? check = null;
            List<string> problems;
            if (!alive) problems = ["the server process exited"];
            else
            {
                check = await BadFrameFuzzer.CheckServerAsync(server.Port, idBase, client?.Options).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                problems = BadFrameFuzzer.Problems(check, idBase, s.Frames);
            }
            if (result.Replies != result.KeepOpenFrames) problems.Add($"{result.KeepOpenFrames} frames but {result.Replies} replies");

            string report = Report(s, result, check, problems, serverCpu, selfCpu, server.Log);
            await ResultPage.PublishAsync(report, s.OutPath).ConfigureAwait(false);
            return problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            server.Dispose();
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    private static string Report(FuzzRunSettings s, FuzzResult r, PostCheck? check, List<string> problems, double serverCpu, double selfCpu, string serverLog)
    {
        var inv = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        ResultPage.Header(b, "Sidecar server fuzz: bad frames at scale", "bench/Dispatch.LoadTest fuzz");
        b.AppendLine(string.Create(inv, $"Server: Release build as a child process on 127.0.0.1, clock Manual, fsync {s.Fsync}, MaxFrameBytes {MaxFrameBytes}, TLS {(s.Tls ? "on (every connection)" : "off")}, fresh data directory. Seed {s.Seed}."));
        b.AppendLine();
        b.AppendLine("The generator is `tests/Dispatch.Server.Tests/Fuzz/BadFrameFuzzer.cs` (the same code as the `FuzzTests` test at 100,000 frames):");
        b.AppendLine(string.Create(inv, $"{s.Connections} connections stay open and pipeline well-framed bad messages {s.Window} at a time, reading every reply (unknown type tags, random and truncated MessagePack, wrong field types and counts, NaN / infinite / negative / unknown-id engine events, a second Hello, oversized integers, flipped payload bytes);"));
        b.AppendLine(string.Create(inv, $"{s.KillerLoops} loops meanwhile open connections that send what must close them (oversized and zero length prefixes, random bytes, engine events before Hello, a wrong protocol version, half frames then an abrupt (RST) or clean close), and check the closing error on a quarter of them."));
        b.AppendLine();
        b.AppendLine("| | |");
        b.AppendLine("|---|---:|");
        b.AppendLine(string.Create(inv, $"| bad frames on open connections | {r.KeepOpenFrames:N0} |"));
        b.AppendLine(string.Create(inv, $"| replies read (one per frame) | {r.Replies:N0} |"));
        b.AppendLine(string.Create(inv, $"| of which errors | {r.ErrorReplies:N0} |"));
        b.AppendLine(string.Create(inv, $"| connection-killing connections / frames / closes checked | {r.KillerConnections:N0} / {r.KillerFrames:N0} / {r.KillerCloseChecks:N0} |"));
        b.AppendLine(string.Create(inv, $"| time | {r.Elapsed.TotalSeconds:F1} s |"));
        b.AppendLine(string.Create(inv, $"| bad frames/s (open connections) | {r.KeepOpenFrames / r.Elapsed.TotalSeconds:N0} |"));
        b.AppendLine(string.Create(inv, $"| server CPU / fuzzer CPU (% of one core) | {serverCpu:F0}% / {selfCpu:F0}% |"));
        if (check is not null) b.AppendLine(string.Create(inv, $"| server frames in (Metrics) | {check.Metrics.FramesIn:N0} |"));
        b.AppendLine();
        b.AppendLine("Error replies by code: " + string.Join(", ", r.ErrorCodes.OrderBy(kv => kv.Key).Select(kv => string.Create(inv, $"{kv.Key} {kv.Value:N0}"))) + ".");
        foreach (var m in r.InternalErrors.Distinct()) b.AppendLine($"- Internal error text: `{m}`");
        b.AppendLine();
        b.AppendLine("## Post-check");
        b.AppendLine();
        if (check is not null)
        {
            b.AppendLine(string.Create(inv, $"- counts before: known {check.Before.Known}, open {check.Before.Open}, assigned {check.Before.Assigned}, couriers {check.Before.Couriers}"));
            b.AppendLine(string.Create(inv, $"- counts after placing one site, courier and order: known {check.After.Known}, open {check.After.Open}, assigned {check.After.Assigned}, couriers {check.After.Couriers}"));
            b.AppendLine($"- order reads back as {check.Order.Status}, courier known {check.Courier.Known}, on shift {check.Courier.OnShift}");
        }
        b.AppendLine(problems.Count == 0 ? "- **server alive and correct**" : "- **PROBLEMS**: " + string.Join("; ", problems));
        // Console logger: "fail: Category[0]" then the message and the exception on the next lines.
        var lines = serverLog.Split('\n');
        var interesting = new List<string>();
        for (int i = 0; i < lines.Length && interesting.Count < 30; i++)
            if (lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal))
                interesting.AddRange(lines.Skip(i).Take(5));
        if (interesting.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("Server error log lines (the first few, with the start of their exception):");
            b.AppendLine();
            b.AppendLine("```");
            foreach (var l in interesting) b.AppendLine(l.TrimEnd());
            b.AppendLine("```");
        }
        return b.ToString();
    }
}
