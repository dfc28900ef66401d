using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.State;

/// <summary>
/// Everything the engine knows, in dense struct-of-arrays stores, plus the id maps used at the
/// edge (events and queries) and never inside the tick.
/// </summary>
internal sealed class EngineState
{
    public readonly DispatchOptions Options;
    public readonly OrderStore Orders;
    public readonly CourierStore Couriers;
    public readonly SiteStore Sites;
    public readonly Dictionary<long, int> OrderIndex;
    public readonly Dictionary<long, int> CourierIndex;
    public readonly Dictionary<long, int> SiteIndex;

    /// <summary>Orders with status Open.</summary>
    public readonly IndexSet OpenOrders;

    /// <summary>Earliest drop-off an order could have: ready + half pickup + direct travel + half drop-off.</summary>
    public double[] LowerBoundDrop;

    /// <summary>Courier an order was released from (-1 if none), and why: reported when it is re-committed.</summary>
    public int[] ReleasedFrom;
    public PlanChangeReason[] ReleaseReason;

    /// <summary>The drop-off time last told to the caller (at commit or in an ETA change): ETA moves are measured against it, so small moves that add up are reported.</summary>
    public double[] ReportedDrop;

    /// <summary>Plan changes made by events, reported at the next tick.</summary>
    public PlanChange[] PendingChanges;
    public int PendingCount;

    public int Known, Open, Assigned, PickedUp, Delivered, Cancelled;

    /// <summary>True under the general profile: per-order time windows and services are honoured.</summary>
    public readonly bool OrderWindows;

    /// <summary>What route timing reads of the orders (per-order services and earliest drop-offs under the
    /// general profile, the options' fixed services otherwise). Built per use: the store's arrays grow.</summary>
    public StopTimes Times => OrderWindows
        ? new StopTimes(Orders.ReadyAt, Orders.PickupService, Orders.DropoffService, Orders.DeliverAfter)
        : new StopTimes(Orders.ReadyAt, Options.PickupServiceMinutes, Options.DropoffServiceMinutes);

    public EngineState(DispatchOptions options)
    {
        Options = options;
        OrderWindows = options.Profile == DispatchProfile.General;
        Orders = new OrderStore(options.InitialOrderCapacity);
        Couriers = new CourierStore(options.InitialCourierCapacity, options.MaxRouteStops);
        Sites = new SiteStore(options.InitialSiteCapacity);
        OrderIndex = new Dictionary<long, int>(options.InitialOrderCapacity);
        CourierIndex = new Dictionary<long, int>(options.InitialCourierCapacity);
        SiteIndex = new Dictionary<long, int>(options.InitialSiteCapacity);
        OpenOrders = new IndexSet(options.InitialOrderCapacity);
        LowerBoundDrop = new double[options.InitialOrderCapacity];
        ReleasedFrom = new int[options.InitialOrderCapacity];
        ReleaseReason = new PlanChangeReason[options.InitialOrderCapacity];
        ReportedDrop = new double[options.InitialOrderCapacity];
        // Sized so that one plan change per courier between two ticks never grows it.
        PendingChanges = new PlanChange[Math.Max(64, 2 * options.InitialCourierCapacity)];
    }

    public void QueueChange(in PlanChange change)
    {
        if (PendingCount == PendingChanges.Length) Array.Resize(ref PendingChanges, PendingChanges.Length * 2);
        PendingChanges[PendingCount++] = change;
    }

    public void SetStatus(int o, OrderStatus next)
    {
        switch (Orders.Status[o])
        {
            case OrderStatus.Open: Open--; OpenOrders.Remove(o); break;
            case OrderStatus.Assigned: Assigned--; break;
            case OrderStatus.PickedUp: PickedUp--; break;
            case OrderStatus.Delivered: Delivered--; break;
            case OrderStatus.Cancelled: Cancelled--; break;
        }
        Orders.Status[o] = next;
        switch (next)
        {
            case OrderStatus.Open: Open++; OpenOrders.Add(o); break;
            case OrderStatus.Assigned: Assigned++; break;
            case OrderStatus.PickedUp: PickedUp++; break;
            case OrderStatus.Delivered: Delivered++; break;
            case OrderStatus.Cancelled: Cancelled++; break;
        }
    }
}
