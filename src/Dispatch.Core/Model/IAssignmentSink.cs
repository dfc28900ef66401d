using Dispatch.Model;

// Kept in namespace Dispatch.Engine (public API of the package) but filed under Model, beside the types it
// speaks of, so that Engine, Planning and State all see it without a folder cycle (.editorconfig exempts it
// from the folder = namespace rule).
namespace Dispatch.Engine;

/// <summary>
/// Receives the engine's decisions during <c>Tick</c>. Implement it on a struct and the JIT
/// specialises the tick for it (no interface dispatch, no boxing). The span is only valid during the call.
/// </summary>
public interface IAssignmentSink
{
    /// <summary>A courier was committed to a bundle; <paramref name="stops"/> is its plan in execution order.</summary>
    void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops);

    /// <summary>A committed plan changed (an order released or cancelled).</summary>
    void OnPlanChange(in PlanChange change);
}
