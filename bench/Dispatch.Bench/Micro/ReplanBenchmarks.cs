using BenchmarkDotNet.Attributes;

namespace Dispatch.Bench.Micro;

/// <summary>
/// Re-planning after one courier goes offline, at 1,000 active couriers each carrying a committed
/// assignment (a city of 250 restaurants, 12 km wide). <see cref="CourierOffline"/> is the re-plan itself:
/// the engine releases that courier's not-yet-picked-up orders, re-times what it keeps and queues the
/// plan changes, touching nothing else. <see cref="CourierOfflineThenTick"/> adds the next tick, in which
/// the released orders are matched to other couriers (a full tick: it also looks at every other open
/// order). Each invocation takes a different courier offline, so every iteration rebuilds the city in
/// [IterationSetup] (not measured). Must show 0 B allocated.
/// </summary>
[InvocationCount(200, 1)]
public class ReplanBenchmarks
{
    private const int Couriers = 1000;
    private const double Now = 600;
    private DispatchEngine<EuclideanCeilMinutes> _engine = null!;
    private int _next;
    private double _clock;

    [IterationSetup]
    public void Setup()
    {
        var rng = new Random(7);
        _engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), new DispatchOptions
        {
            InitialOrderCapacity = 4 * Couriers, InitialCourierCapacity = Couriers, InitialSiteCapacity = 256,
        });
        const int sites = 250;
        const double side = 12_000;
        for (int s = 0; s < sites; s++) _engine.AddSite(s, Math.Round(rng.NextDouble() * side), Math.Round(rng.NextDouble() * side));
        for (int c = 0; c < Couriers; c++)
            _engine.CourierOnShift(new CourierShift(c, Math.Round(rng.NextDouble() * side), Math.Round(rng.NextDouble() * side), 0, Now + 240), 0);
        // One order ready now per courier: each is committed at once, so every courier has a plan.
        for (int o = 0; o < Couriers; o++)
            _engine.PlaceOrder(new OrderRequest(o, rng.Next(sites), Math.Round(rng.NextDouble() * side), Math.Round(rng.NextDouble() * side), Now - 10, Now), Now - 10);
        // Spare open orders, ready later, so the next tick has a realistic matching to do.
        for (int o = Couriers; o < Couriers + 300; o++)
            _engine.PlaceOrder(new OrderRequest(o, rng.Next(sites), Math.Round(rng.NextDouble() * side), Math.Round(rng.NextDouble() * side), Now - 5, Now + 20 + rng.Next(20)), Now - 5);
        var sink = new NullSink();
        _engine.Tick(Now, ref sink);
        _engine.Tick(Now, ref sink); // warm buffers at the working size
        if (_engine.Counts.Assigned < Couriers * 9 / 10) throw new InvalidOperationException($"only {_engine.Counts.Assigned} orders committed in setup");
        _next = 0;
        _clock = Now;
    }

    [Benchmark]
    public int CourierOffline()
    {
        int c = _next++;
        _clock += 0.001;
        _engine.CourierOffShift(c, _clock);
        return c;
    }

    [Benchmark]
    public int CourierOfflineThenTick()
    {
        int c = _next++;
        _clock += 0.001;
        _engine.CourierOffShift(c, _clock);
        var sink = new NullSink();
        return _engine.Tick(_clock, ref sink);
    }
}
