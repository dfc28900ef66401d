using Dispatch.Model;

namespace Dispatch.Server.LiveView;

/// <summary>One ETA change as the <see cref="LiveEtaLog"/> holds it: the order's new planned drop-off and the one before,
/// with <see cref="RingSeq"/>, the <see cref="LiveRing"/>'s head when it was written (what orders it against the ring's
/// events: a route read from the ring after it is newer).</summary>
internal struct EtaEntry
{
    public long Order;
    public long Courier;
    public long RingSeq;
    public double Previous;
    public double Drop;
    public double At;
    public PlanChangeReason Reason;
}
