using System.Diagnostics;
using Dispatch.Bench.General;

namespace Dispatch.Bench.Micro;

/// <summary>
/// <c>quote-cost</c>: what a promise quote costs at city scale, timed without BenchmarkDotNet so two builds can be
/// alternated on a shared machine. Per snapshot (built as the tick benchmarks build it: every open order placed at the
/// snapshot minute, so every placement quoted): the build's placement phase; read-only quotes (<c>QuoteDropoff</c>) at
/// random sites, drop-offs and ready times; placements of new orders at the same minute (each quotes and records its
/// promise); then the same after a tick (which changes couriers and open orders, so nothing carried over from before it
/// may be used); median and p90 of wall time and median of the thread's CPU time per call. A fingerprint of every quoted
/// and recorded promise (FNV-1a over their bits) shows whether two builds quote alike.
/// </summary>
internal static class QuoteCost
{
    public static int Run(string[] args)
    {
        string[] names = ["city-10000", "city-50000"];
        int quotes = 400, placements = 200;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--snapshots": names = args[++i].Split(','); break;
                case "--quotes": quotes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--placements": placements = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        Console.WriteLine($"quote-cost: {quotes} quotes and {placements} placements per phase; {Stats.Machine()}");
        GeneralTickTiming.ThreadCpuMs(); // its P/Invoke stub is built here, outside the measurements
        foreach (var name in names)
        {
            var snap = SnapshotBuilder.ByName(name);
            Console.WriteLine($"// snapshot {snap}");
            long b0 = Stopwatch.GetTimestamp();
            var engine = snap.BuildEngine(SnapshotMode.AsIs);
            double buildMs = Stopwatch.GetElapsedTime(b0).TotalMilliseconds;
            Console.WriteLine($"{name}: build {buildMs:0} ms ({buildMs / snap.Orders.Length * 1000:0} us per placed order, placements included); " +
                $"managed heap {GC.GetTotalMemory(forceFullCollection: true) / 1e6:0.0} MB; load {Load()}");
            var rng = new Random(7);
            ulong hash = 14695981039346656037UL;
            long nextId = 1L << 40;
            Measure(name, "quote", engine, snap, rng, quotes, ref hash, ref nextId, place: false);
            Measure(name, "placement", engine, snap, rng, placements, ref hash, ref nextId, place: true);
            var sink = new NullSink();
            engine.Tick(snap.Now, ref sink);
            Console.WriteLine($"{name}: tick at {snap.Now}: {sink.Assignments} assignments, {engine.Counts.Open} open after");
            Measure(name, "quote after tick", engine, snap, rng, quotes, ref hash, ref nextId, place: false);
            Measure(name, "placement after tick", engine, snap, rng, placements, ref hash, ref nextId, place: true);
            Console.WriteLine($"{name}: fingerprint {hash:x16}; managed heap {GC.GetTotalMemory(forceFullCollection: true) / 1e6:0.0} MB; load {Load()}");
        }
        return 0;
    }

    private static void Measure(string name, string what, DispatchEngine<EuclideanCeilMinutes> engine, Snapshot snap, Random rng, int n,
        ref ulong hash, ref long nextId, bool place)
    {
        var wall = new double[n];
        var cpu = new double[n];
        int sites = snap.SiteX.Length;
        for (int i = 0; i < n; i++)
        {
            int s = rng.Next(sites);
            double x = Math.Round(snap.SiteX[s] + (rng.NextDouble() - 0.5) * 4000), y = Math.Round(snap.SiteY[s] + (rng.NextDouble() - 0.5) * 4000);
            double ready = snap.Now + rng.Next(30);
            double promise;
            double c0 = GeneralTickTiming.ThreadCpuMs();
            long t0 = Stopwatch.GetTimestamp();
            if (place)
            {
                long id = nextId++;
                engine.PlaceOrder(new OrderRequest(id, s, x, y, snap.Now, ready), snap.Now);
                wall[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                cpu[i] = GeneralTickTiming.ThreadCpuMs() - c0;
                promise = engine.TryGetPromise(id, out var p) ? p.FirstPromised + p.PointEstimate * 1e-6 : double.NaN;
            }
            else
            {
                promise = engine.QuoteDropoff(s, x, y, ready, snap.Now);
                wall[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                cpu[i] = GeneralTickTiming.ThreadCpuMs() - c0;
            }
            hash = (hash ^ (ulong)BitConverter.DoubleToInt64Bits(promise)) * 1099511628211UL;
        }
        Array.Sort(wall);
        Array.Sort(cpu);
        Console.WriteLine($"{name}: {what,-22} wall median {Stats.Percentile(wall, 50) * 1000,8:0.0} us p90 {Stats.Percentile(wall, 90) * 1000,8:0.0} us " +
            $"max {wall[^1] * 1000,8:0.0} us; cpu median {Stats.Percentile(cpu, 50) * 1000,8:0.0} us mean {cpu.Average() * 1000,8:0.0} us");
    }

    private static string Load()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); }
        catch (IOException) { return "?"; }
    }
}
