using Dispatch.Simulator.Evaluation;

namespace Dispatch.Simulator.Tests.Evaluation;

public class EvaluationMetricsTests
{
    [Theory]
    [InlineData(5, 15)]
    [InlineData(30, 20)]   // ceil(0.3 * 5) = 2nd value
    [InlineData(40, 20)]   // ceil(0.4 * 5) = 2nd value: nearest rank never interpolates
    [InlineData(50, 35)]
    [InlineData(90, 50)]
    [InlineData(100, 50)]
    public void Percentiles_use_nearest_rank(double percent, double expected)
    {
        Assert.Equal(expected, EvaluationMetrics.NearestRank([15, 20, 35, 40, 50], percent));
    }

    [Fact]
    public void Percentile_of_nothing_is_zero()
    {
        Assert.Equal(0, EvaluationMetrics.NearestRank([], 50));
    }

    [Fact]
    public void Dictionary_has_every_published_metric_in_snake_case()
    {
        var m = SolutionEvaluator.Evaluate(EvaluationFixture.Instance(), EvaluationFixture.FeasibleSolution()).Metrics;
        var d = m.ToDictionary();

        Assert.Equal(
            [
                "orders", "delivered", "delivered_share", "undelivered", "click_to_door_mean", "click_to_door_p50",
                "click_to_door_p90", "click_to_door_max", "over_target_share", "over_max_count", "overage_mean",
                "ready_to_door_mean", "ready_to_pickup_mean", "courier_utilization", "orders_per_courier_hour",
                "total_pay", "pay_per_order", "guarantee_share", "orders_per_bundle", "lower_bound_gap_mean",
                "lower_bound_mean",
            ],
            d.Keys.ToArray());
        Assert.Equal(m.Delivered, d["delivered"]);
        Assert.Equal(m.ClickToDoorP90, d["click_to_door_p90"]);
        Assert.Equal(m.CourierUtilization, d["courier_utilization"]);
        Assert.Equal(m.LowerBoundMean, d["lower_bound_mean"]);
        // One key per metric property: a new metric cannot be forgotten in the dictionary.
        Assert.Equal(typeof(EvaluationMetrics).GetProperties().Count(p => p.PropertyType == typeof(int) || p.PropertyType == typeof(double)), d.Count);
    }
}
