using System.Diagnostics;
using System.Text;
using Dispatch.Simulator.Mdrp;

namespace Dispatch.Bench.Replay;

/// <summary>
/// replay-speed [instance-dir ...] [--runs N] [--out path]: replays whole traces as fast as possible
/// (no clock: the next event is applied as soon as the previous one returns) and reports the engine's
/// throughput and tick latency. Only engine calls are timed (placements, confirmations, shifts, sites,
/// ticks); the event queue of the simulated world is not. One unmeasured replay warms the JIT first;
/// figures are from the fastest of N measured replays (default 5), tick percentiles over all of them.
/// </summary>
internal static class ReplaySpeed
{
    public static int Run(string[] args)
    {
        var (dirs, runs, output) = ReplayCommandLine.Read(args, "replay-speed.md");
        if (dirs.Count == 0) dirs.Add(BenchPaths.Instance(BenchPaths.LargestTrace));

        var inv = CultureInfo.InvariantCulture;
        var md = ResultsPage.Start("Replay speed: whole traces through the engine as fast as possible",
            string.Create(inv, $"replay-speed {string.Join(' ', dirs.Select(Path.GetFileName))} --runs {runs}"));
        md.AppendLine("Commands = engine calls (sites, shifts, placements, pickup and drop-off confirmations, ticks); only the time inside engine calls counts. Tick latency over every tick of every measured run. Allocated = bytes allocated inside Tick calls (the sink included) over a whole measured replay.");
        md.AppendLine();
        md.AppendLine("| trace | orders | commands | ticks | engine time | commands/s | tick p50 | tick p99 | tick max | allocated in ticks | delivered |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        var notes = new StringBuilder();
        foreach (var dir in dirs)
        {
            var instance = MdrpInstance.Load(dir);
            Replay(instance, new List<double>(), out _, out _, out _); // warm-up: JIT, tiering
            var allTicks = new List<double>();
            double best = double.PositiveInfinity;
            long commands = 0, allocated = 0;
            int delivered = 0;
            List<(double Minute, long Bytes)> allocating = [];
            for (int r = 0; r < runs; r++)
            {
                var driver = Replay(instance, allTicks, out double engineSeconds, out long cmds, out long alloc);
                if (engineSeconds < best) best = engineSeconds;
                commands = cmds;
                allocated = Math.Max(allocated, alloc);
                delivered = driver.Engine.Counts.Delivered;
                allocating = driver.AllocatingTicks;
            }
            var sorted = allTicks.ToArray();
            Array.Sort(sorted);
            int ticksPerRun = sorted.Length / runs;
            double p50 = Stats.Percentile(sorted, 50), p99 = Stats.Percentile(sorted, 99), max = sorted[^1];
            string line = string.Create(inv,
                $"| {instance.Name} | {instance.Orders.Length} | {commands:N0} | {ticksPerRun} | {best * 1000:F1} ms | {commands / best:N0} | {p50 * 1000:F1} µs | {p99 * 1000:F1} µs | {max * 1000:F1} µs | {allocated:N0} B | {delivered} |");
            Console.WriteLine(line);
            md.AppendLine(line);
            if (allocating.Count > 0)
            {
                string where = string.Join(", ", allocating.Select(a => string.Create(inv, $"minute {a.Minute}: {a.Bytes} B")));
                Console.WriteLine($"   ticks that allocated: {allocating.Count} ({where})");
                notes.AppendLine(inv, $"- {instance.Name}: {allocating.Count} of {ticksPerRun} ticks allocated ({where}).");
            }
        }
        if (notes.Length > 0) ResultsPage.AppendNotes(md, "Ticks that allocated (buffers growing to a new working size inside the tick):", notes);
        ResultsPage.Write(output, md.ToString());
        Console.WriteLine($"written {output}");
        return 0;
    }

    private static TraceDriver Replay(MdrpInstance instance, List<double> ticks, out double engineSeconds, out long commands, out long tickAllocated)
    {
        var driver = new TraceDriver(instance) { TickMilliseconds = ticks, MeasureEngine = true };
        driver.Run();
        engineSeconds = (double)driver.EngineTimestampTicks / Stopwatch.Frequency;
        commands = driver.Commands;
        tickAllocated = driver.TickAllocatedBytes;
        return driver;
    }
}
