namespace Dispatch.Core.Tests;

/// <summary>
/// The engine driven like the simulator (place at placement time, tick every minute, confirm stops at
/// their planned times) on random small instances, for every profile. Each property checks the
/// invariants of <see cref="Invariants"/>: an order is assigned once and never moves between couriers,
/// no pickup before ready or after the shift end, no assignment before placement, pickup before
/// drop-off, planned times consistent with travel times; MDRP rules for Mdrp and Greedy; capacity
/// for General.
/// </summary>
public class EngineProperties
{
    private static void AssertNoViolations(Simulation sim, List<string> violations)
    {
        if (violations.Count == 0) return;
        Assert.Fail($"{violations.Count} violation(s):\n  {string.Join("\n  ", violations.Take(15))}\n{sim.Scenario}{sim.Describe()}");
    }

    private static void Holds(Scenario s, DispatchProfile profile)
    {
        var sim = new Simulation(s, profile).Run();
        var v = Invariants.Check(sim, profile);
        if (profile == DispatchProfile.General) v.AddRange(CapacityCheck.Check(sim));
        AssertNoViolations(sim, v);
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Mdrp_profile_keeps_the_invariants(Scenario s) => Holds(s, DispatchProfile.Mdrp);

    [Property(MaxTest = 200, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Greedy_profile_keeps_the_invariants(Scenario s) => Holds(s, DispatchProfile.Greedy);

    [Property(MaxTest = 200, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void General_profile_keeps_the_invariants(Scenario s) => Holds(s, DispatchProfile.General);

    [Property(MaxTest = 200, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Reyes_profile_keeps_the_invariants(Scenario s) => Holds(s, DispatchProfile.Reyes);

    /// <summary>With the large-problem threshold at 3 open orders, the ticks of one engine switch between the full candidate
    /// lists (<see cref="DispatchOptions.CandidateCouriersPerSite"/>) and the short ones, and with them the stride of the
    /// planner's per-site and per-row arrays, which are sized for both: the invariants hold across the switches.</summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Mdrp_profile_keeps_the_invariants_across_the_large_problem_threshold(Scenario s)
    {
        var sim = new Simulation(s, DispatchProfile.Mdrp, largeProblemOpenOrders: 3).Run();
        AssertNoViolations(sim, Invariants.Check(sim, DispatchProfile.Mdrp));
    }

    private static void AllDelivered(PlentifulScenario p, DispatchProfile profile)
    {
        var sim = new Simulation(p.Scenario, profile).Run();
        var v = Invariants.Check(sim, profile);
        if (sim.DroppedAt.Count != p.Scenario.Orders.Length)
            v.Add($"{sim.DroppedAt.Count} of {p.Scenario.Orders.Length} orders delivered (counts {sim.Engine.Counts})");
        AssertNoViolations(sim, v);
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Mdrp_profile_delivers_every_order_when_couriers_are_plentiful(PlentifulScenario p) => AllDelivered(p, DispatchProfile.Mdrp);

    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Greedy_profile_delivers_every_order_when_couriers_are_plentiful(PlentifulScenario p) => AllDelivered(p, DispatchProfile.Greedy);

    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void General_profile_delivers_every_order_when_couriers_are_plentiful(PlentifulScenario p) => AllDelivered(p, DispatchProfile.General);

    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Reyes_profile_delivers_every_order_when_couriers_are_plentiful(PlentifulScenario p) => AllDelivered(p, DispatchProfile.Reyes);
}
