using Dispatch.Simulator.Evaluation;
using FsCheck.Xunit;
using Xunit.Abstractions;

namespace Dispatch.Simulator.Tests.Evaluation;

/// <summary>
/// The evaluator against an independent, literal construction of feasible solutions: on random
/// small instances and on a recorded trace, a greedy one-order-per-trip schedule must be feasible,
/// and no delivered order may beat its click-to-door lower bound.
/// </summary>
public class GreedySolutionTests(ITestOutputHelper output)
{
    [Property(MaxTest = 200)]
    public bool Greedy_schedule_on_a_random_instance_is_feasible(int seed)
    {
        var instance = RandomInstance(new Random(seed));
        var solution = GreedySolutionBuilder.Build(instance);
        var report = SolutionEvaluator.Evaluate(instance, solution);
        var orders = instance.Orders.ToDictionary(o => o.Id);
        return report.Feasible
            && report.Metrics.Delivered == solution.Orders.Count
            && solution.Orders.All(d => d.DropoffTime - orders[d.Order].PlacementTime >= EvaluationMetrics.OrderLowerBound(instance, orders[d.Order]));
    }

    [SkippableFact]
    public void Greedy_schedule_on_a_recorded_trace_is_feasible()
    {
        string dir = TestPaths.SharedMdrpInstance("0o100t100s1p100");
        var instance = MdrpInstance.Load(dir);

        var report = SolutionEvaluator.Evaluate(instance, GreedySolutionBuilder.Build(instance));

        Assert.True(report.Feasible, string.Join("\n", report.Violations.Take(20)));
        var m = report.Metrics;
        foreach (var (key, value) in m.ToDictionary()) output.WriteLine($"{key} = {value:0.###}");
        Assert.Equal(instance.Orders.Length, m.Orders);
        Assert.InRange(m.Delivered, 1, m.Orders);
        Assert.InRange(m.LowerBoundMean, 0.001, 60);
        Assert.True(m.LowerBoundGapMean >= 0);
        Assert.InRange(m.CourierUtilization, 0.001, 1);
        Assert.Equal(1, m.OrdersPerBundle, 9);
    }

    private static MdrpInstance RandomInstance(Random rng)
    {
        // Odd service minutes on purpose: half services are then fractional times.
        var parameters = new MdrpParameters(rng.Next(50, 400), rng.Next(0, 7), rng.Next(0, 7), 40, 90, 10, 15);
        var restaurants = Enumerable.Range(1, rng.Next(1, 4)).Select(i => new MdrpRestaurant($"r{i}", rng.Next(0, 6000), rng.Next(0, 6000))).ToArray();
        var orders = Enumerable.Range(1, rng.Next(0, 12)).Select(i =>
        {
            int placed = rng.Next(0, 120);
            return new MdrpOrder($"o{i}", rng.Next(0, 6000), rng.Next(0, 6000), placed, restaurants[rng.Next(restaurants.Length)].Id, placed + rng.Next(0, 30));
        }).ToArray();
        var couriers = Enumerable.Range(1, rng.Next(1, 4)).Select(i =>
        {
            int on = rng.Next(0, 100);
            return new MdrpCourier($"c{i}", rng.Next(0, 6000), rng.Next(0, 6000), on, on + rng.Next(0, 120));
        }).ToArray();
        return new MdrpInstance("random", parameters, restaurants, orders, couriers);
    }
}
