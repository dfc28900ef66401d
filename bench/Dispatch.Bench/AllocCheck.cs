using System.Diagnostics;
using Dispatch.Bench.Micro;

namespace Dispatch.Bench;

/// <summary>
/// The allocation gate, without BenchmarkDotNet: runs every hot path of the benchmarks in a loop after
/// a warm-up and fails (exit code 1) unless the loop allocated 0 bytes on this thread. Quick enough
/// for CI (well under a minute). Usage: alloc-check [--quick] (--quick leaves out the 50k-order city).
/// </summary>
internal static class AllocCheck
{
    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        int failures = 0;

        var travel = new TravelBenchmarks();
        travel.Setup();
        failures += Check("travel EuclideanCeil x1024", 200, () => travel.EuclideanCeil());
        failures += Check("travel Haversine x1024", 200, () => travel.Haversine());

        foreach (int n in new[] { 500, 5_000 })
        {
            var grid = new GridBenchmarks { Couriers = n };
            grid.Setup();
            failures += Check($"grid Build ({n} couriers)", 50, grid.Build);
            failures += Check($"grid Nearest x256 ({n} couriers)", 50, () => grid.Nearest());
        }

        foreach (int n in new[] { 1_000, 10_000 })
        {
            var solver = new SolverBenchmarks { Orders = n };
            solver.Setup();
            failures += Check($"solver ({n} rows)", 5, () => solver.Solve());
        }

        var snapshots = quick ? TickSnapshots.All.Where(s => s != "city-50000") : TickSnapshots.All;
        foreach (string name in snapshots)
        {
            var tick = new TickBenchmarks { Snapshot = name };
            tick.Setup();
            failures += Check($"tick planning-only ({name})", name == "city-50000" ? 2 : 5, () => tick.TickPlanningOnly(), processWide: true);
            tick.Cleanup();

            // The committing tick: allocation of the tick alone, the rebuild and warm-up outside the window.
            var commit = new TickCommitBenchmarks { Snapshot = name };
            commit.Setup();
            long bytes = 0, processBytes = 0;
            int commits = 0;
            var sw = new Stopwatch();
            for (int i = 0; i < 2; i++)
            {
                commit.Rebuild();
                long p0 = GC.GetTotalAllocatedBytes(precise: true);
                long a0 = GC.GetAllocatedBytesForCurrentThread();
                sw.Restart();
                commits = commit.TickWithCommits();
                sw.Stop();
                bytes = GC.GetAllocatedBytesForCurrentThread() - a0;
                processBytes = GC.GetTotalAllocatedBytes(precise: true) - p0;
            }
            failures += Report($"tick with commits ({name}, {commits} committed)", bytes, sw.Elapsed.TotalMilliseconds, processBytes);

            // Promise quotes (every placement makes one): 64 at the snapshot minute over the kitchens' ready times, most
            // answered by a kept queue simulation; and one after a change (a courier reports where it is), which
            // simulates the queue afresh in the kept buffers.
            var snap = SnapshotBuilder.ByName(name);
            var quoting = snap.BuildEngine(SnapshotMode.AsIs);
            failures += Check($"promise quotes x64 ({name})", 5, () =>
            {
                for (int q = 0; q < 64; q++) quoting.QuoteDropoff(q % snap.SiteX.Length, snap.SiteX[q % snap.SiteX.Length] + 900, snap.SiteY[q % snap.SiteX.Length], snap.Now + q % 30, snap.Now);
            });
            var moved = snap.Couriers[0];
            failures += Check($"promise quote after a change ({name})", 5, () =>
            {
                quoting.UpdateCourierPosition(moved.Id, moved.X, moved.Y, snap.Now);
                quoting.QuoteDropoff(0, snap.SiteX[0] + 900, snap.SiteY[0], snap.Now + 15, snap.Now);
            });
        }

        // General profile with its improvement moves: city-1000 ticked from its snapshot minute on, the couriers
        // confirming stops between ticks (outside the window); the first tick inserts 1,000 orders, the next ones
        // improve the routes it built. A first run warms the JIT; the second is measured.
        foreach (int moves in new[] { Dispatch.Engine.DispatchOptions.DefaultGeneralImprovementMovesPerTick, 4 * Dispatch.Engine.DispatchOptions.DefaultGeneralImprovementMovesPerTick })
        {
            var city = SnapshotBuilder.City(1_000);
            long generalBytes = 0;
            double generalMs = 0;
            const int GeneralTicks = 6;
            for (int pass = 0; pass < 2; pass++)
            {
                var run = new General.GeneralTickRun(city, moves);
                generalBytes = 0;
                var sw = new Stopwatch();
                for (int t = 0; t < GeneralTicks; t++)
                {
                    run.ConfirmDue();
                    long a0 = GC.GetAllocatedBytesForCurrentThread();
                    sw.Start();
                    run.Tick();
                    sw.Stop();
                    generalBytes += GC.GetAllocatedBytesForCurrentThread() - a0;
                }
                generalMs = sw.Elapsed.TotalMilliseconds / GeneralTicks;
            }
            failures += Report($"{GeneralTicks} General ticks, {moves} moves (city-1000; ms/tick)", generalBytes, generalMs);
        }

        // Route optimizer: ALNS iterations (ruin, regret recreate, acceptance, copies) on Li & Lim instances.
        foreach (var name in new[] { "lr1_2_1", "lrc2_4_1" })
        {
            string file = Path.Combine("..", "shared", "lilim", "instances", name + ".txt");
            if (!File.Exists(file)) { Console.WriteLine($"skip route optimizer ({name}): {file} not found"); continue; }
            var pb = new Dispatch.Routing.Search.CompiledProblem(Dispatch.Simulator.LiLim.LiLimRouting.ToProblem(Dispatch.Simulator.LiLim.LiLimInstance.Load(file)));
            var search = new Dispatch.Routing.Search.AlnsSearch(pb, vehiclesFirst: true, seed: 1);
            search.Construct(Enumerable.Range(0, pb.Requests).ToArray());
            failures += Check($"route optimizer 100 iterations ({name})", 10, () =>
                search.ImproveCost(new Dispatch.Routing.Search.SearchBudget(null, search.Iterations + 100, Stopwatch.GetTimestamp()), default));
            // Route deletions by the ejection pool (insertion, ejection search, relocations, restarts).
            failures += Check($"route optimizer 100 ejection-pool steps ({name})", 10, () =>
                search.EliminateByEjection(new Dispatch.Routing.Search.SearchBudget(null, search.Iterations + 100, Stopwatch.GetTimestamp()), default, share: 1.0));
        }

        Console.WriteLine(failures == 0 ? "alloc-check: every hot path allocated 0 bytes" : $"alloc-check: {failures} hot path(s) allocated");
        return failures == 0 ? 0 : 1;
    }

    /// <summary><paramref name="processWide"/>: also counts every thread's allocations (the tick's fill lane runs on
    /// a second thread); the runtime's own threads can add to that figure, so it is shown, not gated.</summary>
    private static int Check(string name, int loops, Action body, bool processWide = false)
    {
        for (int i = 0; i < 3; i++) body(); // warm-up: JIT tiers, buffers sized
        var sw = new Stopwatch();
        long p0 = GC.GetTotalAllocatedBytes(precise: true);
        long a0 = GC.GetAllocatedBytesForCurrentThread();
        sw.Start();
        for (int i = 0; i < loops; i++) body();
        sw.Stop();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - a0;
        long processBytes = GC.GetTotalAllocatedBytes(precise: true) - p0;
        return Report(name, bytes / loops, sw.Elapsed.TotalMilliseconds / loops, processWide ? processBytes / loops : null);
    }

    private static int Report(string name, long bytesPerCall, double msPerCall, long? processBytesPerCall = null)
    {
        bool ok = bytesPerCall == 0;
        string all = processBytesPerCall is long p ? $" (all threads {p:N0} B/call)" : "";
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {name,-52} {bytesPerCall,10:N0} B/call {msPerCall,10:F3} ms/call{all}");
        return ok ? 0 : 1;
    }
}
