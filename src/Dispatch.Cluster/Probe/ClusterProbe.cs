using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Dispatch.Cluster.Grains;
using Dispatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Dispatch.Cluster.Probe;

/// <summary>
/// <c>Dispatch.Cluster probe</c>: an Orleans client that finds a running cluster through its Redis and, in every region
/// it names, adds a site and a courier inside the region, places an order, ticks until it is assigned and prints where
/// the region runs; then sends <c>--updates N</c> courier position updates per region (one region at a time, and all
/// regions at once) and prints the acknowledged rate and latency. The smoke test of samples/cluster/start-local.sh, and
/// the figures in docs/cluster.md. Until the TCP edge exists, this is how a client reaches the regions.
/// </summary>
public static class ClusterProbe
{
    /// <summary>True when the arguments ask for the probe.</summary>
    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == "probe";

    /// <summary>Runs the probe; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string redis = Option(args, "--redis") ?? "127.0.0.1:6379";
        string clusterId = Option(args, "--cluster-id") ?? "dispatch";
        int updates = int.Parse(Option(args, "--updates") ?? "2000", CultureInfo.InvariantCulture);
        var regions = (Option(args, "--regions") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var points = (Option(args, "--points") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (regions.Length == 0 || points.Length != regions.Length)
        {
            output.WriteLine("usage: Dispatch.Cluster probe --redis HOST:PORT [--cluster-id ID] --regions a,b,... --points \"x y;x y;...\" [--updates N]");
            output.WriteLine("  --points: one point inside each region (engine coordinates), where the probe puts its site and courier");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(c =>
        {
            c.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = "dispatch"; });
            c.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
        });
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IClusterClient>();
        long run = DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000 * 1000; // fresh ids on every run against the same regions

        var probes = new (string Region, long Courier, double X, double Y)[regions.Length];
        for (int i = 0; i < regions.Length; i++)
        {
            var xy = points[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            if (xy.Length != 2) throw new ArgumentException($"--points: '{points[i]}' is not 'x y'");
            probes[i] = (regions[i], run + i, xy[0], xy[1]);
            var g = client.GetGrain<IRegionGrain>(regions[i]);
            var before = await g.Status();
            double t = Math.Ceiling(before.Now) + 1;
            long id = run + i;
            Expect(await Send(g, Command.AddSite(1, id, xy[0], xy[1])), regions[i]);
            Expect(await Send(g, Command.CourierOnShift(2, id, xy[0] + 50, xy[1], t, t + 600, 4)), regions[i]);
            Expect(await Send(g, Command.PlaceOrder(3, id, id, xy[0] + 400, xy[1] + 300, t, t + 1)), regions[i]);
            int pushes = 0;
            for (int k = 0; k < 10 && pushes == 0; k++)
                pushes = (await Send(g, Command.Tick(4, t + k))).Count(m => m is AssignmentMessage);
            var s = await g.Status();
            output.WriteLine($"region {s.Region}: silo {s.Silo}, journal at {s.Sequence} (snapshot {s.SnapshotSequence}), {s.Orders} orders, {s.Couriers} couriers, " +
                             $"clock {s.Now:F0} min; probe order {id} {(pushes > 0 ? "assigned" : "NOT assigned")}");
        }

        if (updates > 0)
        {
            foreach (var p in probes)
                output.WriteLine($"  {p.Region}: " + await Measure(client, [p], updates));
            output.WriteLine($"  all {regions.Length} regions at once: " + await Measure(client, probes, updates));
        }
        await host.StopAsync();
        return 0;
    }

    /// <summary>Position updates of the probe's courier, one outstanding request per region: acknowledged per second, p50/p99 latency.</summary>
    private static async Task<string> Measure(IClusterClient client, (string Region, long Courier, double X, double Y)[] probes, int updates)
    {
        var latencies = new double[probes.Length * updates];
        long started = Stopwatch.GetTimestamp();
        await Task.WhenAll(probes.Select(async (p, i) =>
        {
            var g = client.GetGrain<IRegionGrain>(p.Region);
            for (int k = 0; k < updates; k++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Expect(await Send(g, Command.UpdateCourierPosition((uint)k + 1, p.Courier, p.X + k % 100, p.Y)), p.Region);
                latencies[i * updates + k] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        }));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(latencies);
        return string.Create(CultureInfo.InvariantCulture,
            $"{latencies.Length} position updates in {seconds:F2} s: {latencies.Length / seconds:F0}/s, p50 {latencies[latencies.Length / 2]:F2} ms, p99 {latencies[(int)(latencies.Length * 0.99)]:F2} ms");
    }

    private static async Task<List<ServerMessage>> Send(IRegionGrain g, Command c)
    {
        var frames = new ReadOnlySequence<byte>(await g.Execute(Payload(c)));
        var list = new List<ServerMessage>();
        while (FrameReader.TryReadFrame(ref frames, int.MaxValue, out var payload, out _) == FrameStatus.Frame) list.Add(ReplyCodec.Read(payload));
        return list;
    }

    private static void Expect(List<ServerMessage> answer, string region)
    {
        if (answer.LastOrDefault() is ErrorMessage e) throw new InvalidOperationException($"region {region}: {e.Code}: {e.Message}");
    }

    private static byte[] Payload(in Command c)
    {
        var b = new FrameBuffer();
        CommandCodec.WriteFrame(b, c);
        return b.WrittenSpan[ProtocolConstants.HeaderBytes..].ToArray();
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
