namespace Dispatch.Core.Tests.Support;

/// <summary>A sink that drops every decision: for ticks whose effect a test reads from the engine's state afterwards.</summary>
internal struct NullSink : IAssignmentSink
{
    public readonly void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) { }
    public readonly void OnPlanChange(in PlanChange change) { }
}
