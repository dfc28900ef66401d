using System.Diagnostics;

namespace Dispatch.Bench.General;

/// <summary>
/// The general profile's tick on a snapshot (default city-1000: 1,000 open orders, 500 couriers) with a
/// given improvement budget, as a live system would run it: a fresh engine holding the snapshot (General
/// profile), warmed by a tick at Now - 1 that commits nothing, then ticks at Now, Now + 1, ... with the
/// couriers confirming every stop whose planned instant has come (read from the engine's current routes,
/// outside the timed region). The first tick sees every open order (it inserts them and then runs the
/// improvement moves on the routes it built); the later ones see what is left open plus the routes.
/// </summary>
internal sealed class GeneralTickRun
{
    private readonly Snapshot _snap;
    private readonly DispatchEngine<EuclideanCeilMinutes> _engine;
    private readonly PlannedStop[] _route = new PlannedStop[64];
    private int _tick;

    public GeneralTickRun(Snapshot snap, int moves)
    {
        _snap = snap;
        _engine = snap.BuildEngine(SnapshotMode.AsIs, snap.EngineOptions(DispatchProfile.General) with { GeneralImprovementMovesPerTick = moves });
        snap.WarmUp(_engine);
    }

    public DispatchEngine<EuclideanCeilMinutes> Engine => _engine;

    /// <summary>Minute of the next tick.</summary>
    public double Next => _snap.Now + _tick;

    /// <summary>Confirms the stops due by the next tick (not timed).</summary>
    public void ConfirmDue()
    {
        double t = Next;
        foreach (var c in _snap.Couriers)
        {
            for (int g = 0; g < 64; g++)
            {
                int n = _engine.CopyRoute(c.Id, _route);
                if (n == 0 || _route[0].ServiceAt > t) break;
                if (_route[0].Kind == StopKind.Pickup) _engine.ConfirmPickup(_route[0].OrderId, _route[0].ServiceAt);
                else _engine.ConfirmDropoff(_route[0].OrderId, _route[0].ServiceAt);
            }
        }
    }

    /// <summary>The next tick; returns the assignments it committed.</summary>
    public int Tick()
    {
        var sink = new NullSink();
        int n = _engine.Tick(Next, ref sink);
        _tick++;
        return n;
    }
}

/// <summary>
/// general-tick [--snapshot city-1000] [--moves 0,64,256] [--runs 15] [--ticks 6]: median and p99 of the
/// general profile's tick per improvement budget (see <see cref="GeneralTickRun"/>); the first tick (every
/// order open) and the following ones are reported apart. Five unmeasured runs per budget warm the JIT; the
/// measured runs take the budgets in turn.
/// Wall time and the thread's CPU time are both reported: on a machine shared with other jobs the wall
/// time also counts waiting for a core.
/// </summary>
internal static class GeneralTickTiming
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct Timespec { public long Sec, Nsec; }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGettime(int clock, out Timespec ts);

    /// <summary>CPU time of the calling thread in milliseconds (CLOCK_THREAD_CPUTIME_ID): what a tick costs
    /// on a machine shared with other jobs, where wall time also counts the time the thread waited for a core.</summary>
    /// <summary>CPU time of every thread of the process (the tick's own and the fill lane's), in ms.</summary>
    public static double ProcessCpuMs()
    {
        ClockGettime(2, out var ts);
        return ts.Sec * 1e3 + ts.Nsec / 1e6;
    }

    public static double ThreadCpuMs()
    {
        ClockGettime(3, out var ts);
        return ts.Sec * 1e3 + ts.Nsec / 1e6;
    }

    public static int Run(string[] args)
    {
        string name = "city-1000";
        int runs = 15, ticks = 6;
        int d = DispatchOptions.DefaultGeneralImprovementMovesPerTick;
        int[] budgets = [0, d, 4 * d];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--snapshot": name = args[++i]; break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ticks": ticks = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--moves": budgets = args[++i].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        var snap = SnapshotBuilder.ByName(name);
        Console.WriteLine($"{snap}; General profile; {runs} runs of {ticks} ticks per budget; {Stats.Machine()}");
        // Warm-up: every budget a few times, so the measured runs see tier-1 code (tiered JIT) everywhere.
        for (int w = 0; w < 5; w++)
            foreach (int moves in budgets)
            {
                var run = new GeneralTickRun(snap, moves);
                for (int t = 0; t < ticks; t++) { run.ConfirmDue(); run.Tick(); }
            }
        ThreadCpuMs(); // its P/Invoke stub is built on the first call, outside the measurements
        Thread.Sleep(500);
        int nb = budgets.Length;
        var first = new List<double>[nb]; var later = new List<double>[nb];
        var firstCpu = new List<double>[nb]; var laterCpu = new List<double>[nb];
        var bytes = new long[nb];
        var openAfter = new int[nb];
        var movesDone = new string[nb];
        for (int b = 0; b < nb; b++) { first[b] = new(); later[b] = new(); firstCpu[b] = new(); laterCpu[b] = new(); }
        // Budgets interleaved run by run, so a noisy stretch of the shared machine hits them alike.
        for (int r = 0; r < runs; r++)
        {
            for (int b = 0; b < nb; b++)
            {
                var run = new GeneralTickRun(snap, budgets[b]);
                for (int t = 0; t < ticks; t++)
                {
                    run.ConfirmDue();
                    double c0 = ThreadCpuMs();
                    long a0 = GC.GetAllocatedBytesForCurrentThread();
                    long t0 = Stopwatch.GetTimestamp();
                    run.Tick();
                    double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    long a1 = GC.GetAllocatedBytesForCurrentThread();
                    double cpu = ThreadCpuMs() - c0;
                    bytes[b] += a1 - a0;
                    (t == 0 ? first[b] : later[b]).Add(ms);
                    (t == 0 ? firstCpu[b] : laterCpu[b]).Add(cpu);
                    if (t == 0 && r == 0) openAfter[b] = run.Engine.Counts.Open;
                }
                if (r == 0) { var (tried, applied) = run.Engine.ImprovementMoves; movesDone[b] = $"{tried:N0} / {applied:N0}"; }
            }
        }
        Console.WriteLine("| moves/tick | first tick median (CPU) | first tick p99 | later ticks median (CPU) | later ticks p99 | open after first tick | moves tried / applied (first run) | allocated in ticks |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int b = 0; b < nb; b++)
        {
            var f = first[b].Order().ToArray();
            var l = later[b].Order().ToArray();
            double fc = Stats.Percentile(firstCpu[b].Order().ToArray(), 50), lc = Stats.Percentile(laterCpu[b].Order().ToArray(), 50);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {budgets[b]} | {Stats.Percentile(f, 50):F2} ms ({fc:F2}) | {Stats.Percentile(f, 99):F2} ms | {Stats.Percentile(l, 50):F2} ms ({lc:F2}) | {Stats.Percentile(l, 99):F2} ms | {openAfter[b]} | {movesDone[b]} | {bytes[b]:N0} B |"));
        }
        return 0;
    }
}
