using Dispatch.Model;

namespace Dispatch.Server.LiveView;

/// <summary>What one <see cref="LiveEtas"/> slot held when taken: the latest drop-off of <paramref name="Order"/>, the one
/// before the first change it folds (<paramref name="Previous"/>), the latest reason and all the reasons seen (bits) and how many changes it stands for.</summary>
internal readonly record struct EtaReport(long Order, long Courier, long RingSeq, double Previous, double Drop, double At, PlanChangeReason Reason, int Reasons, int Changes)
{
    public bool Has(PlanChangeReason r) => (Reasons & (1 << (int)r)) != 0;
}
