using System.Text;
using Dispatch.Routing;
using Dispatch.Simulator.LiLim;

namespace Dispatch.Bench.Peer;

/// <summary>
/// The route optimizer beside OR-Tools on Li &amp; Lim instances at equal wall-time limits, both checked
/// by the project's checker (LiLimChecker) from the routes they return: vehicles, distance, gap to
/// the best known, time to the first complete solution. OR-Tools gets the standard PDPTW model with
/// a fixed vehicle cost so it minimises vehicles first, as the benchmark's objective asks
/// (<see cref="OrToolsPdptw"/>). Ours runs with its defaults (both cores). One solver at a time, so
/// neither shares the cores with the other.
/// Usage: pdptw-compare [instance names or files ...] [--limits 1,5,30] [--dir ../shared/lilim/instances] [--out file.md]
/// </summary>
internal static class PdptwCompareCommand
{
    /// <summary>Twelve instances across the three sizes and the six families (c/r/rc, short/long horizon).</summary>
    private static readonly string[] DefaultInstances =
        ["lc101", "lc201", "lr101", "lr201", "lrc101", "lrc201", "lc1_2_1", "lr1_2_1", "lrc2_2_1", "lc1_4_1", "lr2_4_1", "lrc1_4_1"];

    public static int Run(string[] args)
    {
        var names = new List<string>();
        double[] limits = [1, 5, 30];
        string dir = "../shared/lilim/instances";
        string? outPath = "bench/results/pdptw-compare.md";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--limits": limits = Next(args, ref i).Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--dir": dir = Next(args, ref i); break;
                case "--out": outPath = Next(args, ref i); break;
                default: names.Add(args[i]); break;
            }
        }
        if (names.Count == 0) names.AddRange(DefaultInstances);
        var bks = PdptwOrToolsCommand.FindBestKnown(Path.GetFullPath(dir));
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Route optimizer vs OR-Tools on Li & Lim (equal wall time)");
        md.AppendLine();
        md.AppendLine(string.Create(inv, $"Machine: {Environment.ProcessorCount} cores. Ours: Dispatch RouteOptimizer defaults (ALNS, vehicles first, {Math.Min(2, Environment.ProcessorCount)} searches in parallel, seed 1). "));
        md.AppendLine("OR-Tools 9.15 routing: AddPickupAndDelivery, time dimension with windows and waiting, capacity dimension, fixed cost per vehicle (vehicles first), PARALLEL_CHEAPEST_INSERTION then GUIDED_LOCAL_SEARCH (single-threaded: OR-Tools routing has no parallel search). Both checked by LiLimChecker from the returned routes.");
        md.AppendLine();
        md.AppendLine("| instance | limit s | best known | ours vehicles | ours distance | ours gap % | ours first complete s | OR-Tools vehicles | OR-Tools distance | OR-Tools gap % | OR-Tools first s |");
        md.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var perLimit = limits.ToDictionary(l => l, _ => new List<(int OurV, double OurGap, int PeerV, double PeerGap, int BestV)>());
        int failures = 0;
        foreach (var name in names)
        {
            string file = File.Exists(name) ? name : Path.Combine(dir, name + ".txt");
            var instance = LiLimInstance.Load(file);
            if (!bks.TryGetValue(instance.Name, out var best))
                throw new InvalidDataException($"{instance.Name}: no best known solution (bks.csv beside or above {dir})");
            foreach (double limit in limits)
            {
                var ours = new RouteOptimizer(LiLimRouting.ToProblem(instance), new OptimizerOptions { TimeLimit = TimeSpan.FromSeconds(limit) }).Solve();
                var ourCheck = LiLimChecker.Check(instance, LiLimRouting.ToRoutes(ours));
                var peer = new OrToolsPdptw(instance, limit).Solve();
                var peerCheck = peer.Found ? LiLimChecker.Check(instance, peer.Routes) : null;
                if (!ourCheck.Feasible || ours.Unassigned.Count > 0 || peerCheck is not { Feasible: true }) failures++;
                double ourGap = BestKnown.GapPercent(ourCheck.Distance, best.Distance);
                string peerV = peerCheck is null ? "none" : peerCheck.Feasible ? peerCheck.Vehicles.ToString(inv) : "infeasible";
                string peerD = peerCheck is null ? "-" : peerCheck.Distance.ToString("F2", inv);
                double peerGap = peerCheck is null ? double.NaN : BestKnown.GapPercent(peerCheck.Distance, best.Distance);
                string line = string.Create(inv, $"| {instance.Name} | {limit} | {best.Vehicles} / {best.Distance:F2} | {(ourCheck.Feasible ? ourCheck.Vehicles : -1)} | {ourCheck.Distance:F2} | {BestKnown.FormatPercent(ourGap)} | {ours.FirstComplete?.TotalSeconds:F2} | {peerV} | {peerD} | {(double.IsNaN(peerGap) ? "-" : BestKnown.FormatPercent(peerGap))} | {peer.FirstSolutionSeconds:F2} |");
                Console.WriteLine(line);
                md.AppendLine(line);
                if (peerCheck is { Feasible: true }) perLimit[limit].Add((ourCheck.Vehicles, ourGap, peerCheck.Vehicles, peerGap, best.Vehicles));
            }
        }
        md.AppendLine();
        md.AppendLine("| limit s | instances | ours vehicles (sum) | OR-Tools vehicles (sum) | best known vehicles (sum) | instances ours <= OR-Tools vehicles | ours mean gap % | OR-Tools mean gap % |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (limit, rows) in perLimit)
        {
            if (rows.Count == 0) continue;
            string line = string.Create(inv, $"| {limit} | {rows.Count} | {rows.Sum(r => r.OurV)} | {rows.Sum(r => r.PeerV)} | {rows.Sum(r => r.BestV)} | {rows.Count(r => r.OurV <= r.PeerV)}/{rows.Count} | {BestKnown.FormatPercent(rows.Average(r => r.OurGap))} | {BestKnown.FormatPercent(rows.Average(r => r.PeerGap))} |");
            Console.WriteLine(line);
            md.AppendLine(line);
        }
        md.AppendLine();
        md.AppendLine("Gap = 100 (distance - best) / best, at whatever vehicle count each solver reached: a solver with more vehicles than the best known can show a negative gap.");
        if (outPath is not null)
        {
            ResultsPage.Write(outPath, md.ToString());
            Console.WriteLine($"wrote {Path.GetFullPath(outPath)}");
        }
        return failures == 0 ? 0 : 1;
    }

    private static string Next(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
