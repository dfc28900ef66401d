using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Protocol;

namespace Dispatch.Hosting;

/// <summary>
/// A tick's decisions as push frames (Assignment with its stops, PlanChange): the one encoding of an engine decision
/// for the wire, used by the server's push fan-out and by a cluster region, so both send the same bytes.
/// </summary>
public static class PushFrames
{
    /// <summary>Appends one Assignment push frame (the courier's whole planned route) to <paramref name="output"/>.</summary>
    public static void WriteAssignment(FrameBuffer output, in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops)
    {
        var w = ReplyCodec.BeginAssignment(output, a.CourierId, a.AssignedAt, a.IsUpdate, stops.Length);
        foreach (ref readonly var s in stops)
            ReplyCodec.WriteStop(ref w, (int)s.Kind, s.OrderId, s.SiteId, s.X, s.Y, s.Departure, s.Arrival, s.ServiceAt, s.Leave);
        ReplyCodec.EndPush(output, ref w);
    }

    /// <summary>Appends one PlanChange push frame to <paramref name="output"/>.</summary>
    public static void WritePlanChange(FrameBuffer output, in PlanChange change) =>
        ReplyCodec.WritePlanChange(output, (int)change.Kind, change.OrderId, change.CourierId, change.At, change.PreviousTime, change.NewTime, (int)change.Reason);
}
