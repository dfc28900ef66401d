using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.Server.Engine;

/// <summary>Forwards the tick's decisions to the push fan-out; a struct so the tick is specialised for it.</summary>
internal readonly struct PushSink(PushFanout fanout) : IAssignmentSink
{
    public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => fanout.Assignment(assignment, stops);

    public void OnPlanChange(in PlanChange change) => fanout.PlanChange(change);
}
