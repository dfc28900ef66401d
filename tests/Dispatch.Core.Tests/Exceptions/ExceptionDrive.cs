namespace Dispatch.Core.Tests.Exceptions;

/// <summary>
/// A small city run with exceptions: couriers follow the plan (stops confirmed at their planned times), and orders
/// chosen by a seeded draw fail at the door (some returned), go to the wrong customer, or change in the kitchen (and
/// some of those are cancelled). Everything the engine reports is logged as text, so two engines can be compared.
/// </summary>
internal sealed class ExceptionDrive
{
    public readonly List<string> Log = new();
    private readonly OrderRequest[] _orders;
    private readonly int _seed;
    private readonly Dictionary<long, double> _wrongAt = new();

    public ExceptionDrive(OrderRequest[] orders, int seed)
    {
        _orders = orders;
        _seed = seed;
    }

    /// <summary>The scenario: 6 sites, 5 couriers of capacity 3, <paramref name="n"/> orders over 120 minutes.</summary>
    public static OrderRequest[] Setup(DispatchEngine<EuclideanCeilMinutes> e, int seed, int n)
    {
        var rng = new Random(seed);
        for (int s = 0; s < 6; s++) e.AddSite(s, rng.Next(6000), rng.Next(6000));
        for (int c = 0; c < 5; c++) e.CourierOnShift(new CourierShift(c, rng.Next(6000), rng.Next(6000), rng.Next(20), 400, 3), 0);
        return Enumerable.Range(0, n).Select(i =>
        {
            int placed = rng.Next(120);
            return new OrderRequest(i, rng.Next(6), rng.Next(6000), rng.Next(6000), placed, placed + 5 + rng.Next(15), 1 + rng.Next(2));
        }).ToArray();
    }

    /// <summary>A deterministic draw in [0, 1) per order and purpose, from the seed (no state: a restored run draws the same).</summary>
    // HashCode.Combine is seeded per process, so it would make the drive differ from run to run: a fixed mix instead.
    private double Draw(long id, int purpose)
    {
        ulong z = unchecked((ulong)_seed * 0x9E3779B97F4A7C15UL + (ulong)id * 0xBF58476D1CE4E5B9UL + (ulong)purpose * 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    public void Run(DispatchEngine<EuclideanCeilMinutes> e, int from, int to)
    {
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int t = from; t < to; t++)
        {
            foreach (var o in _orders)
            {
                if (o.PlacedAt == t) e.PlaceOrder(o, t);
                if (o.PlacedAt + 2 == t && e.GetOrderStatus(o.OrderId) is OrderStatus.Open or OrderStatus.Assigned && Draw(o.OrderId, 1) < 0.2)
                {
                    e.ChangeOrder(o.OrderId, o.ReadyAt + 8, o.Size > 1 ? o.Size - 1 : null, t);
                    if (Draw(o.OrderId, 2) < 0.3) e.CancelOrder(o.OrderId, t);
                }
                Confirm(e, o.OrderId, t);
            }
            e.Tick(t, ref sink);
            Check(e);
            foreach (var a in rec.Assignments) Log.Add($"{t} assign {a.Info} {string.Join(",", a.Stops)}");
            foreach (var c in rec.Changes) Log.Add($"{t} change {c}");
            rec.Assignments.Clear();
            rec.Changes.Clear();
        }
        Log.Add($"end {e.Counts} {e.Exceptions}");
    }

    private void Confirm(DispatchEngine<EuclideanCeilMinutes> e, long id, int t)
    {
        if (!e.TryGetOrder(id, out var v)) return;
        if (v.Status == OrderStatus.Assigned && v.PlannedPickup <= t) e.ConfirmPickup(id, v.PlannedPickup, t);
        else if (v.Status == OrderStatus.PickedUp && v.PlannedDropoff <= t)
        {
            // The first trip of a drawn order fails at the door (a few of those are returned); a re-made one gets through.
            if (e.RemakesOf(id) == 0 && Draw(id, 3) < 0.15)
            {
                bool returned = Draw(id, 4) < 0.2;
                e.DeliveryFailed(id, v.PlannedDropoff, (DeliveryFailureReason)(id % 5), t, returned: returned);
                Log.Add($"{t} failed {id} returned={returned}");
                return;
            }
            e.ConfirmDropoff(id, v.PlannedDropoff, t);
            if (e.RemakesOf(id) == 0 && Draw(id, 5) < 0.1) _wrongAt[id] = t + 3;
        }
        else if (v.Status == OrderStatus.Delivered && _wrongAt.TryGetValue(id, out double w) && w == t)
        {
            e.WrongOrderDelivered(id, t, t);
            Log.Add($"{t} wrong {id}");
        }
    }

    /// <summary>Counts add up: every order placed is in exactly one status, the re-makes are those reported.</summary>
    private static void Check(DispatchEngine<EuclideanCeilMinutes> e)
    {
        var k = e.Counts;
        Assert.Equal(k.Known, k.Open + k.Assigned + k.PickedUp + k.Delivered + k.Cancelled + k.Returned);
        var x = e.Exceptions;
        Assert.Equal(x.Remakes, x.FailedDeliveries - x.Returned + x.WrongDeliveries);
        Assert.True(x.RemadeDelivered <= x.Remakes);
    }
}
