using Dispatch.Client.Following;
using Dispatch.Protocol;
using FsCheck.Xunit;
using static Dispatch.Client.Tests.Following.PlanFollowerTests;

namespace Dispatch.Client.Tests.Following;

/// <summary>
/// <see cref="PlanFollower"/> under any sequence of pushes a server could send (plans, re-plans, releases, ETA changes,
/// the caller's cancels, the clock moving on): a stop is confirmed at most once, a drop-off only after its pickup and
/// never at an earlier time, nothing before its time or the caller's clock; and once every order still open is planned
/// again, each is delivered exactly once and nothing is left queued or counted on a courier.
/// </summary>
public sealed class PlanFollowerProperties
{
    private const int Orders = 6, Couriers = 3;

    [Property(MaxTest = 300)]
    public void Any_push_sequence_confirms_each_stop_once_and_a_drop_off_after_its_pickup(int[] operations)
    {
        var f = new PlanFollower();
        var picked = new Dictionary<long, double>();
        var delivered = new HashSet<long>();
        var forgotten = new HashSet<long>();
        double clock = 0;

        void TakeDue()
        {
            while (f.TryTakeDue(clock, out var stop))
            {
                Assert.True(stop.At <= clock, $"{stop} taken at {clock}");
                if (stop.Kind == WireStopKind.Pickup)
                {
                    Assert.True(picked.TryAdd(stop.OrderId, stop.At), $"{stop}: picked up twice");
                }
                else
                {
                    Assert.True(picked.TryGetValue(stop.OrderId, out double pickedAt), $"{stop}: delivered before its pickup");
                    Assert.True(stop.At >= pickedAt, $"{stop}: delivered before its pickup at {pickedAt}");
                    Assert.True(delivered.Add(stop.OrderId), $"{stop}: delivered twice");
                }
                Assert.DoesNotContain(stop.OrderId, forgotten);
            }
        }

        foreach (int op in operations ?? [])
        {
            uint x = (uint)op;
            long order = x / 5 % Orders, courier = x / 30 % Couriers;
            double offset = x / 90 % 10;
            switch (x % 5)
            {
                case 0: f.Follow(Plan(courier, Pickup(order, clock + offset), Dropoff(order, clock + offset + 1 + x % 3)), notBefore: clock); break;
                case 1: f.Release(order, x % 2 == 0 ? -1 : courier); break;
                case 2: f.Retime(order, clock + offset, notBefore: clock); break;
                case 3: if (!delivered.Contains(order)) { f.Forget(order); forgotten.Add(order); } break;
                default: clock += 1 + offset; TakeDue(); break;
            }
        }

        // Every order still open planned once more: each is delivered, exactly once, and nothing is left.
        for (long order = 0; order < Orders; order++)
            f.Follow(Plan(0, Pickup(order, clock + 1), Dropoff(order, clock + 2)), notBefore: clock);
        clock += 20; // past every earlier plan too (offsets stay below 14), so the superseded entries are gone as well
        TakeDue();
        for (long order = 0; order < Orders; order++)
            Assert.True(delivered.Contains(order) != forgotten.Contains(order), $"order {order}: delivered {delivered.Contains(order)}, forgotten {forgotten.Contains(order)}");
        Assert.Equal(0, f.Queued);
        for (long courier = 0; courier < Couriers; courier++) Assert.Equal(0, f.PlannedOrders(courier));
    }
}
