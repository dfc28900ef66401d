using System.Diagnostics;
using System.Text;
using Dispatch.Protocol;
using Dispatch.Hosting;

namespace Dispatch.Bench.Replay;

/// <summary>
/// replay-recorded &lt;trace.dispatchtrace ...&gt; [--runs N] [--out path]: replays command traces
/// recorded by the server (<c>--record</c>) into a fresh engine built with the recorded settings,
/// every command at its recorded engine time and every tick as recorded, as fast as possible. Reports
/// commands/s (time inside engine calls only; the trace is decoded before timing starts), tick latency
/// p50/p99/max and bytes allocated inside ticks. One unmeasured replay warms the JIT; figures are from
/// the fastest of N measured replays (default 5), tick percentiles over all of them. Commands go through
/// the server's own command router (<see cref="EngineDriver{TTravel}"/>) over a traffic picture with the
/// recorded grid, so traffic commands replay exactly as the server applied them. A command the engine
/// refuses is counted (the server recorded only accepted ones, so a refusal means the engine's
/// decisions changed since the recording).
/// </summary>
internal static class RecordedTraceReplay
{
    public static int Run(string[] args)
    {
        var (files, runs, output) = ReplayCommandLine.Read(args, "replay-recorded.md");
        if (files.Count == 0)
        {
            Console.Error.WriteLine("usage: replay-recorded <trace.dispatchtrace ...> [--runs N] [--out path]");
            return 2;
        }
        if (runs < 1) runs = 1;

        var inv = CultureInfo.InvariantCulture;
        var md = ResultsPage.Start("Replay of recorded command traces: as fast as possible",
            string.Create(inv, $"replay-recorded {string.Join(' ', files.Select(RepoRelative))} --runs {runs}"));
        md.AppendLine("The trace is decoded first; only the time inside engine calls counts (every recorded command, ticks included, applied at its recorded engine time). Tick latency over every tick of every measured run; figures from the fastest run. Allocated = bytes allocated on the thread inside Tick calls (the sink included) over a whole replay: the zero-allocation claim on a real server trace.");
        md.AppendLine();
        md.AppendLine("| trace | settings | commands | ticks | engine time | commands/s | tick p50 | tick p99 | tick max | allocated in ticks | refused | placed / delivered |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        int exit = 0;
        var notes = new StringBuilder();
        foreach (var file in files)
        {
            TraceContents trace;
            try
            {
                trace = CommandTraceReader.ReadAll(file);
            }
            catch (Exception ex) when (ex is TraceFormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
            if (trace.Problem is not null)
            {
                Console.Error.WriteLine($"warning: {trace.Problem}; replaying the {trace.Records.Count} intact records");
                notes.AppendLine(inv, $"- {Path.GetFileName(file)}: {trace.Problem} (the {trace.Records.Count} intact records were replayed).");
            }
            var h = trace.Header;
            if (h.PriorRecords > 0)
            {
                Console.Error.WriteLine($"warning: recording started after {h.PriorRecords} journal records; the engine starts empty here, so commands about earlier state will be refused");
                notes.AppendLine(inv, $"- {Path.GetFileName(file)}: recorded after {h.PriorRecords} journal records (not self-contained).");
            }
            var records = trace.Records.ToArray();

            TrafficSettings traffic;
            DispatchOptions engineOptions;
            try
            {
                traffic = TrafficSettings.FromText(h.TrafficBounds, h.TrafficCellSize, h.ClosureDetourMinutes);
                engineOptions = TraceEngineSettings.OptionsFrom(h);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"error: {file}: {ex.Message}");
                return 1;
            }
            Result Once() => h.Travel.Equals("Haversine", StringComparison.OrdinalIgnoreCase)
                ? ReplayOnce(new HaversineMinutes(h.HaversineKmh, h.DetourFactor), engineOptions, traffic, ConfirmationTolerance.Minutes(h.Clock, h.ClockRate), records)
                : ReplayOnce(new EuclideanCeilMinutes(h.MetersPerMinute), engineOptions, traffic, ConfirmationTolerance.Minutes(h.Clock, h.ClockRate), records);

            Once(); // warm-up: JIT, tiering
            var allTicks = new List<double>();
            Result? best = null;
            long allocated = 0;
            for (int r = 0; r < runs; r++)
            {
                var res = Once();
                allTicks.AddRange(res.TickMs);
                if (best is null || res.EngineSeconds < best.EngineSeconds) best = res;
                allocated = Math.Max(allocated, res.TickAllocatedBytes);
            }
            if (best is null) continue;
            var sorted = allTicks.ToArray();
            Array.Sort(sorted);
            double p50 = Stats.Percentile(sorted, 50), p99 = Stats.Percentile(sorted, 99), max = sorted.Length > 0 ? sorted[^1] : double.NaN;
            string settings = h.Travel.Equals("Haversine", StringComparison.OrdinalIgnoreCase)
                ? string.Create(inv, $"{engineOptions.Profile}, Haversine {h.HaversineKmh} km/h x{h.DetourFactor}")
                : string.Create(inv, $"{engineOptions.Profile}, Euclidean {h.MetersPerMinute} m/min");
            string line = string.Create(inv,
                $"| {Path.GetFileName(file)} | {settings} | {best.Commands:N0} | {best.Ticks:N0} | {best.EngineSeconds * 1000:F1} ms | {best.Commands / best.EngineSeconds:N0} | {p50 * 1000:F1} µs | {p99 * 1000:F1} µs | {max * 1000:F1} µs | {allocated:N0} B | {best.Refused} | {best.Counts.Known} / {best.Counts.Delivered} |");
            Console.WriteLine(line);
            md.AppendLine(line);
            if (best.Refused > 0)
            {
                exit = 1;
                Console.Error.WriteLine($"   {best.Refused} recorded commands refused; first: {best.FirstRefusal}");
                notes.AppendLine(inv, $"- {Path.GetFileName(file)}: {best.Refused} recorded commands refused by this engine (first: {best.FirstRefusal}); its decisions differ from the recording server's.");
            }
            if (best.AllocatingTicks.Count > 0)
            {
                string where = string.Join(", ", best.AllocatingTicks.Take(20).Select(a => string.Create(inv, $"minute {a.Minute}: {a.Bytes} B")));
                Console.WriteLine($"   ticks that allocated: {best.AllocatingTicks.Count} ({where})");
                notes.AppendLine(inv, $"- {Path.GetFileName(file)}: {best.AllocatingTicks.Count} of {best.Ticks} ticks allocated ({where}).");
            }
        }
        if (notes.Length > 0) ResultsPage.AppendNotes(md, "Notes:", notes);
        ResultsPage.Write(output, md.ToString());
        Console.WriteLine($"written {output}");
        return exit;
    }

    private static string RepoRelative(string path)
    {
        try { return Path.GetRelativePath(BenchPaths.RepoRoot, Path.GetFullPath(path)); }
        catch (InvalidOperationException) { return path; }
    }

    private sealed class Result
    {
        public double EngineSeconds;
        public long Commands;
        public int Ticks;
        public long TickAllocatedBytes;
        public int Refused;
        public string? FirstRefusal;
        public EngineCounts Counts;
        public List<double> TickMs = new();
        public List<(double Minute, long Bytes)> AllocatingTicks = new();
    }

    private static Result ReplayOnce<TTravel>(TTravel travel, DispatchOptions options, TrafficSettings traffic, double confirmationTolerance,
        TraceRecord[] records) where TTravel : struct, ITravelTime
    {
        // The recording server's slack for confirmations ahead of its clock, so what it accepted replays accepted.
        var driver = new EngineDriver<TTravel>(travel, options, new TrafficPicture(traffic), confirmationTolerance);
        var sink = new CountingSink();
        var res = new Result { TickMs = new List<double>(records.Length) };
        long engineTicks = 0;
        for (int i = 0; i < records.Length; i++)
        {
            ref readonly var rec = ref records[i];
            var c = rec.Command;
            // The server records engine events and ticks only; anything else (a later version's) is not replayed.
            if (!c.IsEngineEvent) continue;
            bool tick = c.Type == MessageType.Tick;
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            long s0 = Stopwatch.GetTimestamp();
            try
            {
                driver.Route(c, rec.EngineTime, ref sink, null);
            }
            catch (DispatchException ex)
            {
                Refuse(res, rec, ex);
                continue;
            }
            long s1 = Stopwatch.GetTimestamp();
            engineTicks += s1 - s0;
            res.Commands++;
            if (!tick) continue;
            // Allocation is measured around ticks only: the zero-allocation claim is the tick's.
            long allocated = GC.GetAllocatedBytesForCurrentThread() - a0;
            res.Ticks++;
            res.TickMs.Add(Stopwatch.GetElapsedTime(s0, s1).TotalMilliseconds);
            if (allocated > 0)
            {
                res.TickAllocatedBytes += allocated;
                res.AllocatingTicks.Add((c.T1, allocated));
            }
        }
        res.EngineSeconds = (double)engineTicks / Stopwatch.Frequency;
        res.Counts = driver.Counts;
        return res;
    }

    private static void Refuse(Result res, in TraceRecord rec, DispatchException ex)
    {
        res.Refused++;
        res.FirstRefusal ??= string.Create(CultureInfo.InvariantCulture, $"{rec.Command.Type} at engine time {rec.EngineTime}: {ex.Message}");
    }

    /// <summary>Counts decisions; a struct, so the tick is specialised for it as for the server's sink.</summary>
    private struct CountingSink : IAssignmentSink
    {
        public int Assignments, PlanChanges;

        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => Assignments++;

        public void OnPlanChange(in PlanChange change) => PlanChanges++;
    }
}
