using System.Diagnostics;
using Dispatch.Bench.General;

namespace Dispatch.Bench.Micro;

/// <summary>
/// <c>tick-timing</c>: the MDRP tick at scale, timed without BenchmarkDotNet so a change can be judged in a
/// few minutes on a shared machine. Per snapshot: the planning-only tick repeated (median and p90 of wall
/// and of the thread's CPU time, which on a machine shared with other jobs does not count waiting for a
/// core; and the process's CPU, which adds the fill lane's work on the second core), then the real tick on a
/// fresh engine (once, or <c>--commit-runs N</c> times, each on an engine loaded afresh and warmed: median and
/// thread CPU), with a fingerprint of what it committed (courier and stop sequence of every assignment) so two
/// builds can be shown to decide alike; every run must give the same fingerprint.
/// <para>The measured ticks come after <c>--warmup N</c> unmeasured ones (default 60), so the figures are the steady
/// state a server ticking every minute runs in. The runtime compiles a method first without optimization and
/// recompiles it optimized (with profile-guided layout) after about 30 calls, on a background thread: the methods a
/// tick calls once (the planner's steps) are optimized only after some 30 ticks, and the recompilation competes
/// with the fill lane for the second core. With 3 warm-up ticks, as before 2026-12-02, the 10k tick's first measured
/// ticks ran 26-64 ms and settled at 17-21 ms after 30-60 (bench/results/tick.md); <c>--sequence</c> prints every
/// measured tick's time in order, to see that settling.</para>
/// </summary>
internal static class TickTiming
{
    public static int Run(string[] args)
    {
        string[] names = ["city-10000", "city-50000"];
        int runs = 21, commitRuns = 1, warmup = 60;
        bool secondCore = true, sequence = false;
        string? cache = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--snapshots": names = args[++i].Split(','); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--commit-runs": commitRuns = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--sequence": sequence = true; break;
                case "--no-lane": secondCore = false; break; // single-thread reference (DispatchOptions.UseSecondCore off)
                case "--cache": cache = args[++i]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        Console.WriteLine($"tick-timing: {runs} planning-only ticks per snapshot after {warmup} unmeasured; {Stats.Machine()}");
        GeneralTickTiming.ThreadCpuMs(); // its P/Invoke stub is built here, outside the measurements
        foreach (var name in names)
        {
            var snap = SnapshotBuilder.ByName(name);
            Console.WriteLine($"// snapshot {snap}");
            var options = snap.EngineOptions() with { UseSecondCore = secondCore };
            var engine = Build(snap, SnapshotMode.PlanningOnly, options, cache);
            double[] wall = new double[runs], cpu = new double[runs], proc = new double[runs];
            for (int r = -warmup; r < runs; r++)
            {
                var sink = new NullSink();
                long t0 = Stopwatch.GetTimestamp();
                double c0 = GeneralTickTiming.ThreadCpuMs(), p0 = GeneralTickTiming.ProcessCpuMs();
                engine.Tick(snap.Now, ref sink);
                double c = GeneralTickTiming.ThreadCpuMs() - c0, p = GeneralTickTiming.ProcessCpuMs() - p0;
                double w = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (sink.Assignments != 0) throw new InvalidOperationException($"{name}: a planning-only tick committed {sink.Assignments}");
                if (r >= 0) { wall[r] = w; cpu[r] = c; proc[r] = p; }
            }
            if (sequence) Console.WriteLine($"{name}: planning-only wall ms in order: {string.Join(' ', Array.ConvertAll(wall, w => w.ToString("0.0", CultureInfo.InvariantCulture)))}");
            Array.Sort(wall);
            Array.Sort(cpu);
            Array.Sort(proc);

            // The tick with commits changes the state, so each run takes an engine loaded afresh (not measured) and
            // warmed as TickCommitBenchmarks does; every run must commit the same (determinism across runs).
            double[] commitWall = new double[Math.Max(1, commitRuns)], commitCpu = new double[commitWall.Length];
            var fp = new FingerprintSink();
            for (int r = 0; r < commitWall.Length; r++)
            {
                var real = Build(snap, SnapshotMode.AsIs, options, cache);
                snap.WarmUp(real);
                var run = new FingerprintSink();
                long t1 = Stopwatch.GetTimestamp();
                double c1 = GeneralTickTiming.ThreadCpuMs();
                real.Tick(snap.Now, ref run);
                commitCpu[r] = GeneralTickTiming.ThreadCpuMs() - c1;
                commitWall[r] = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
                if (r > 0 && (run.Hash != fp.Hash || run.Assignments != fp.Assignments))
                    throw new InvalidOperationException($"{name}: run {r} of the tick with commits committed differently ({run.Assignments}, {run.Hash:x16} against {fp.Assignments}, {fp.Hash:x16})");
                fp = run;
            }
            Array.Sort(commitWall);
            Array.Sort(commitCpu);
            string commits = commitWall.Length == 1
                ? $"with commits {commitWall[0]:0.0} ms"
                : $"with commits ({commitWall.Length} runs) wall median {Stats.Percentile(commitWall, 50):0.0} ms, cpu median {Stats.Percentile(commitCpu, 50):0.0} ms";
            Console.WriteLine(
                $"{name}: planning-only wall median {Stats.Percentile(wall, 50):0.0} ms p90 {Stats.Percentile(wall, 90):0.0}; " +
                $"cpu min {cpu[0]:0.0} median {Stats.Percentile(cpu, 50):0.0} ms p90 {Stats.Percentile(cpu, 90):0.0}; " +
                $"process cpu median {Stats.Percentile(proc, 50):0.0} ms; " +
                $"{commits}, {fp.Assignments} committed, fingerprint {fp.Hash:x16}");
        }
        return 0;
    }

    /// <summary>
    /// The snapshot's engine, or with <c>--cache DIR</c> the engine saved there by an earlier run (<see cref="DispatchEngine{TTravel}.SaveSnapshot"/>;
    /// a restored engine decides as the original): building a city engine places every order, whose promise costs
    /// about a millisecond each at 10,000 open orders, so a 50,000-order build takes minutes; loading takes a second.
    /// The file is named by snapshot and mode only: delete the folder when the snapshot or the engine's state format changes.
    /// </summary>
    private static DispatchEngine<EuclideanCeilMinutes> Build(Snapshot snap, SnapshotMode mode, DispatchOptions options, string? cache)
    {
        if (cache is null) return snap.BuildEngine(mode, options);
        string path = Path.Combine(cache, $"{snap.Name}-{mode}.engine");
        if (File.Exists(path))
        {
            using var input = File.OpenRead(path);
            return DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(input, snap.Travel, options);
        }
        var engine = snap.BuildEngine(mode, options);
        Directory.CreateDirectory(cache);
        using (var output = File.Create(path)) engine.SaveSnapshot(output);
        return engine;
    }

    /// <summary>FNV-1a over every committed assignment: courier, then each stop's kind and order.</summary>
    private struct FingerprintSink : IAssignmentSink
    {
        public int Assignments;
        public ulong Hash;

        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
        {
            if (Assignments++ == 0) Hash = 14695981039346656037UL;
            Mix(assignment.CourierId);
            foreach (var s in stops) { Mix((long)s.Kind); Mix(s.OrderId); }
        }

        public void OnPlanChange(in PlanChange change) { }

        private void Mix(long v)
        {
            for (int i = 0; i < 8; i++) { Hash ^= (byte)(v >> (8 * i)); Hash *= 1099511628211UL; }
        }
    }
}
