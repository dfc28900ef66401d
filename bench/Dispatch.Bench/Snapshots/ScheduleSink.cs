using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.Bench.Snapshots;

/// <summary>
/// What a simulated world does with the engine's decisions: the confirmations (pickup, drop-off) to
/// send back at the planned times, and the planned driving minutes. Preallocated so that the sink
/// adds nothing to the tick's allocations.
/// </summary>
internal sealed class Schedule
{
    public StopKind[] Kind;
    public long[] Order;
    public double[] At;
    public int Count;

    /// <summary>Planned driving minutes of every committed assignment (each move counted once).</summary>
    public double TravelMinutes;

    /// <summary>Assignments committed.</summary>
    public int Assignments;

    public Schedule(int capacity)
    {
        Kind = new StopKind[capacity];
        Order = new long[capacity];
        At = new double[capacity];
    }

    public void Add(StopKind kind, long order, double at)
    {
        if (Count == Kind.Length)
        {
            // Only if a caller undersized it; never on the measured paths of this bench.
            int n = Math.Max(16, Count * 2);
            Array.Resize(ref Kind, n); Array.Resize(ref Order, n); Array.Resize(ref At, n);
        }
        Kind[Count] = kind; Order[Count] = order; At[Count] = at;
        Count++;
    }
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
            schedule.Add(s.Kind, s.OrderId, s.ServiceAt);
        }
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
