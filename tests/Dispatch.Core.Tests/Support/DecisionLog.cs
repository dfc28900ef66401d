namespace Dispatch.Core.Tests.Support;

/// <summary>
/// What an engine decided, as text lines (assignments with their stops, plan changes) to compare two engines
/// with, and the stops that fall due so a driver can confirm them at their planned times.
/// </summary>
internal sealed class DecisionLog
{
    public readonly List<string> Lines = new();
    public readonly List<(double At, long Order, StopKind Kind)> Due = new();

    /// <summary>A sink writing into this log (a struct, as the tick wants).</summary>
    public Sink ToSink() => new(this);

    /// <summary>Confirms the pickups and drop-offs due by <paramref name="t"/>, earliest first, each at its planned time.</summary>
    public void ConfirmDue(DispatchEngine<EuclideanCeilMinutes> e, int t)
    {
        foreach (var d in Due.Where(d => d.At <= t).OrderBy(d => d.At).ThenBy(d => d.Kind).ThenBy(d => d.Order).ToList())
        {
            Due.Remove(d);
            var st = e.GetOrderStatus(d.Order);
            if (d.Kind == StopKind.Pickup && st == OrderStatus.Assigned) e.ConfirmPickup(d.Order, d.At);
            else if (d.Kind == StopKind.Dropoff && st == OrderStatus.PickedUp) e.ConfirmDropoff(d.Order, d.At);
        }
    }

    internal readonly struct Sink(DecisionLog log) : IAssignmentSink
    {
        public void OnAssignment(in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops)
        {
            log.Lines.Add($"{a}|{string.Join(";", stops.ToArray())}");
            foreach (var s in stops) log.Due.Add((s.ServiceAt, s.OrderId, s.Kind));
        }

        public void OnPlanChange(in PlanChange change) => log.Lines.Add(change.ToString());
    }
}
