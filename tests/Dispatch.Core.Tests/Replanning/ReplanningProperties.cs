namespace Dispatch.Core.Tests.Replanning;

/// <summary>
/// Re-planning under fire, on random instances with couriers to spare: random traffic (citywide factors,
/// sometimes faster than normal, and zones) with <c>TravelTimesChanged</c>, random position reports (on
/// plan or far off), couriers going off shift mid-run, cancellations and ready-time changes, while the
/// couriers follow their current plans. After every step (<see cref="ChaosDriver{T}"/>): every live order
/// is on exactly one route, its courier's; pickups come before drop-offs and not before the (current)
/// ready time; a picked-up order never changes courier and is never released; a reassignment names the
/// courier that released it. At the end nothing is in flight and no order is lost: each is delivered or
/// cancelled (or open only when no courier is left on shift). Even seeds run the traffic rule, odd seeds
/// the plain one (told travel times changed although they did not).
/// </summary>
public class ReplanningProperties
{
    private static void Holds(PlentifulScenario p, int seed, DispatchProfile profile) => Holds(p.Scenario, seed, profile);

    private static void Holds(Scenario s, int seed, DispatchProfile profile)
    {
        var options = new DispatchOptions
        {
            Profile = profile,
            PickupServiceMinutes = s.PickupService,
            DropoffServiceMinutes = s.DropoffService,
            InitialOrderCapacity = 2,
            InitialCourierCapacity = 1,
            InitialSiteCapacity = 1,
        };
        var plain = new EuclideanCeilMinutes(s.MetersPerMinute);
        if ((seed & 1) == 0)
        {
            var model = new TrafficModel(-2000, -2000, 12_000, 12_000, 250, closureDetourMinutes: 5);
            var e = new DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>>(new TrafficAdjusted<EuclideanCeilMinutes>(plain, model), options);
            Check(new ChaosDriver<TrafficAdjusted<EuclideanCeilMinutes>>(e, s, model, seed).Run());
        }
        else
        {
            Check(new ChaosDriver<EuclideanCeilMinutes>(new DispatchEngine<EuclideanCeilMinutes>(plain, options), s, null, seed).Run());
        }
    }

    private static void Check<T>(ChaosDriver<T> d) where T : struct, ITravelTime
    {
        d.CheckEnd();
        if (d.Violations.Count == 0) return;
        Assert.Fail($"{d.Violations.Count} violation(s):\n  {string.Join("\n  ", d.Violations.Take(12))}\n{d.Describe()}");
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Mdrp_profile_loses_and_moves_nothing_under_re_planning(PlentifulScenario p, int seed) => Holds(p, seed, DispatchProfile.Mdrp);

    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Greedy_profile_loses_and_moves_nothing_under_re_planning(PlentifulScenario p, int seed) => Holds(p, seed, DispatchProfile.Greedy);

    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void General_profile_loses_and_moves_nothing_under_re_planning(PlentifulScenario p, int seed) => Holds(p, seed, DispatchProfile.General);

    /// <summary>With time windows the world breaks (traffic, late kitchens, couriers behind): nothing crashes or is
    /// lost, broken windows are reported as ETA changes, and an order whose window can no longer be kept stays open.</summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void General_profile_with_time_windows_loses_and_moves_nothing_under_re_planning(WindowedScenario w, int seed) => Holds(w.Scenario, seed, DispatchProfile.General);

    /// <summary>The events really happen in these runs (the property is not vacuous).</summary>
    [Fact]
    public void The_driver_exercises_every_kind_of_re_plan()
    {
        var gen = ScenarioArbitrary.ScenarioGen(plentiful: true);
        int traffic = 0, reports = 0, releases = 0, reassigned = 0, etas = 0, off = 0, cancels = 0;
        for (int seed = 0; seed < 40; seed += 2)
        {
            var s = FsCheck.Fluent.Gen.Sample(gen, 1, new FsCheck.Rnd((ulong)seed + 1), 10).First();
            foreach (var profile in new[] { DispatchProfile.General, DispatchProfile.Mdrp })
            {
                var model = new TrafficModel(-2000, -2000, 12_000, 12_000, 250);
                var options = new DispatchOptions { Profile = profile, PickupServiceMinutes = s.PickupService, DropoffServiceMinutes = s.DropoffService };
                var e = new DispatchEngine<TrafficAdjusted<EuclideanCeilMinutes>>(new TrafficAdjusted<EuclideanCeilMinutes>(new EuclideanCeilMinutes(s.MetersPerMinute), model), options);
                var d = new ChaosDriver<TrafficAdjusted<EuclideanCeilMinutes>>(e, s, model, seed).Run();
                d.CheckEnd();
                Assert.True(d.Violations.Count == 0, string.Join("\n", d.Violations) + "\n" + d.Describe());
                traffic += d.TrafficChanges; reports += d.PositionReports; releases += d.Releases;
                reassigned += d.Reassignments; etas += d.EtaChanges; off += d.OffShift.Count; cancels += d.Cancelled.Count;
            }
        }
        Assert.True(traffic > 0 && reports > 0 && releases > 0 && reassigned > 0 && etas > 0 && off > 0 && cancels > 0,
            $"traffic {traffic}, reports {reports}, releases {releases}, reassigned {reassigned}, ETA changes {etas}, off shift {off}, cancels {cancels}");
    }
}
