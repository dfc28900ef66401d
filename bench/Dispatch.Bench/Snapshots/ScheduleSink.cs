using Dispatch.Simulator.World;

namespace Dispatch.Bench.Snapshots;

/// <summary>
/// What a simulated world does with the engine's decisions: couriers that follow the plan (the
/// confirmations to send back at the planned times), and the planned driving minutes. Preallocated
/// so that the sink adds nothing to the tick's allocations.
/// </summary>
internal sealed class Schedule(int capacity)
{
    public PlanFollowers Followers { get; } = new(capacity);

    /// <summary>Planned driving minutes of every committed assignment (each move counted once).</summary>
    public double TravelMinutes;

    /// <summary>Assignments committed.</summary>
    public int Assignments;
}

/// <summary>A struct sink (the tick is specialised for it) writing into a <see cref="Schedule"/>.</summary>
internal readonly struct ScheduleSink(Schedule schedule) : IAssignmentSink
{
    public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
    {
        schedule.Assignments++;
        for (int i = 0; i < stops.Length; i++)
        {
            ref readonly PlannedStop s = ref stops[i];
            // Consecutive pickups at one site are one move (one bundle pickup).
            bool sameMove = i > 0 && s.Kind == StopKind.Pickup && stops[i - 1].Kind == StopKind.Pickup && stops[i - 1].SiteId == s.SiteId;
            if (!sameMove) schedule.TravelMinutes += s.Arrival - s.Departure;
        }
        schedule.Followers.Add(assignment, stops);
    }

    public void OnPlanChange(in PlanChange change)
    {
        // MDRP worlds have no cancellations or shift changes mid-plan.
    }
}

/// <summary>A sink that ignores everything (benchmarks of ticks that commit nothing or whose output is not needed).</summary>
internal struct NullSink : IAssignmentSink
{
    public int Assignments;

    public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => Assignments++;

    public readonly void OnPlanChange(in PlanChange change) { }
}
