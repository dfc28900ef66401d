using Dispatch.Model;
using Dispatch.Server.LiveView;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>The live view's per-order ETA slots: the latest change wins, what it folds is counted, a finished order's slot is reused.</summary>
public class LiveEtasTests
{
    private static PlanChange Eta(long order, double before, double after, PlanChangeReason reason = PlanChangeReason.CourierAhead) =>
        new(PlanChangeKind.EtaChanged, order, 7, 10, reason, before, after);

    [Fact]
    public void Changes_of_one_order_fold_into_its_latest_keeping_the_first_previous_time_and_the_count()
    {
        var e = new LiveEtas();
        e.Report(Eta(1, 30, 32, PlanChangeReason.CourierBehind), 5);
        e.Report(Eta(1, 32, 35), 6);
        e.Report(Eta(2, 40, 41), 6);
        e.Report(Eta(1, 35, 33), 9);
        var taken = Drain(e);
        Assert.Equal(2, taken.Count);
        var one = taken.Single(r => r.Order == 1);
        Assert.Equal((30.0, 33.0, 3, 9L), (one.Previous, one.Drop, one.Changes, one.RingSeq));
        Assert.True(one.Has(PlanChangeReason.CourierBehind) && one.Has(PlanChangeReason.CourierAhead));
        Assert.Equal(PlanChangeReason.CourierAhead, one.Reason);
        Assert.Empty(Drain(e));
        e.Report(Eta(1, 33, 31), 10);
        var again = Assert.Single(Drain(e));
        Assert.Equal((33.0, 31.0, 1), (again.Previous, again.Drop, again.Changes)); // a fresh run after the take
    }

    [Fact]
    public void A_finished_orders_slot_goes_to_the_next_order_and_the_table_grows_past_its_first_size()
    {
        var e = new LiveEtas();
        e.Report(Eta(1, 0, 5), 0);
        e.Forget(1);
        e.Report(Eta(2, 0, 6), 0);
        Assert.Equal(1, e.Count); // order 2 took order 1's slot
        Assert.Equal(2, Assert.Single(Drain(e)).Order);
        for (int i = 10; i < 3010; i++) e.Report(Eta(i, 0, i), 0);
        var all = Drain(e);
        Assert.Equal(3000, all.Count);
        Assert.All(all, r => Assert.Equal((double)r.Order, r.Drop));
    }

    private static List<EtaReport> Drain(LiveEtas e)
    {
        var list = new List<EtaReport>();
        for (int i = 0; i < e.Count; i++) if (e.Pending(i)) list.Add(e.Take(i));
        return list;
    }
}
