using System.Globalization;
using static Dispatch.Simulator.Tests.LiLim.LiLimTestData;

namespace Dispatch.Simulator.Tests.LiLim;

/// <summary>
/// The tiny instance of <see cref="LiLimTestData"/>: its hand-checked feasible solution, then for
/// each rule a solution that breaks that rule and no other (the times and loads in each comment
/// are worked out by hand), so exactly that rule must be reported, naming the node at fault.
/// </summary>
public class LiLimCheckerTests
{
    [Fact]
    public void Hand_checked_solution_is_feasible_with_its_vehicles_and_distance()
    {
        var check = LiLimChecker.Check(TinyInstance(), TinyFeasibleRoutes());

        Assert.True(check.Feasible, string.Join("\n", check.Violations));
        Assert.Empty(check.Violations);
        Assert.Equal(2, check.Vehicles);
        Assert.Equal(TinyFeasibleDistance, check.Distance, 1e-9);
    }

    [Fact]
    public void Empty_routes_count_neither_as_vehicles_nor_distance()
    {
        int[][] routes = [[], .. TinyFeasibleRoutes(), []];

        var check = LiLimChecker.Check(TinyInstance(), routes);

        Assert.True(check.Feasible, string.Join("\n", check.Violations));
        Assert.Equal(2, check.Vehicles);
        Assert.Equal(TinyFeasibleDistance, check.Distance, 1e-9);
    }

    /// <summary>Routes that break rule <paramref name="Rule"/> only, and the violations expected, without their "rule N: " prefix.</summary>
    private sealed record Case(int[][] Routes, int Rule, string[] Violations);

    private static readonly Dictionary<string, Case> OneRuleBroken = new()
    {
        // Route 1 = 1 5 6: load 4 7 4, back at 38; the load left on board breaks no rule.
        ["missing node"] = new([[1, 5, 6], [3, 4]], 1, ["node 2 (delivery of pickup 1) is never visited"]),
        // Pickup 5 served twice in a row: load 4 0 3 6 3, back at 48.85.
        ["duplicate node"] = new([[1, 2, 5, 5, 6], [3, 4]], 1, ["node 5 (pickup for delivery 6) is visited 2 times: route 1 position 3, route 1 position 4"]),
        ["unknown node id"] = new([[1, 2, 5, 6, 99], [3, 4]], 1, ["route 1 position 5 node 99 is not a node of tiny (its tasks are 1 to 6)"]),
        // Through the depot between 2 and 5: there at 22, back at the end at 53.
        ["depot inside a route"] = new([[1, 2, 0, 5, 6], [3, 4]], 1, ["route 1 position 3 node 0 is the depot, which routes leave out"]),
        // 3 2 1 4: load 4 0 4 0 (the pickup of 3 covers delivery 2); 2 at 28.32 <= 60, 1 at 34.32 <= 50, back at 73.6.
        ["delivery before pickup"] = new([[3, 2, 1, 4], [5, 6]], 2, ["route 1 node 2 is a delivery at position 2, before its pickup 1 at position 3"]),
        // Deliveries of 1 and 3 swapped: 3 2 5 6 (load 4 0 3 0, back at 65.17), 1 4 (load 4 0, back at 44.28).
        ["pickup and delivery on different routes"] = new([[3, 2, 5, 6], [1, 4]], 2,
            ["route 2 node 1 is a pickup whose delivery 2 is on route 1", "route 1 node 3 is a pickup whose delivery 4 is on route 2"]),
        // 1 3 4 2: load 4 8 4 0; 3 at 20 (waits), 4 at 32, 2 at 47.42 <= 60, back at 58.42.
        ["capacity exceeded"] = new([[1, 3, 4, 2], [5, 6]], 3, ["route 1 node 3 load 8 above capacity 7"]),
        // 3 4 1 2: 4 ends at 34, 1 is sqrt(265) away so service starts at 50.28 > 50; 2 at 56.28, back at 67.28.
        ["late at a node"] = new([[3, 4, 1, 2], [5, 6]], 4, ["route 1 node 1 service starts at 50.278821, after due 50"]),
        // 3 5 4 6: load 4 7 3 0; 6 served from 61.4 to 71.4, 10 from the depot: back at 81.4 > 75.
        ["late back at the depot"] = new([[3, 5, 4, 6], [1, 2]], 4, ["route 1 is back at the depot (node 0) at 81.403432, after its due 75"]),
        // Every request alone: three routes, two vehicles.
        ["too many routes"] = new([[1, 2], [3, 4], [5, 6]], 5, ["3 routes, more than the 2 vehicles of tiny"]),
    };

    public static TheoryData<string> OneRuleBrokenNames => [.. OneRuleBroken.Keys];

    [Theory]
    [MemberData(nameof(OneRuleBrokenNames))]
    public void A_solution_that_breaks_one_rule_is_reported_under_that_rule_only(string name)
    {
        var c = OneRuleBroken[name];

        var check = LiLimChecker.Check(TinyInstance(), c.Routes);

        Assert.False(check.Feasible);
        Assert.Equal(c.Violations.Select(v => $"rule {c.Rule}: {v}"), check.Violations);
    }

    [Fact]
    public void A_delivery_first_on_an_empty_vehicle_breaks_rules_2_and_3()
    {
        // 2 1 5 6: the load drops to -4 at 2, then 0 3 0; back at 49.
        var check = LiLimChecker.Check(TinyInstance(), [[2, 1, 5, 6], [3, 4]]);

        Assert.Collection(check.Violations,
            v => Assert.StartsWith("rule 2: route 1 node 2 ", v),
            v => Assert.Equal("rule 3: route 1 node 2 load -4 below 0", v));
    }

    [Fact]
    public void Every_violation_is_reported_in_rule_order()
    {
        // 3 1 2 6 5 then 1 again: 4 never visited, 1 twice, 6 before its pickup 5, load 4 + 4 = 8 at 1; on time (back at 67.71).
        var check = LiLimChecker.Check(TinyInstance(), [[3, 1, 2, 6, 5], [], [1]]);

        int RuleOf(string violation) => int.Parse(violation["rule ".Length..violation.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        var rules = check.Violations.Select(RuleOf).ToArray();
        Assert.Equal(rules.Order(), rules);
        Assert.Contains("rule 1: node 4 (delivery of pickup 3) is never visited", check.Violations);
        Assert.Contains(check.Violations, v => v.StartsWith("rule 1: node 1 (pickup for delivery 2) is visited 2 times", StringComparison.Ordinal));
        Assert.Contains(check.Violations, v => v.StartsWith("rule 2: route 1 node 6 is a delivery at position 4, before its pickup 5", StringComparison.Ordinal));
        Assert.Contains("rule 3: route 1 node 1 load 8 above capacity 7", check.Violations);
        Assert.Equal(2, check.Vehicles);
    }

    [Theory]
    [InlineData("0.3", true)]       // 0.1 + 0.2 = 0.30000000000000004 in doubles: late by rounding only
    [InlineData("0.299999", false)] // late by a millionth: beyond the tolerance
    public void Rounding_noise_on_a_due_time_is_tolerated_but_no_more(string due, bool feasible)
    {
        // Node 1 is 0.1 from the depot with 0.2 of service; its delivery 2 at the same place is due at 0.3.
        var instance = LiLimInstance.Parse("on-time", new StringReader($"""
            1 10 1
            0 0   0  0 0 20    0   0 0
            1 0.1 0  1 0  5    0.2 0 2
            2 0.1 0 -1 0 {due} 0   1 0
            """));
        Assert.True(0.1 + 0.2 > 0.3);

        var check = LiLimChecker.Check(instance, [[1, 2]]);

        Assert.Equal(feasible, check.Feasible);
        if (!feasible) Assert.StartsWith("rule 4: route 1 node 2 service starts at 0.3, after due 0.299999", Assert.Single(check.Violations));
    }

    [Fact]
    public void A_null_route_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => LiLimChecker.Check(TinyInstance(), [[1, 2, 5, 6], null!]));
        Assert.Contains("route 2", e.Message);
    }
}
