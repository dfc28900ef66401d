using System.Globalization;
using System.Text;
using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Handoff;
using Dispatch.Cluster.Regions;
using Dispatch.Cluster.Simulation;
using Dispatch.Engine;
using Dispatch.Simulator.Generation;
using Dispatch.Simulator.Mdrp;
using StackExchange.Redis;

namespace Dispatch.ClusterSim;

/// <summary>
/// <c>regions</c>: generates side-by-side multi-region days and replays each through the cluster's region grains four
/// ways: one region holding the whole area (one engine), the strips as regions without borrowing, without borrowing and
/// with a margin on hand-off by position, with borrowing, and with borrowing and the margin;
/// writes the quality table (docs/cluster.md, Figures: multi-region replay) and, with --out, the first day's region map
/// beside it (<see cref="RegionMapSvg"/>, the same name with .svg).
/// </summary>
internal static class RegionsCommand
{
    public const string Usage = """
        Dispatch.ClusterSim regions [--regions N] [--orders-per-region N] [--seeds N,N,...] [--width-share X] [--supply X]
                                    [--borrow-radius M] [--redis HOST:PORT] [--out FILE]
          --regions            cities / strip regions side by side (default 3)
          --orders-per-region  orders each city places in the day (default 1000, at least 1000)
          --seeds              generator seeds, one day each, comma-separated (default 42)
          --width-share        strip width in city radii (default 1.6; less: more border crossing)
          --supply             courier supply factor (default 1.0)
          --borrow-radius      how far from the short region's border a lent courier may be, metres (default 2000)
          --redis              the region store: a Redis (its journal and snapshots, fenced); default: in memory
          --out                the markdown table, and the first day's region map beside it (.svg) (default: standard output only)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var o = new SideBySideOptions();
        double radius = 2_000;
        string? redis = null, outPath = null;
        int[] seeds = [42];
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name}: a value is missing");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"{name}: '{args[i]}' is not a whole number");
            double Real() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new ArgumentException($"{name}: '{args[i]}' is not a number");
            switch (name)
            {
                case "--regions": o = o with { Regions = Int() }; break;
                case "--orders-per-region": o = o with { OrdersPerRegion = Int() }; break;
                case "--seeds":
                    seeds = [.. Value().Split(',').Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed
                        : throw new ArgumentException($"--seeds: '{v}' is not a whole number"))];
                    break;
                case "--width-share": o = o with { WidthShare = Real() }; break;
                case "--supply": o = o with { CourierSupplyFactor = Real() }; break;
                case "--borrow-radius":
                    radius = Real();
                    if (!(radius >= 0)) throw new ArgumentException($"--borrow-radius: {radius} must be 0 or more metres");
                    break;
                case "--redis": redis = Value(); break;
                case "--out": outPath = Value(); break;
                default: throw new ArgumentException($"unknown option '{name}'\n{Usage}");
            }
        }
        try
        {
            o.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new ArgumentException($"--{Kebab(ex.ParamName)}: {ex.Message}", ex);
        }

        using var connection = redis is null ? null : await ConnectionMultiplexer.ConnectAsync(redis);
        string prefix = "dispatch-sim-" + Guid.NewGuid().ToString("N")[..8];
        int n = 0;
        var days = new List<(SideBySideDay Generated, RegionDay Day, List<(string Name, RegionDayResult Result)> Runs)>();
        foreach (int seed in seeds)
        {
            var generated = SideBySideGenerator.Generate(o with { Seed = seed });
            var day = DayConversion.ToRegionDay(generated.Day);
            var engine = MdrpEngineOptions.For(generated.Day, baseOptions: null, DispatchProfile.Mdrp, tickMinutes: 1);
            double speed = generated.Day.Parameters.MetersPerMinute;
            output.WriteLine($"{generated.Day.Name}: {day.Orders.Count} orders, {day.Couriers.Count} couriers, {day.Sites.Count} restaurants, strips {generated.RegionWidthMeters:F0} m wide");
            var whole = new List<RegionDefinition> { new() { Id = "all", Area = Union(generated.Regions) } };
            var strips = generated.Regions.Select(r => new RegionDefinition { Id = r.Id, Area = r.AreaWkt }).ToList();
            var runs = new List<(string Name, RegionDayResult Result)>();
            foreach (var (name, regions, handoff) in new[]
                     {
                         ("one engine (one region, the whole area)", whole, new HandoffOptions()),
                         ($"{o.Regions} regions, no borrowing", strips, new HandoffOptions()),
                         ($"{o.Regions} regions, no borrowing, hand-off by position beyond {radius:F0} m", strips, new HandoffOptions { PositionMarginMeters = radius }),
                         ($"{o.Regions} regions, borrowing within {radius:F0} m", strips, new HandoffOptions { Borrowing = true, BorrowRadiusMeters = radius }),
                         ($"{o.Regions} regions, borrowing within {radius:F0} m, hand-off by position beyond {radius:F0} m", strips,
                             new HandoffOptions { Borrowing = true, BorrowRadiusMeters = radius, PositionMarginMeters = radius }),
                     })
            {
                IRegionStore store = connection is null ? new MemoryRegionStore() : new RedisRegionStore(connection, $"{prefix}-{n++}");
                await using var cluster = await InProcessCluster.StartAsync(regions, speed, engine, store);
                var replay = new RegionDayReplay(cluster.Grains, cluster.Map, handoff);
                var result = await replay.RunAsync(day, line => output.WriteLine($"  seed {seed}, {name}: {line}"));
                output.WriteLine($"  seed {seed}, {name}: done in {result.WallSeconds:F1} s");
                runs.Add((name, result));
            }
            days.Add((generated, day, runs));
        }
        if (connection is not null)
        {
            // The runs' keys are of no use afterwards; leave the shared Redis as it was.
            var server = connection.GetServer(connection.GetEndPoints()[0]);
            await foreach (var key in server.KeysAsync(pattern: prefix + "*")) await connection.GetDatabase().KeyDeleteAsync(key);
        }

        string table = Table(args, o, radius, redis is null ? "in memory (MemoryRegionStore)" : $"Redis at {redis} (RedisRegionStore)", days);
        output.WriteLine();
        output.Write(table);
        if (outPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            // The region map of the first day beside the table, embedded in it.
            string map = Path.ChangeExtension(outPath, ".svg");
            await File.WriteAllTextAsync(map, RegionMapSvg.Draw(days[0].Generated, days[0].Day));
            table += $"\n![Region map of {days[0].Generated.Day.Name}]({Path.GetFileName(map)})\n";
            await File.WriteAllTextAsync(outPath, table);
        }
        bool sound = days.SelectMany(d => d.Runs).All(r => r.Result.DuplicatedCouriers == 0 && r.Result.MissingCouriers == 0 && r.Result.MisplacedCouriers == 0 && r.Result.Refusals == 0);
        if (!sound) output.WriteLine("FAILED: a courier was in two regions or none, or a region refused a request (see the table)");
        return sound ? 0 : 1;
    }

    private static string Union(IReadOnlyList<StripRegion> strips)
    {
        var reader = new NetTopologySuite.IO.WKTReader();
        var union = strips.Select(s => reader.Read(s.AreaWkt)).Aggregate((a, b) => a.Union(b));
        return union.AsText();
    }

    private static string Kebab(string? name) =>
        string.Concat((name ?? "option").Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static string Table(string[] args, SideBySideOptions o, double radius, string store,
        List<(SideBySideDay Generated, RegionDay Day, List<(string Name, RegionDayResult Result)> Runs)> days)
    {
        var ci = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        b.AppendLine("# Multi-region replay: one engine vs regions vs regions with borrowing");
        b.AppendLine();
        b.AppendLine(ci, $"Produced by `dotnet bench/Dispatch.ClusterSim/bin/Release/net10.0/Dispatch.ClusterSim.dll regions {string.Join(' ', args)}` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC).");
        b.AppendLine(ci, $"Each day: {o.Regions} wave-generated cities side by side ({o.OrdersPerRegion} orders each), every city the middle of a strip region {o.WidthShare} city radii wide; the first and last strips reach past every point.");
        b.AppendLine(ci, $"Every run goes through the cluster's region grains (an in-process Orleans silo, store {store}): MDRP rules, a tick a minute, couriers following their pushed plans, a hand-off round after every minute, the exactly-one-region audit every simulated hour and at the end. Borrowing: a region with more orders waiting than idle couriers borrows idle couriers within {radius:F0} m of its border from regions with more idle couriers than waiting orders. The rows with 'hand-off by position beyond {radius:F0} m' hand a courier over by position only once it is more than {radius:F0} m inside another region (so, with borrowing, a borrowed courier the borrower does not use at once is not handed straight back).");
        b.AppendLine();
        foreach (var (generated, day, runs) in days)
        {
            var split = runs[1].Result;
            b.AppendLine(ci, $"Day `{generated.Day.Name}`: {day.Orders.Count} orders, {day.Couriers.Count} courier shifts, {day.Sites.Count} restaurants, strips {generated.RegionWidthMeters:F0} m wide; {split.CrossBorderOrders} orders ({100.0 * split.CrossBorderOrders / Math.Max(1, day.Orders.Count):F1} %) deliver into another strip than their restaurant's.");
        }
        b.AppendLine();
        b.AppendLine("| day | run | regions | delivered | click-to-door mean (min) | p90 (min) | over 40 min | hand-offs by position | borrowed | rolled back | duplicated couriers (max at an audit) | couriers in no region | audits | wall s |");
        b.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (generated, _, runs) in days)
            foreach (var (name, r) in runs)
                b.AppendLine(ci, $"| {generated.Day.Name} | {name} | {r.Regions} | {r.DeliveredPercent:F2} % | {r.Mean:F2} | {r.P90:F1} | {r.Over40Percent:F2} % | {r.PositionHandoffs} | {r.BorrowHandoffs} | {r.RolledBack} | {r.DuplicatedCouriers} | {r.MissingCouriers} | {r.Audits} | {r.WallSeconds:F1} |");
        if (days.Count > 1)
        {
            for (int k = 0; k < days[0].Runs.Count; k++)
            {
                var all = days.Select(d => d.Runs[k].Result).ToList();
                b.AppendLine(ci, $"| **{days.Count} days: means; hand-offs, audits, wall s summed** | {days[0].Runs[k].Name} | {all[0].Regions} | {all.Average(r => r.DeliveredPercent):F2} % | {all.Average(r => r.Mean):F2} | {all.Average(r => r.P90):F1} | {all.Average(r => r.Over40Percent):F2} % | {all.Sum(r => r.PositionHandoffs)} | {all.Sum(r => r.BorrowHandoffs)} | {all.Sum(r => r.RolledBack)} | {all.Max(r => r.DuplicatedCouriers)} | {all.Max(r => r.MissingCouriers)} | {all.Sum(r => r.Audits)} | {all.Sum(r => r.WallSeconds):F1} |");
            }
        }
        b.AppendLine();
        foreach (var (generated, _, runs) in days)
            foreach (var (name, r) in runs.Where(r => r.Result.Refusals > 0 || r.Result.MisplacedCouriers > 0 || r.Result.Retried > 0))
                b.AppendLine(ci, $"- {generated.Day.Name}, {name}: {r.Refusals} refused requests, {r.MisplacedCouriers} misplaced couriers, {r.Retried} hand-off steps retried. {string.Join(" / ", r.RefusalSamples)}");
        return b.ToString();
    }
}
