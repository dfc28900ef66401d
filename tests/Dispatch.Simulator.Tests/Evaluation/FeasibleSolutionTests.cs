using Dispatch.Simulator.Evaluation;
using static Dispatch.Simulator.Tests.Evaluation.EvaluationFixture;

namespace Dispatch.Simulator.Tests.Evaluation;

public class FeasibleSolutionTests
{
    private const int Precision = 9;

    [Fact]
    public void Hand_made_solution_is_feasible()
    {
        var report = SolutionEvaluator.Evaluate(Instance(), FeasibleSolution());
        Assert.Empty(report.Violations);
        Assert.True(report.Feasible);
        Assert.Equal("feasible", report.ToString());
    }

    [Fact]
    public void Metrics_match_the_hand_computation()
    {
        var m = SolutionEvaluator.Evaluate(Instance(), FeasibleSolution()).Metrics;

        Assert.Equal(5, m.Orders);
        Assert.Equal(4, m.Delivered);
        Assert.Equal(1, m.Undelivered);
        Assert.Equal(0.8, m.DeliveredShare, Precision);

        // Click-to-door: o1 21-0, o2 30-2, o3 40-20, o4 63-15 -> 21, 28, 20, 48.
        Assert.Equal(117 / 4.0, m.ClickToDoorMean, Precision);
        Assert.Equal(21, m.ClickToDoorP50, Precision);   // nearest rank ceil(0.5*4) = 2nd of 20,21,28,48
        Assert.Equal(48, m.ClickToDoorP90, Precision);   // ceil(0.9*4) = 4th
        Assert.Equal(48, m.ClickToDoorMax, Precision);
        Assert.Equal(0.25, m.OverTargetShare, Precision); // only o4 is above 40
        Assert.Equal(0, m.OverMaxCount);
        Assert.Equal(8 / 4.0, m.OverageMean, Precision);

        // Ready-to-door 11, 18, 10, 23; ready-to-pickup 2, 0, 0, 9.
        Assert.Equal(62 / 4.0, m.ReadyToDoorMean, Precision);
        Assert.Equal(11 / 4.0, m.ReadyToPickupMean, Precision);

        // Driving: c1 3+5+5+15+10, c2 2+6 = 46; service: 3 pickups x 4 + 4 drops x 4 = 28; shifts 120+60+60.
        Assert.Equal(74 / 240.0, m.CourierUtilization, Precision);
        Assert.Equal(4 / 4.0, m.OrdersPerCourierHour, Precision);

        // Pay: c1 max(30, 30) = 30 (not the guarantee: equal), c2 max(10, 15) = 15, c3 max(0, 15) = 15.
        Assert.Equal(60, m.TotalPay, Precision);
        Assert.Equal(15, m.PayPerOrder, Precision);
        Assert.Equal(2 / 3.0, m.GuaranteeShare, Precision);
        Assert.Equal(4 / 3.0, m.OrdersPerBundle, Precision);

        // Lower bounds (ready-placement + 2 + travel + 2): o1 19, o2 24, o3 20, o4 39, o5 34.
        Assert.Equal((2 + 4 + 0 + 9) / 4.0, m.LowerBoundGapMean, Precision);
        Assert.Equal(136 / 5.0, m.LowerBoundMean, Precision);
    }

    [Fact]
    public void Order_lower_bound_is_ready_wait_plus_services_plus_direct_drive()
    {
        var instance = Instance();
        Assert.Equal(39, EvaluationMetrics.OrderLowerBound(instance, instance.Orders[3]), Precision);
    }

    [Fact]
    public void Click_to_door_over_the_maximum_is_a_metric_not_a_violation()
    {
        var s = FeasibleSolution();
        // c2 has nothing after o3, so a late drop-off breaks no rule: it is only slow (180 > 90).
        Replace(s.Orders, o => o.Order == "o3", o => o with { DropoffTime = 200 });
        var report = SolutionEvaluator.Evaluate(Instance(), s);
        Assert.True(report.Feasible, string.Join("\n", report.Violations));
        Assert.Equal(1, report.Metrics.OverMaxCount);
        Assert.Equal(180, report.Metrics.ClickToDoorMax, Precision);
    }

    [Fact]
    public void Written_and_read_back_files_evaluate_the_same()
    {
        string dir = Path.Combine(Path.GetTempPath(), "dispatch-eval-" + Guid.NewGuid().ToString("N"));
        try
        {
            var instance = Instance();
            instance.Save(Path.Combine(dir, "instance"));
            FeasibleSolution().Write(Path.Combine(dir, "solution"));

            var report = SolutionEvaluator.Evaluate(MdrpInstance.Load(Path.Combine(dir, "instance")), MdrpSolution.Read(Path.Combine(dir, "solution")));

            Assert.True(report.Feasible, string.Join("\n", report.Violations));
            Assert.Equal(SolutionEvaluator.Evaluate(instance, FeasibleSolution()).Metrics, report.Metrics);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Empty_solution_is_feasible_and_delivers_nothing()
    {
        var report = SolutionEvaluator.Evaluate(Instance(), new MdrpSolution());
        Assert.True(report.Feasible);
        Assert.Equal(0, report.Metrics.Delivered);
        Assert.Equal(0, report.Metrics.PayPerOrder);
        Assert.Equal(1, report.Metrics.GuaranteeShare);
        Assert.Equal(60, report.Metrics.TotalPay, Precision); // every courier is paid its guarantee
    }

    [Fact]
    public void Null_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => SolutionEvaluator.Evaluate(null!, new MdrpSolution()));
        Assert.Throws<ArgumentNullException>(() => SolutionEvaluator.Evaluate(Instance(), null!));
    }
}
