using Dispatch.Simulator.Evaluation;
using static Dispatch.Simulator.Tests.Evaluation.EvaluationFixture;

namespace Dispatch.Simulator.Tests.Evaluation;

/// <summary>
/// For each rule, the hand-made feasible solution (see <see cref="EvaluationFixture"/>) with one
/// edit that breaks that rule and nothing else: exactly that rule code must fire, and its message
/// must name the offending id.
/// </summary>
public class RuleViolationTests
{
    private sealed record Case(string Rule, string MessageNames, Func<MdrpInstance> Instance, Action<MdrpSolution> Edit);

    private static Case Solution(string rule, string names, Action<MdrpSolution> edit) => new(rule, names, () => Instance(), edit);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["unknown order in the orders file"] = Solution(EvaluationRules.UnknownOrder, "oX",
            s => s.Orders.Add(new MdrpOrderRecord("oX", 0, 0, 0, 0, "c1"))),
        ["unknown order in an assignment"] = Solution(EvaluationRules.UnknownOrder, "oX",
            s => Replace(s.Assignments, a => a.Courier == "c2", a => a with { Orders = ["o3", "oX"] })),
        ["unknown courier in the moves"] = Solution(EvaluationRules.UnknownCourier, "cX",
            s => s.Moves.Add(new MdrpCourierMove("cX", 0, "0", "r1"))),
        ["unknown move destination"] = Solution(EvaluationRules.UnknownLocation, "zz",
            s => s.Moves.Add(new MdrpCourierMove("c1", 70, "o4", "zz"))),
        ["assignment without orders"] = Solution(EvaluationRules.EmptyAssignment, "c3",
            s => s.Assignments.Add(new MdrpAssignmentRecord(10, 12, "c3", []))),
        ["order delivered twice"] = Solution(EvaluationRules.DuplicateOrder, "o1",
            s => s.Orders.Add(s.Orders[0])),
        ["order twice in one assignment"] = Solution(EvaluationRules.DuplicateOrder, "o1",
            s => Replace(s.Assignments, a => a.PickupTime == 12, a => a with { Orders = ["o1", "o2", "o1"] })),
        ["order in two assignments"] = Solution(EvaluationRules.DuplicateOrder, "o1",
            s => s.Assignments.Add(new MdrpAssignmentRecord(40, 45, "c3", ["o1"]))),
        ["assignment before placement"] = Solution(EvaluationRules.AssignmentBeforePlacement, "o2",
            s => Replace(s.Assignments, a => a.PickupTime == 12, a => a with { AssignmentTime = 1 })),
        ["orders of two restaurants in one assignment"] = new(EvaluationRules.MixedRestaurants, "r2",
            () => Instance(editOrders: o => o[1] = o[1] with { Restaurant = "r2" }), _ => { }),
        ["pickup before ready"] = Solution(EvaluationRules.PickupBeforeReady, "o2", s =>
        {
            Replace(s.Assignments, a => a.PickupTime == 12, a => a with { PickupTime = 11 });
            Replace(s.Orders, o => o.Order == "o1", o => o with { PickupTime = 11 });
            Replace(s.Orders, o => o.Order == "o2", o => o with { PickupTime = 11 });
        }),
        ["pickup before arrival"] = Solution(EvaluationRules.PickupBeforeArrival, "r2", s =>
        {
            // c1 reaches r2 at 47, so pickup can be 49 at the earliest.
            Replace(s.Assignments, a => a.PickupTime == 49, a => a with { PickupTime = 48 });
            Replace(s.Orders, o => o.Order == "o4", o => o with { PickupTime = 48 });
        }),
        ["pickup after off time"] = new(EvaluationRules.PickupAfterShift, "c2",
            () => Instance(editCouriers: c => c[1] = c[1] with { OffTime = 25 }), _ => { }),
        ["departure before on time"] = new(EvaluationRules.DepartureBeforeShift, "c2",
            () => Instance(editCouriers: c => c[1] = c[1] with { OnTime = 21 }), _ => { }),
        ["drop-off before arrival"] = Solution(EvaluationRules.DropoffBeforeArrival, "o3",
            s => Replace(s.Orders, o => o.Order == "o3", o => o with { DropoffTime = 39 })),
        ["leaving the restaurant during the pickup service"] = Solution(EvaluationRules.DepartureBeforeServiceEnd, "r1",
            s => Replace(s.Moves, m => m.Destination == "o1", m => m with { DepartureTime = 13 })),
        ["leaving a customer during the drop-off service"] = Solution(EvaluationRules.DepartureBeforeServiceEnd, "o1",
            s => Replace(s.Moves, m => m.Destination == "o2", m => m with { DepartureTime = 22 })),
        ["first move not from the start"] = Solution(EvaluationRules.MoveBadStart, "c1",
            s => Replace(s.Moves, m => m.Courier == "c1" && m.Destination == "r1", m => m with { Origin = "r1" })),
        ["move not from the previous destination"] = Solution(EvaluationRules.MoveDiscontinuous, "o1",
            s => Replace(s.Moves, m => m.Courier == "c1" && m.Destination == "r2", m => m with { Origin = "o1" })),
        ["departures going back in time"] = Solution(EvaluationRules.MoveTimeOrder, "o1",
            s => Replace(s.Moves, m => m.Destination == "o1", m => m with { DepartureTime = 1 })),
        ["move before the assignment"] = Solution(EvaluationRules.MoveBeforeAssignment, "r2",
            s => Replace(s.Assignments, a => a.Courier == "c2", a => a with { AssignmentTime = 21 })),
        ["drop-offs out of the listed sequence"] = Solution(EvaluationRules.Diversion, "o2",
            s => Replace(s.Assignments, a => a.PickupTime == 12, a => a with { Orders = ["o2", "o1"] })),
        ["next assignment before the last drop-off service ends"] = Solution(EvaluationRules.AssignmentOverlap, "r2", s =>
        {
            Replace(s.Assignments, a => a.PickupTime == 49, a => a with { AssignmentTime = 30 });
            Replace(s.Moves, m => m.Courier == "c1" && m.Destination == "r2", m => m with { DepartureTime = 31 });
        }),
        ["delivered order without a move"] = Solution(EvaluationRules.MissingMove, "o3",
            s => Remove(s.Moves, m => m.Destination == "o3")),
        ["move of a courier without assignments"] = Solution(EvaluationRules.UnassignedMove, "c3",
            s => s.Moves.Add(new MdrpCourierMove("c3", 5, "0", "r1"))),
        ["extra move after the last drop-off"] = Solution(EvaluationRules.UnassignedMove, "r1",
            s => s.Moves.Add(new MdrpCourierMove("c2", 42, "o3", "r1"))),
        ["orders file names another courier"] = Solution(EvaluationRules.OrdersFileMismatch, "c1",
            s => Replace(s.Orders, o => o.Order == "o3", o => o with { Courier = "c1" })),
        ["orders file names another pickup time"] = Solution(EvaluationRules.OrdersFileMismatch, "o1",
            s => Replace(s.Orders, o => o.Order == "o1", o => o with { PickupTime = 13 })),
        ["assigned order missing from the orders file"] = Solution(EvaluationRules.OrdersFileMismatch, "o4",
            s => Remove(s.Orders, o => o.Order == "o4")),
        ["delivered order in no assignment"] = Solution(EvaluationRules.OrderNotAssigned, "o5",
            s => s.Orders.Add(new MdrpOrderRecord("o5", 100, 110, 115, 140, "c3"))),
        ["placement time differs from the instance"] = Solution(EvaluationRules.OrderTimesMismatch, "o1",
            s => Replace(s.Orders, o => o.Order == "o1", o => o with { PlacementTime = 1 })),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_broken_rule_fires_alone(string name)
    {
        var c = Cases[name];
        var solution = FeasibleSolution();
        c.Edit(solution);

        var report = SolutionEvaluator.Evaluate(c.Instance(), solution);

        Assert.False(report.Feasible);
        Assert.True(report.Violations.All(v => v.Rule == c.Rule),
            $"expected only {c.Rule}, got:\n{string.Join("\n", report.Violations)}");
        Assert.Contains(report.Violations, v => v.Message.Contains($"'{c.MessageNames}'", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_rule_has_a_case()
    {
        Assert.Equal(EvaluationRules.All.Order(), Cases.Values.Select(c => c.Rule).Distinct().Order());
    }

    [Fact]
    public void Rule_codes_are_distinct_kebab_case()
    {
        Assert.Equal(EvaluationRules.All.Count, EvaluationRules.All.Distinct().Count());
        Assert.All(EvaluationRules.All, code => Assert.Matches("^[a-z]+(-[a-z]+)*$", code));
    }

    [Fact]
    public void Faults_are_collected_not_thrown()
    {
        var s = FeasibleSolution();
        s.Orders.Add(new MdrpOrderRecord("oX", 0, 0, 0, 0, "c1"));
        s.Moves.Add(new MdrpCourierMove("cX", 0, "0", "r1"));
        s.Moves.Add(new MdrpCourierMove("c3", 5, "r1", "zz"));
        s.Assignments.Add(new MdrpAssignmentRecord(0, 0, "c3", ["o5", "o5"]));

        var report = SolutionEvaluator.Evaluate(Instance(), s);

        Assert.Contains(EvaluationRules.UnknownOrder, report.BrokenRules);
        Assert.Contains(EvaluationRules.UnknownCourier, report.BrokenRules);
        Assert.Contains(EvaluationRules.UnknownLocation, report.BrokenRules);
        Assert.Contains(EvaluationRules.DuplicateOrder, report.BrokenRules);
        Assert.Contains(EvaluationRules.MoveBadStart, report.BrokenRules);
        Assert.Contains(EvaluationRules.PickupBeforeReady, report.BrokenRules);
        Assert.Contains(EvaluationRules.AssignmentBeforePlacement, report.BrokenRules);
        Assert.Contains(EvaluationRules.MissingMove, report.BrokenRules);
        Assert.StartsWith("infeasible", report.ToString(), StringComparison.Ordinal);
    }
}
