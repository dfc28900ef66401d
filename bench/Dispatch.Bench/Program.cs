// Dispatch.Bench: BenchmarkDotNet suites (default), plus commands that are not BenchmarkDotNet runs.
//   peer [--limits 1,5] [--snapshots trace,city-300]   engine vs OR-Tools routing on the same snapshots
//   pdptw-ortools <instance-file-or-folder> [--time-limit s] [--out dir] [--distance-only]
//                                                      OR-Tools routing on Li & Lim PDPTW instances (the peer)
//   pdptw-compare [instances] [--limits 1,5,30]        route optimizer vs OR-Tools at equal time -> bench/results/pdptw-compare.md
//   replay-speed [instance-dir] [--runs N]             a trace as fast as possible: commands/s, tick latency
//   replay-recorded <trace.dispatchtrace> [--runs N]   a server-recorded command trace as fast as possible
//   alloc-check                                        every hot path run in a loop: fails unless 0 bytes
//   tick-timing [--snapshots city-10000,city-50000] [--runs 21] [--warmup 60] [--sequence] [--commit-runs 1] [--no-lane] [--cache DIR]  the MDRP tick at scale: wall and CPU median, commit fingerprint
//   quote-cost [--snapshots city-10000,city-50000] [--quotes 400] [--placements 200]  a promise quote and a placement at scale: median cost, fingerprint
//   general-tick [--moves 0,64,256] [--runs 15]        the General profile's tick at 1,000 open orders per improvement budget
//   general-improvement [--seeds 1,2,3]                General profile with delivery promises on generated waves, per budget
//   staffing [trace ...] [--target 0.8] [--forecast-seeds 5] [--only-robustness yes]  plan-shifts on 13 shared traces: trace vs plan, robustness on generated days -> bench/results/staffing.md
//   snapshot [name ...]                                describes snapshots (trace, city-N, instance folder)
// Anything else goes to BenchmarkSwitcher (e.g. --filter '*Tick*' --job short).
if (BuildGuard.Problem() is { } problem)
{
    Console.Error.WriteLine($"error: refusing to benchmark: {problem}.");
    return 2;
}

string command = args.Length > 0 ? args[0] : "";
string[] rest = args.Length > 0 ? args[1..] : [];
switch (command)
{
    case "peer": return Dispatch.Bench.Peer.PeerCommand.Run(rest);
    case "pdptw-ortools": return Dispatch.Bench.Peer.PdptwOrToolsCommand.Run(rest);
    case "pdptw-compare": return Dispatch.Bench.Peer.PdptwCompareCommand.Run(rest);
    case "replay-speed": return Dispatch.Bench.Replay.ReplaySpeed.Run(rest);
    case "replay-recorded": return Dispatch.Bench.Replay.RecordedTraceReplay.Run(rest);
    case "alloc-check": return Dispatch.Bench.AllocCheck.Run(rest);
    case "tick-timing": return Dispatch.Bench.Micro.TickTiming.Run(rest);
    case "quote-cost": return Dispatch.Bench.Micro.QuoteCost.Run(rest);
    case "general-tick": return Dispatch.Bench.General.GeneralTickTiming.Run(rest);
    case "general-improvement": return Dispatch.Bench.General.GeneralImprovement.Run(rest);
    case "staffing": return Dispatch.Bench.Staffing.StaffingTable.Run(rest);
    case "snapshot":
        foreach (var name in rest.Length > 0 ? rest : ["trace", "city-1000", "city-10000", "city-50000"])
            Console.WriteLine(SnapshotBuilder.ByName(name));
        return 0;
    default:
        var summaries = BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, new BenchConfig());
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
