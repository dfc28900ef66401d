using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dispatch.Protocol;

namespace Dispatch.Client.Following;

/// <summary>
/// A fleet of couriers that do exactly what the pushed plans say (the MDRP courier), for a client that simulates them
/// over the protocol: it hears Assignment pushes and plan changes, and hands back the pickups and drop-offs that fall
/// due at a given time, each at its planned service time, for the caller to send as ConfirmPickup / ConfirmDropoff.
/// The stop rule, in one place:
/// <list type="bullet">
/// <item>A later plan for a stop (an updated assignment, an ETA change) supersedes the earlier one: the earlier entry stays
/// queued but is dropped when its time comes, so a stop is confirmed at the time of its latest plan, once.</item>
/// <item>A drop-off is confirmed only after its pickup (a drop-off whose pickup was superseded or released waits for the
/// next plan), and once an order is delivered or forgotten no later plan for it counts.</item>
/// <item>A release or cancellation takes the order's stops off its courier, unless the courier has already picked it up
/// (it still delivers what it carries) or a newer plan already gave the order to another courier.</item>
/// <item>At equal times pickups before drop-offs, each kind in the order planned: a pickup and the drop-off of the same
/// order due at the same time are both confirmed, in that order. (The engine applies a batch's confirmations one by one
/// and may break later ties by what it heard first, so this order is part of what a fleet plays.)</item>
/// </list>
/// Single-threaded. It remembers every order it heard of (a few words each) so that a late push for a finished order
/// changes nothing: one follower per simulated day or run.
/// </summary>
public sealed class PlanFollower
{
    private readonly PriorityQueue<Entry, (double At, int Kind, long Seq)> _due = new();
    private readonly Dictionary<long, Tracked> _orders = new();
    private readonly Dictionary<long, int> _plannedOn = new();
    private long _seq;

    /// <summary>A queued confirmation: the version says whether it is still the latest plan for its stop.</summary>
    private readonly record struct Entry(long OrderId, WireStopKind Kind, int Version);

    private enum Progress : byte { Planned, PickedUp, Finished }

    /// <summary>What the fleet knows of one order: its courier (-1: none), the latest plan of each stop, how far it got.</summary>
    private struct Tracked
    {
        public long Courier;
        public int PickupVersion, DropoffVersion;
        public Progress Progress;
    }

    /// <summary>
    /// Queued confirmations, superseded ones included until their time comes (they are dropped then): zero once nothing
    /// is left to confirm or to drop.
    /// </summary>
    public int Queued => _due.Count;

    /// <summary>Orders whose latest plan is on <paramref name="courierId"/> and that it has not delivered yet.</summary>
    public int PlannedOrders(long courierId) => _plannedOn.GetValueOrDefault(courierId);

    /// <summary>
    /// Follows an Assignment push: every stop is to be confirmed at its service time, or at <paramref name="notBefore"/>
    /// if that is later (a confirmation may not be earlier than the caller's clock).
    /// </summary>
    public void Follow(AssignmentMessage assignment, double notBefore = double.NegativeInfinity)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        foreach (var stop in assignment.Stops) Follow(assignment.CourierId, stop, notBefore);
    }

    /// <summary>Follows one stop of an Assignment push of <paramref name="courierId"/> (for a caller that skips some stops).</summary>
    public void Follow(long courierId, in WireStop stop, double notBefore = double.NegativeInfinity)
    {
        ref var order = ref Track(stop.OrderId);
        if (order.Progress == Progress.Finished) return;
        if (order.Courier != courierId)
        {
            Unassign(ref order);
            order.Courier = courierId;
            CollectionsMarshal.GetValueRefOrAddDefault(_plannedOn, courierId, out _)++;
        }
        if (stop.Kind == WireStopKind.Pickup)
        {
            // Picked up already: the courier has the food, a plan cannot send it back to the restaurant.
            if (order.Progress == Progress.PickedUp) return;
            Enqueue(stop.OrderId, WireStopKind.Pickup, ++order.PickupVersion, Math.Max(notBefore, stop.ServiceAt));
        }
        else
        {
            Enqueue(stop.OrderId, WireStopKind.Dropoff, ++order.DropoffVersion, Math.Max(notBefore, stop.ServiceAt));
        }
    }

    /// <summary>
    /// An EtaChanged push: the order's drop-off is now planned at <paramref name="dropoffAt"/> (not before
    /// <paramref name="notBefore"/>). A time that is not finite, or an order already delivered or forgotten, changes nothing.
    /// </summary>
    public void Retime(long orderId, double dropoffAt, double notBefore = double.NegativeInfinity)
    {
        if (!double.IsFinite(dropoffAt)) return;
        ref var order = ref Track(orderId);
        if (order.Progress == Progress.Finished) return;
        Enqueue(orderId, WireStopKind.Dropoff, ++order.DropoffVersion, Math.Max(notBefore, dropoffAt));
    }

    /// <summary>
    /// A Released or Cancelled push for the order on <paramref name="courierId"/> (-1: whichever courier has it): its
    /// queued stops are dropped and it has no courier until a new plan. Nothing changes if the courier has picked it up
    /// already or the latest plan is another courier's.
    /// </summary>
    public void Release(long orderId, long courierId = -1)
    {
        ref var order = ref CollectionsMarshal.GetValueRefOrNullRef(_orders, orderId);
        if (Unsafe.IsNullRef(ref order) || order.Progress != Progress.Planned) return;
        if (courierId >= 0 && order.Courier != courierId) return;
        order.PickupVersion++;
        order.DropoffVersion++;
        Unassign(ref order);
    }

    /// <summary>
    /// The order leaves the fleet for good (the caller cancelled it): its queued stops are dropped and later plans for
    /// it are ignored.
    /// </summary>
    public void Forget(long orderId)
    {
        ref var order = ref Track(orderId);
        if (order.Progress == Progress.Finished) return;
        Unassign(ref order);
        order.Progress = Progress.Finished;
    }

    /// <summary>
    /// The next stop due at or before <paramref name="upTo"/>, earliest first, at its planned time; false when none is
    /// left. A taken pickup counts as done (its drop-off may follow), a taken drop-off as delivered.
    /// </summary>
    public bool TryTakeDue(double upTo, out DueStop stop)
    {
        while (_due.TryPeek(out var entry, out var key) && key.At <= upTo)
        {
            _due.Dequeue();
            ref var order = ref CollectionsMarshal.GetValueRefOrNullRef(_orders, entry.OrderId);
            if (entry.Kind == WireStopKind.Pickup)
            {
                if (entry.Version != order.PickupVersion || order.Progress != Progress.Planned) continue;
                order.Progress = Progress.PickedUp;
            }
            else
            {
                // Not picked up (its pickup was superseded or released since): no drop-off before the next plan's pickup.
                if (entry.Version != order.DropoffVersion || order.Progress != Progress.PickedUp) continue;
                long courier = order.Courier;
                Unassign(ref order);
                order.Courier = courier; // still the one who delivered it, for the caller
                order.Progress = Progress.Finished;
            }
            stop = new DueStop(entry.OrderId, entry.Kind, key.At, order.Courier);
            return true;
        }
        stop = default;
        return false;
    }

    private ref Tracked Track(long orderId)
    {
        ref var order = ref CollectionsMarshal.GetValueRefOrAddDefault(_orders, orderId, out bool known);
        if (!known) order.Courier = -1;
        return ref order;
    }

    /// <summary>Takes the order off its courier's count; it has no courier afterwards.</summary>
    private void Unassign(ref Tracked order)
    {
        if (order.Courier >= 0 && --CollectionsMarshal.GetValueRefOrNullRef(_plannedOn, order.Courier) == 0) _plannedOn.Remove(order.Courier);
        order.Courier = -1;
    }

    private void Enqueue(long orderId, WireStopKind kind, int version, double at)
    {
        _due.Enqueue(new Entry(orderId, kind, version), (at, (int)kind, _seq++));
    }
}
