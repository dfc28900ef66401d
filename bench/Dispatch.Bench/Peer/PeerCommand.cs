using System.Text;

namespace Dispatch.Bench.Peer;

/// <summary>
/// peer [--limits 1,5] [--snapshots trace,city-300] [--out path]: the same snapshots solved by our
/// engine and by OR-Tools routing at each time limit, scored alike, printed and written to
/// bench/results/peer.md.
/// </summary>
internal static class PeerCommand
{
    public static int Run(string[] args)
    {
        double[] limits = [1, 5];
        string[] snapshots = ["trace", "city-300"];
        string output = Path.Combine(BenchPaths.ResultsDir, "peer.md");
        for (int i = 0; i < args.Length; i++)
        {
            string next = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--limits": limits = next.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray(); i++; break;
                case "--snapshots": snapshots = next.Split(','); i++; break;
                case "--out": output = next; i++; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var inv = CultureInfo.InvariantCulture;
        var md = ResultsPage.Start("Peer comparison: our engine vs Google OR-Tools routing on the same snapshots",
            $"peer --limits {string.Join(',', limits.Select(l => l.ToString(inv)))} --snapshots {string.Join(',', snapshots)}");
        md.AppendLine("Objective (the same yardstick for both; OR-Tools is given exactly this as its cost) over served orders: click-to-door + minutes past the 40-minute target + 20 x minutes past the 90-minute maximum (lower is better). ");
        md.AppendLine("Ours = the engine run forward from the snapshot, no new orders, until every order is delivered; its wall time is the one decision tick at the snapshot minute (median of 7, commits included) and, in brackets, all ticks of the forward run. ");
        md.AppendLine("OR-Tools = one pickup-and-delivery solve (LOCAL_CHEAPEST_COST_INSERTION, then GUIDED_LOCAL_SEARCH until the time limit; the warm-started row skips the first solution); wall = model build + search. Its routes are re-timed under the MDRP rules and scored alike. See bench/README.md for the model.");
        md.AppendLine();

        foreach (var name in snapshots)
        {
            var snap = SnapshotBuilder.ByName(name);
            Console.WriteLine($"== {snap}");
            double tickMs = EngineRun.DecisionTickMs(snap);
            var ours = EngineRun.Forward(snap, out _, out double totalTickMs, out int ticks, out var ourRoutes);
            Console.WriteLine($"   ours: decision tick {tickMs:F2} ms, forward run {ticks} ticks {totalTickMs:F1} ms");
            var rows = new List<(PlanScore Score, string Wall)> { (ours, $"{tickMs:F2} ms ({totalTickMs:F0} ms)") };
            foreach (double limit in limits)
            {
                var s = OrToolsRouting.Solve(snap, limit, out string status);
                Console.WriteLine($"   OR-Tools {limit} s: {status}");
                rows.Add((s, $"{s.WallSeconds * 1000:F0} ms"));
            }
            {
                // Can OR-Tools' local search improve on our plan? Warm-started from our routes, the largest limit.
                double limit = limits.Max();
                var s = OrToolsRouting.Solve(snap, limit, out string status, ourRoutes);
                Console.WriteLine($"   OR-Tools {limit} s from our plan: {status}");
                rows.Add((s, $"{s.WallSeconds * 1000:F0} ms"));
            }

            md.AppendLine(inv, $"## {snap}");
            md.AppendLine();
            md.AppendLine("| solver | wall time | served | objective | click-to-door total (mean) | past target total | orders past 90 | travel min | shift violations | mixed-site trips |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (s, wall) in rows)
                md.AppendLine(inv, $"| {s.Solver} | {wall} | {s.Served}/{s.Orders} | {(s.Served == 0 ? "no plan in time" : s.Objective.ToString("F0", inv))} | {s.ClickToDoor:F0} ({s.MeanClickToDoor:F1}) | {s.OverTarget:F0} | {s.LateOverMax} | {s.TravelMinutes:F0} | {s.ShiftViolations} | {s.MixedSiteTrips} |");
            md.AppendLine();
            md.AppendLine("| ours / OR-Tools | decision wall time | objective | click-to-door | past target | travel |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (s, _) in rows.Skip(1).Where(r => r.Score.Served > 0))
                md.AppendLine(inv, $"| vs {s.Solver} | {tickMs / 1000 / s.WallSeconds:G3} | {Ratio(ours.Objective, s.Objective)} | {Ratio(ours.ClickToDoor, s.ClickToDoor)} | {Ratio(ours.OverTarget, s.OverTarget)} | {Ratio(ours.TravelMinutes, s.TravelMinutes)} |");
            md.AppendLine();
        }

        string text = md.ToString();
        Console.WriteLine();
        Console.WriteLine(text);
        ResultsPage.Write(output, text);
        Console.WriteLine($"written {output}");
        return 0;
    }

    private static string Ratio(double ours, double theirs) =>
        theirs == 0 ? (ours == 0 ? "1" : "inf") : (ours / theirs).ToString("F3", CultureInfo.InvariantCulture);
}
