using Dispatch.Cluster.Regions;
using Dispatch.Engine;
using Dispatch.Hosting;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Handoff;

/// <summary>
/// What each hand-off record does to a region: the engine change through the one command router (a courier off shift or
/// on shift, exactly as those commands do it) and the ledger change. The same code applies a record live and at replay,
/// so a rebuilt region holds exactly what the live one held.
/// </summary>
internal static class HandoffSteps
{
    /// <summary>
    /// Applies <paramref name="record"/> to <paramref name="region"/>. Throws <see cref="DispatchException"/> (nothing
    /// changed) when the engine refuses a <see cref="HandoffRecordKind.Released"/> or <see cref="HandoffRecordKind.Adopted"/>
    /// step, so the caller writes no record (or a refusal instead). A roll-back whose courier is already on shift here again
    /// changes only the ledger: the courier is here once either way.
    /// </summary>
    public static void Apply(RegionEngine region, HandoffRecord record)
    {
        var t = record.Ticket;
        var ledger = region.Handoffs;
        switch (record.Kind)
        {
            case HandoffRecordKind.Released:
                Route(region, Command.CourierOffShift(0, t.CourierId));
                ledger.AddPending(t);
                break;
            case HandoffRecordKind.Completed:
                ledger.RemovePending(t.Id);
                // Gone to t.To for its shift there, unless it is back here already (a late step 3 after the courier was
                // handed back): then nothing of this region's is elsewhere.
                if (!IsActiveHere(region, t.CourierId)) ledger.AddDeparted(t);
                break;
            case HandoffRecordKind.RolledBack:
                ledger.RemovePending(t.Id);
                try
                {
                    Route(region, OnShift(t));
                }
                catch (DispatchException)
                {
                    // Put on shift here again meanwhile by a command (a new shift): already here, once.
                }
                break;
            case HandoffRecordKind.Adopted:
                Route(region, OnShift(t));
                ledger.Decide(t.Id, AdoptOutcome.Yes, t.ShiftEnd);
                ledger.RemoveDeparted(t.CourierId);
                break;
            case HandoffRecordKind.Refused:
                ledger.Decide(t.Id, AdoptOutcome.No(record.Refusal ?? ""), t.ShiftEnd);
                break;
            default:
                throw new InvalidDataException($"hand-off record kind {record.Kind} is not known");
        }
        ledger.Prune(region.Now);
    }

    /// <summary>True when this region's engine has the courier on shift or scheduled (a scan of its couriers: steps are rare).</summary>
    private static bool IsActiveHere(RegionEngine region, long courierId) => region.Driver.ActiveCouriers().Exists(c => c.CourierId == courierId);

    /// <summary>The courier's shift as the source had it: same place, shift and capacity.</summary>
    private static Command OnShift(HandoffTicket t) => Command.CourierOnShift(0, t.CourierId, t.X, t.Y, t.ShiftStart, t.ShiftEnd, t.Capacity);

    private static void Route(RegionEngine region, in Command c)
    {
        var discard = default(DiscardSink);
        region.Driver.Route(c, region.Now, ref discard, null);
    }
}
