using Dispatch.Engine;
using Dispatch.Hosting;
using Dispatch.Model;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Regions;

/// <summary>A tick's decisions appended as push frames to a buffer; a struct so the tick is specialised for it.</summary>
internal readonly struct FramePushSink(FrameBuffer output) : IAssignmentSink
{
    public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => PushFrames.WriteAssignment(output, assignment, stops);

    public void OnPlanChange(in PlanChange change) => PushFrames.WritePlanChange(output, change);
}
