using System.Text;
using Dispatch.Simulator.Generation;
using Dispatch.Simulator.Scenarios;

namespace Dispatch.Bench.General;

/// <summary>
/// general-improvement [--orders 2000] [--seeds 1,2,3] [--moves 0,64,256] [--out path]: the General
/// profile's per-tick improvement budget measured on generated multi-site waves with delivery promises
/// (every order has a hard deliver_by = placement + 45..60 minutes, later for slow kitchens; see
/// <see cref="WaveOptions.DeliveryPromises"/>), replayed in an unchanging world (<see cref="WorldReplay"/>
/// without a scenario: couriers drive the engine's current plan at the engine's own travel times, a tick
/// every minute). Per wave and budget: click-to-door mean and p90, lateness against deliver_by as the world
/// ran it and in every plan the engine committed (both must be 0), courier minutes driving, tick median and
/// p99. A first row per wave replays it without promises and without improvement moves, for reference.
/// Writes bench/results/general-improvement.md.
/// </summary>
internal static class GeneralImprovement
{
    public static int Run(string[] args)
    {
        var cli = new BenchArguments(args);
        int orders = cli.Int("--orders", 2_000);
        int[] seeds = cli.Ints("--seeds", [1, 2, 3]);
        int d = DispatchOptions.DefaultGeneralImprovementMovesPerTick;
        int[] budgets = cli.Ints("--moves", [0, d, 4 * d]);
        string output = cli.Text("--out") ?? Path.Combine(BenchPaths.ResultsDir, "general-improvement.md");
        if (cli.Unread.FirstOrDefault() is { } unknown) { Console.Error.WriteLine($"unknown argument {unknown}"); return 2; }

        var inv = CultureInfo.InvariantCulture;
        var md = ResultsPage.Start("General profile: time windows and per-tick improvement moves",
            string.Create(inv, $"general-improvement --orders {orders} --seeds {string.Join(',', seeds)} --moves {string.Join(',', budgets)}"));
        md.AppendLine(string.Create(inv, $"Waves: `generate --orders {orders} --seed S --promises`") + " (the wave generator with `DeliveryPromises`: every order must be dropped off by placement + 45..60 minutes, or its earliest possible drop-off + 15 minutes for a slow kitchen). "
            + "Replayed with the General profile in an unchanging world (`WorldReplay` without a scenario: the couriers drive the engine's current plan, a tick every minute). "
            + "`moves/tick` = `DispatchOptions.GeneralImprovementMovesPerTick`; the `no promises` row is the same wave without deliver_by and without improvement moves. "
            + "Late = drop-offs after deliver_by as the world ran them; planned late = drop-offs after deliver_by in any plan the engine committed or updated (hard windows: both must be 0). "
            + "Driving = minutes the couriers spent driving. Click-to-door over delivered orders. Tick = wall time of the engine's tick (the machine is shared: p99 moves between runs).");
        md.AppendLine();
        md.AppendLine("| wave | run | delivered | unserved | click-to-door mean | p90 | late (min past) | planned late | driving min | tick median | tick p99 |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        var sums = new Dictionary<string, (int N, double Mean, double P90, double Driving, double TickMed, double TickP99, int Late, int PlannedLate)>();
        int failures = 0;
        foreach (int seed in seeds)
        {
            var promised = WaveGenerator.Generate(new WaveOptions { OrdersPerDay = orders, Seed = seed, DeliveryPromises = true });
            var plain = WaveGenerator.Generate(new WaveOptions { OrdersPerDay = orders, Seed = seed });
            var runs = new List<(string Name, Dispatch.Simulator.Mdrp.MdrpInstance Wave, int Moves)> { ("no promises, 0", plain, 0) };
            runs.AddRange(budgets.Select(b => ($"promises, {b}", promised, b)));
            // One unmeasured replay warms the JIT so the first row's tick times are comparable.
            if (seed == seeds[0]) Replay(promised, budgets[^1]);
            foreach (var (name, wave, moves) in runs)
            {
                var r = Replay(wave, moves);
                var ticks = r.TickMilliseconds.Order().ToArray();
                double med = Stats.Percentile(ticks, 50), p99 = Stats.Percentile(ticks, 99);
                md.AppendLine(inv, $"| {wave.Name} | {name} | {r.Delivered:N0} | {r.Unserved} | {r.ClickToDoorMean:F2} | {r.ClickToDoorP90:F1} | {r.LateDropoffs} ({r.MinutesPastDeliverBy:F1}) | {r.PlannedLateDropoffs} | {r.DrivingMinutes:N0} | {med:F2} ms | {p99:F2} ms |");
                Console.WriteLine($"{wave.Name} {name}: delivered {r.Delivered}, unserved {r.Unserved}, lost {r.Lost}, c2d {r.ClickToDoorMean:F2} / p90 {r.ClickToDoorP90:F1}, late {r.LateDropoffs} ({r.MinutesPastDeliverBy:F1} min), planned late {r.PlannedLateDropoffs}, driving {r.DrivingMinutes:N0}, tick {med:F2} / {p99:F2} ms");
                if (r.Lost > 0 || (wave == promised && (r.LateDropoffs > 0 || r.PlannedLateDropoffs > 0))) failures++;
                var s = sums.GetValueOrDefault(name);
                sums[name] = (s.N + 1, s.Mean + r.ClickToDoorMean, s.P90 + r.ClickToDoorP90, s.Driving + r.DrivingMinutes, s.TickMed + med, s.TickP99 + p99, s.Late + r.LateDropoffs, s.PlannedLate + r.PlannedLateDropoffs);
            }
        }
        md.AppendLine();
        md.AppendLine("Mean over the waves:");
        md.AppendLine();
        md.AppendLine("| run | click-to-door mean | p90 | late | planned late | driving min | tick median | tick p99 |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, s) in sums)
            md.AppendLine(inv, $"| {name} | {s.Mean / s.N:F2} | {s.P90 / s.N:F1} | {s.Late} | {s.PlannedLate} | {s.Driving / s.N:N0} | {s.TickMed / s.N:F2} ms | {s.TickP99 / s.N:F2} ms |");
        ResultsPage.Write(output, md.ToString());
        Console.WriteLine($"wrote {Path.GetFullPath(output)}");
        if (failures > 0) Console.Error.WriteLine($"error: {failures} run(s) lost orders or were late on a promise");
        return failures > 0 ? 1 : 0;
    }

    private static WorldResult Replay(Dispatch.Simulator.Mdrp.MdrpInstance wave, int moves) =>
        WorldReplay.Run(wave, new WorldReplayOptions
        {
            Profile = DispatchProfile.General,
            Engine = new DispatchOptions { GeneralImprovementMovesPerTick = moves },
        });
}
