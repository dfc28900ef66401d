using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.Hosting;

/// <summary>
/// A sink that drops every decision: for replays whose decisions were already sent (journal recovery)
/// or are not wanted. A struct, so a tick into it is specialised and allocates nothing.
/// </summary>
public struct DiscardSink : IAssignmentSink
{
    /// <inheritdoc />
    public readonly void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) { }

    /// <inheritdoc />
    public readonly void OnPlanChange(in PlanChange change) { }
}
