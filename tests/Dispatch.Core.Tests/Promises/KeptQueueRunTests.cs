using Dispatch.Promises;

namespace Dispatch.Core.Tests.Promises;

/// <summary>
/// The estimator keeps its queue simulations between quotes (<see cref="DropoffEstimator"/>): every quote and every
/// placement's recorded estimate must still be, to the bit, what the straightforward simulation from scratch
/// (<see cref="StraightforwardQueueSimulation"/>, the code before the change) gives on the same state. Random worlds
/// driven through every kind of change the engine takes (placements in bursts at one minute, quotes, ticks, pickups and
/// drop-offs, cancels, couriers moving, going off and on shift, ready-time changes, sites added), each followed by
/// quotes at ready times equal to, between and beyond the open orders'; and a city past the 2,048-order queue limit.
/// </summary>
public class KeptQueueRunTests
{
    [Property(MaxTest = 60)]
    public void Every_quote_and_placement_matches_the_straightforward_simulation(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        var e = EngineFactory.Create((DispatchProfile)(seed.Get % 3));
        var w = new World(e, rng);
        int sites = 1 + rng.Next(4);
        for (int s = 0; s < sites; s++) w.AddSite();
        int couriers = 1 + rng.Next(6);
        for (int c = 0; c < couriers; c++) w.OnShift(0);
        double now = 0;
        for (int step = 0; step < 40; step++)
        {
            switch (rng.Next(12))
            {
                case 0: case 1: case 2: w.PlaceBurst(now, 1 + rng.Next(6)); break;
                case 3: case 4: w.Tick(now); now += rng.Next(3); w.ConfirmDue(now); break;
                case 5: w.Cancel(now); break;
                case 6: w.Move(now); break;
                case 7: w.OffShift(now); break;
                case 8: w.OnShift(now); break;
                case 9: w.ChangeReady(now); break;
                case 10: w.AddSite(); break;
                default: now += 1; break; // a later now with nothing else changed
            }
            w.CheckQuotes(now, 6);
        }
        Assert.True(w.Checked > 0);
    }

    [Fact]
    public void A_city_past_the_queue_limit_quotes_as_the_straightforward_simulation()
    {
        var rng = new Random(11);
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        var w = new World(e, rng, side: 60_000);
        for (int s = 0; s < 400; s++) w.AddSite();
        for (int c = 0; c < 900; c++) w.OnShift(rng.Next(0, 20));
        w.PlaceBurst(0, 2600, check: 40);
        w.CheckQuotes(0, 60);
        var (reused, started, _) = e.QueueRuns;
        Assert.True(reused > started, $"kept runs answered {reused} quotes, {started} started: the reuse this is for did not happen");
        w.Tick(0);
        w.PlaceBurst(0, 100, check: 20);
        w.CheckQuotes(0, 30);
        w.Tick(1);
        w.ConfirmDue(3);
        w.CheckQuotes(3, 30);
    }

    [Fact]
    public void Quotes_each_at_a_new_now_hold_one_run_not_a_run_each()
    {
        // A wall clock gives every quote its own now; a run answers only at its own, so keeping one per quote would fill
        // the budget (tens of MB at city scale) with runs no quote can use.
        var rng = new Random(5);
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        var w = new World(e, rng);
        for (int s = 0; s < 20; s++) w.AddSite();
        for (int c = 0; c < 40; c++) w.OnShift(0);
        for (int k = 0; k < 40; k++) w.PlaceBurst(k / 100.0, 1, check: 1);
        for (int q = 1; q <= 50; q++) w.CheckQuotes(1 + q / 60.0, 1);
        var (_, started, held) = e.QueueRuns;
        Assert.True(started >= 90, $"{started} runs started for 90 quotes and placements at 90 nows");
        Assert.Equal(1, held);
    }

    [Fact]
    public void Runs_unused_for_ten_minutes_are_let_go_at_a_tick()
    {
        var rng = new Random(7);
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        var w = new World(e, rng);
        for (int s = 0; s < 10; s++) w.AddSite();
        for (int c = 0; c < 20; c++) w.OnShift(0);
        w.PlaceBurst(0, 60, check: 1);
        w.CheckQuotes(0, 20);
        Assert.True(e.QueueRuns.Held > 1, $"{e.QueueRuns.Held} runs held after a burst at one minute");
        w.Tick(5);
        Assert.True(e.QueueRuns.Held > 1, "runs used five minutes ago were let go");
        w.Tick(11);
        Assert.Equal(0, e.QueueRuns.Held);
        // And quoting after it is as before: same answers as the straightforward simulation.
        w.CheckQuotes(11, 10);
    }

    /// <summary>A random world and the checks against the oracle.</summary>
    private sealed class World(DispatchEngine<EuclideanCeilMinutes> e, Random rng, double side = 8000)
    {
        private readonly StraightforwardQueueSimulation _oracle = new();
        private readonly List<long> _sites = [], _couriers = [], _orders = [];
        private long _nextId = 1000;
        public int Checked;

        public void AddSite()
        {
            long id = _nextId++;
            e.AddSite(id, rng.Next(0, (int)side), rng.Next(0, (int)side));
            _sites.Add(id);
        }

        public void OnShift(double now)
        {
            long id = _nextId++;
            double start = now + rng.Next(0, 15);
            e.CourierOnShift(new CourierShift(id, rng.Next(0, (int)side), rng.Next(0, (int)side), start, start + 60 + rng.Next(0, 240)), now);
            _couriers.Add(id);
        }

        public void OffShift(double now)
        {
            if (_couriers.Count == 0) return;
            long id = _couriers[rng.Next(_couriers.Count)];
            if (e.TryGetCourier(id, out var v) && v.OnShift) e.CourierOffShift(id, now);
        }

        public void Move(double now)
        {
            if (_couriers.Count == 0) return;
            long id = _couriers[rng.Next(_couriers.Count)];
            if (e.TryGetCourier(id, out _)) e.UpdateCourierPosition(id, rng.Next(0, (int)side), rng.Next(0, (int)side), now);
        }

        /// <summary>Orders placed one after another at <paramref name="now"/>, each placement's estimate checked (every
        /// one, or every <paramref name="check"/>-th: the oracle costs a full simulation).</summary>
        public void PlaceBurst(double now, int n, int check = 1)
        {
            for (int i = 0; i < n; i++)
            {
                long id = _nextId++;
                long site = _sites[rng.Next(_sites.Count)];
                // Whole minutes, so quotes often share a ready time with open orders (the kept runs' case), and some not.
                double ready = now + (rng.Next(4) == 0 ? rng.NextDouble() * 30 : rng.Next(0, 30));
                e.PlaceOrder(new OrderRequest(id, site, rng.Next(0, (int)side), rng.Next(0, (int)side), now, ready), now);
                _orders.Add(id);
                if (i % check != 0) continue;
                var s = e.StateForQuotes;
                int o = s.OrderIndex[id];
                int slot = s.SiteIndex[site];
                var travel = e.Travel;
                var want = _oracle.Run(s, ref travel, slot, s.Orders.DropX[o], s.Orders.DropY[o], ready, e.KitchenLateness(slot), o, now);
                Assert.True(e.TryGetPromise(id, out var p));
                if (double.IsPositiveInfinity(want.Dropoff)) Assert.True(double.IsNaN(p.PointEstimate), $"placement {id}: {p.PointEstimate}, the oracle none");
                else
                {
                    Assert.Equal(want.Dropoff, p.PointEstimate);
                    // The wait band (the demand band comes from the recent placements, which the oracle does not model).
                    Assert.Equal(PromiseSituation.Bucket(want.Wait, 0), p.Situation % PromiseSituation.WaitBuckets);
                }
                Checked++;
            }
        }

        /// <summary>Read-only quotes at ready times equal to open orders', between them and beyond, each against the oracle.</summary>
        public void CheckQuotes(double now, int n)
        {
            var s = e.StateForQuotes;
            for (int q = 0; q < n; q++)
            {
                long site = _sites[rng.Next(_sites.Count)];
                int slot = s.SiteIndex[site];
                var open = s.OpenOrders.Items;
                double ready = rng.Next(3) switch
                {
                    0 when open.Length > 0 => s.Orders.ReadyAt[open[rng.Next(open.Length)]],
                    1 => now + rng.NextDouble() * 35,
                    _ => now + rng.Next(0, 35),
                };
                double x = rng.Next(0, (int)side), y = rng.Next(0, (int)side);
                var got = e.QuoteEstimate(site, x, y, ready, now);
                var travel = e.Travel;
                var want = _oracle.Run(s, ref travel, slot, x, y, ready, e.KitchenLateness(slot), -1, now);
                Assert.Equal(want.Dropoff, got.Dropoff);
                Assert.Equal(want.Wait, got.Wait);
                Checked++;
            }
        }

        public void Tick(double now)
        {
            var sink = new RecordingSink(new Recorder());
            e.Tick(now, ref sink);
        }

        /// <summary>Every courier confirms the stops of its route due by <paramref name="now"/>, in order.</summary>
        public void ConfirmDue(double now)
        {
            foreach (long c in _couriers)
            {
                foreach (var stop in e.Route(c))
                {
                    if (stop.ServiceAt > now) break;
                    if (stop.Kind == StopKind.Pickup) e.ConfirmPickup(stop.OrderId, stop.ServiceAt, now);
                    else e.ConfirmDropoff(stop.OrderId, stop.ServiceAt, now);
                }
            }
        }

        public void Cancel(double now)
        {
            if (_orders.Count == 0) return;
            long id = _orders[rng.Next(_orders.Count)];
            var st = e.GetOrderStatus(id);
            if (st == OrderStatus.Open || st == OrderStatus.Assigned) e.CancelOrder(id, now);
        }

        public void ChangeReady(double now)
        {
            if (_orders.Count == 0) return;
            long id = _orders[rng.Next(_orders.Count)];
            var st = e.GetOrderStatus(id);
            if (st != OrderStatus.Open && st != OrderStatus.Assigned) return;
            var s = e.StateForQuotes;
            e.ChangeReadyTime(id, Math.Max(s.Orders.PlacedAt[s.OrderIndex[id]], now + rng.Next(-5, 20)), now);
        }
    }
}
