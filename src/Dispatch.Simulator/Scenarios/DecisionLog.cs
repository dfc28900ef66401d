namespace Dispatch.Simulator.Scenarios;

/// <summary>The scenario world's sink: each assignment as an MDRP record, the drop-offs planned past their
/// deliver_by, and the plan changes (releases, reassignments, ETA changes) counted.</summary>
internal struct DecisionLog : IAssignmentSink
{
    public int Released, Reassigned, EtaChanged, PlannedLate;
    public List<MdrpAssignmentRecord> Assignments;
    public string[] CourierIds, OrderIds;
    public double[] DeliverBy;

    public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
    {
        double pickup = double.NaN;
        var drops = new List<string>();
        foreach (var s in stops)
        {
            if (s.Kind == StopKind.Pickup) { if (double.IsNaN(pickup)) pickup = s.ServiceAt; }
            else
            {
                drops.Add(OrderIds[s.OrderId]);
                if (s.ServiceAt > DeliverBy[s.OrderId] + 1e-9) PlannedLate++;
            }
        }
        Assignments.Add(new MdrpAssignmentRecord(assignment.AssignedAt, pickup, CourierIds[assignment.CourierId], drops.ToArray()));
    }

    public void OnPlanChange(in PlanChange change)
    {
        switch (change.Kind)
        {
            case PlanChangeKind.Released: Released++; break;
            case PlanChangeKind.Reassigned: Reassigned++; break;
            case PlanChangeKind.EtaChanged: EtaChanged++; break;
        }
    }
}
