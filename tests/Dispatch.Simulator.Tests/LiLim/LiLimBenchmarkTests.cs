using static Dispatch.Simulator.Tests.LiLim.LiLimTestData;

namespace Dispatch.Simulator.Tests.LiLim;

/// <summary>
/// The shared Li &amp; Lim benchmark files (../shared/lilim): the only tests here that read it. Skipped,
/// naming the path, when the folder is absent (failed in CI).
/// </summary>
public class LiLimBenchmarkTests
{
    [SkippableFact]
    public void All_176_instances_parse_and_each_has_a_best_known_solution()
    {
        string dir = RequireSharedLiLim();
        var best = BestKnown.Load(SharedBestKnown);
        var files = Directory.GetFiles(Path.Combine(dir, "instances"), "*.txt").Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(176, files.Length);
        Assert.Equal(176, best.Count);
        foreach (string file in files)
        {
            var instance = LiLimInstance.Load(file);
            Assert.True(best.TryGetValue(instance.Name, out var known), $"{instance.Name}: no row in bks.csv");
            int nodeLines = File.ReadLines(file).Count(line => line.Trim().Length > 0) - 1;  // all but the header line
            Assert.True(nodeLines == instance.Nodes.Length, $"{instance.Name}: {nodeLines} node lines, {instance.Nodes.Length} nodes read");
            Assert.True(instance.Tasks == 2 * instance.Requests, $"{instance.Name}: {instance.Tasks} tasks are not {instance.Requests} pickup-delivery pairs");
            // bks.csv gives the nominal size (100, 200, 400); the files pad it out to whole
            // pickup-delivery pairs with up to 11 more requests (lc101: 106 tasks, lr1_4_1: 422).
            Assert.InRange(instance.Tasks, known.Tasks, known.Tasks + 22);
            Assert.InRange(known.Vehicles, 1, instance.Vehicles);
        }
    }

    [SkippableFact]
    public void Each_lc101_request_alone_on_its_route_is_feasible_but_for_the_vehicle_count()
    {
        string dir = RequireSharedLiLim();
        var instance = LiLimInstance.Load(Path.Combine(dir, "instances", "lc101.txt"));
        var best = BestKnown.Load(SharedBestKnown)["lc101"];
        var pickups = instance.Nodes.Where(n => n.Id != 0 && n.Delivery != 0).ToArray();
        var routes = pickups.Select(p => new[] { p.Id, p.Delivery }).ToArray();
        // Oracle for the distance: depot -> pickup -> delivery -> depot, summed in another order.
        double expectedDistance = pickups.Sum(p => instance.Distance(0, p.Id) + instance.Distance(p.Id, p.Delivery) + instance.Distance(p.Delivery, 0));

        var check = LiLimChecker.Check(instance, routes);

        Assert.Equal(new BestKnownSolution(100, 10, 828.9369), best);
        Assert.Equal((25, 53), (instance.Vehicles, routes.Length));
        Assert.Equal("rule 5: 53 routes, more than the 25 vehicles of lc101", Assert.Single(check.Violations));
        Assert.Equal(53, check.Vehicles);
        Assert.Equal(expectedDistance, check.Distance, 1e-6);
        // No solution beats the best known: one request per route costs more vehicles and distance.
        Assert.True(check.Vehicles > best.Vehicles);
        Assert.True(BestKnown.GapPercent(check.Distance, best.Distance) > 0, $"{check.Distance} is not above {best.Distance}");
    }
}
