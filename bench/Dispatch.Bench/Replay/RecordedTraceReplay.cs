using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dispatch.Bench.Infrastructure;
using Dispatch.Protocol;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Travel;

namespace Dispatch.Bench.Replay;

/// <summary>
/// replay-recorded &lt;trace.dispatchtrace ...&gt; [--runs N] [--out path]: replays command traces
/// recorded by the server (<c>--record</c>) into a fresh engine built with the recorded settings,
/// every command at its recorded engine time and every tick as recorded, as fast as possible. Reports
/// commands/s (time inside engine calls only; the trace is decoded before timing starts), tick latency
/// p50/p99/max and bytes allocated inside ticks. One unmeasured replay warms the JIT; figures are from
/// the fastest of N measured replays (default 5), tick percentiles over all of them. A command the
/// engine refuses is counted (the server recorded only accepted ones, so a refusal means the engine's
/// decisions changed since the recording).
/// </summary>
internal static class RecordedTraceReplay
{
    public static int Run(string[] args)
    {
        int runs = 5;
        var files = new List<string>();
        string? output = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length: runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                default: files.Add(args[i]); break;
            }
        }
        if (files.Count == 0)
        {
            Console.Error.WriteLine("usage: replay-recorded <trace.dispatchtrace ...> [--runs N] [--out path]");
            return 2;
        }
        if (runs < 1) runs = 1;
        output ??= Path.Combine(BenchPaths.ResultsDir, "replay-recorded.md");

        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Replay of recorded command traces: as fast as possible");
        md.AppendLine();
        md.AppendLine(inv, $"Machine: {Stats.Machine()}. Command: `dotnet run -c Release --project bench/Dispatch.Bench -- replay-recorded {string.Join(' ', files.Select(RepoRelative))} --runs {runs}`.");
        md.AppendLine();
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

            Result Once() => h.Travel.Equals("Haversine", StringComparison.OrdinalIgnoreCase)
                ? ReplayOnce(new HaversineMinutes(h.HaversineKmh, h.DetourFactor), OptionsFor(h), records)
                : ReplayOnce(new EuclideanCeilMinutes(h.MetersPerMinute), OptionsFor(h), records);

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
                ? string.Create(inv, $"{h.Profile}, Haversine {h.HaversineKmh} km/h x{h.DetourFactor}")
                : string.Create(inv, $"{h.Profile}, Euclidean {h.MetersPerMinute} m/min");
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
            if (best.Unsupported > 0)
            {
                exit = 1;
                Console.Error.WriteLine($"   {best.Unsupported} traffic commands not replayed (first: {best.FirstUnsupported}): this replay has no traffic model, so its decisions may differ from the recording server's");
                notes.AppendLine(inv, $"- {Path.GetFileName(file)}: {best.Unsupported} traffic commands not replayed (no traffic model in this replay); the figures are approximate.");
            }
            if (best.AllocatingTicks.Count > 0)
            {
                string where = string.Join(", ", best.AllocatingTicks.Take(20).Select(a => string.Create(inv, $"minute {a.Minute}: {a.Bytes} B")));
                Console.WriteLine($"   ticks that allocated: {best.AllocatingTicks.Count} ({where})");
                notes.AppendLine(inv, $"- {Path.GetFileName(file)}: {best.AllocatingTicks.Count} of {best.Ticks} ticks allocated ({where}).");
            }
        }
        if (notes.Length > 0)
        {
            md.AppendLine();
            md.AppendLine("Notes:");
            md.AppendLine();
            md.Append(notes);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, md.ToString());
        Console.WriteLine($"written {output}");
        return exit;
    }

    private static string RepoRelative(string path)
    {
        try { return Path.GetRelativePath(BenchPaths.RepoRoot, Path.GetFullPath(path)); }
        catch (InvalidOperationException) { return path; }
    }

    /// <summary>The engine options the recording server ran with (the server's ToDispatchOptions).</summary>
    private static DispatchOptions OptionsFor(TraceHeader h) => new()
    {
        Profile = Enum.Parse<DispatchProfile>(h.Profile, ignoreCase: true),
        PickupServiceMinutes = h.PickupServiceMinutes,
        DropoffServiceMinutes = h.DropoffServiceMinutes,
        TargetClickToDoorMinutes = h.TargetClickToDoorMinutes,
        MaxClickToDoorMinutes = h.MaxClickToDoorMinutes,
        TickIntervalMinutes = h.TickIntervalMinutes,
    };

    private sealed class Result
    {
        public double EngineSeconds;
        public long Commands;
        public int Ticks;
        public long TickAllocatedBytes;
        public int Refused;
        public string? FirstRefusal;
        public int Unsupported;
        public string? FirstUnsupported;
        public EngineCounts Counts;
        public List<double> TickMs = new();
        public List<(double Minute, long Bytes)> AllocatingTicks = new();
    }

    private static Result ReplayOnce<TTravel>(TTravel travel, DispatchOptions options, TraceRecord[] records) where TTravel : struct, ITravelTime
    {
        var engine = new DispatchEngine<TTravel>(travel, options);
        var sink = new CountingSink();
        var res = new Result { TickMs = new List<double>(records.Length) };
        long engineTicks = 0;
        for (int i = 0; i < records.Length; i++)
        {
            ref readonly var rec = ref records[i];
            var c = rec.Command;
            double now = rec.EngineTime;
            if (c.Type == MessageType.Tick)
            {
                long a0 = GC.GetAllocatedBytesForCurrentThread();
                long s0 = Stopwatch.GetTimestamp();
                try
                {
                    engine.Tick(c.T1, ref sink);
                }
                catch (DispatchException ex)
                {
                    Refuse(res, rec, ex);
                    continue;
                }
                long s1 = Stopwatch.GetTimestamp();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - a0;
                engineTicks += s1 - s0;
                res.Ticks++;
                res.TickMs.Add(Stopwatch.GetElapsedTime(s0, s1).TotalMilliseconds);
                if (allocated > 0)
                {
                    res.TickAllocatedBytes += allocated;
                    res.AllocatingTicks.Add((c.T1, allocated));
                }
            }
            else
            {
                long s0 = Stopwatch.GetTimestamp();
                try
                {
                    switch (c.Type)
                    {
                        case MessageType.AddSite: engine.AddSite(c.Id, c.X, c.Y); break;
                        case MessageType.PlaceOrder: engine.PlaceOrder(new OrderRequest(c.Id, c.Other, c.X, c.Y, c.T1, c.T2, c.Count), now); break;
                        case MessageType.ChangeReadyTime: engine.ChangeReadyTime(c.Id, c.T1, now); break;
                        case MessageType.CancelOrder: engine.CancelOrder(c.Id, now); break;
                        case MessageType.CourierOnShift: engine.CourierOnShift(new CourierShift(c.Id, c.X, c.Y, c.T1, c.T2, c.Count), now); break;
                        case MessageType.CourierOffShift: engine.CourierOffShift(c.Id, now); break;
                        case MessageType.UpdateCourierPosition: engine.UpdateCourierPosition(c.Id, c.X, c.Y, now); break;
                        case MessageType.ConfirmPickup: engine.ConfirmPickup(c.Id, c.T1); break;
                        case MessageType.ConfirmDropoff: engine.ConfirmDropoff(c.Id, c.T1); break;
                        case MessageType.AddCongestionZone:
                        case MessageType.AddClosure:
                        case MessageType.SetCitywideFactor:
                            // This replay drives a plain travel rule: a traffic command would make it diverge
                            // from the recording server, so it is counted and the run reported as approximate.
                            res.Unsupported++;
                            res.FirstUnsupported ??= string.Create(CultureInfo.InvariantCulture, $"{c.Type} at engine time {rec.EngineTime}");
                            continue;
                        default: continue; // not an engine event: the server records none, a later version might
                    }
                }
                catch (DispatchException ex)
                {
                    Refuse(res, rec, ex);
                    continue;
                }
                engineTicks += Stopwatch.GetTimestamp() - s0;
            }
            res.Commands++;
        }
        res.EngineSeconds = (double)engineTicks / Stopwatch.Frequency;
        res.Counts = engine.Counts;
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
