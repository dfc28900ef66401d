namespace Dispatch.Bench.Peer;

/// <summary>
/// One solver's outcome on a snapshot, scored the same way for everybody from the drop-off time of
/// each snapshot order (NaN = not served): the MDRP-style objective, click-to-door plus one
/// more minute per minute past the target (40) plus twenty more per minute past the maximum (90).
/// </summary>
internal sealed class PlanScore
{
    public required string Solver { get; init; }

    /// <summary>Seconds of wall time the solver used to decide.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>What the wall time covers (e.g. "one tick", "model + search").</summary>
    public required string WallNote { get; init; }

    public int Orders { get; private set; }
    public int Served { get; private set; }
    public double ClickToDoor { get; private set; }
    public double OverTarget { get; private set; }
    public double OverMax { get; private set; }
    public int LateOverMax { get; private set; }
    public double TravelMinutes { get; set; }

    /// <summary>Pickups after the courier's shift end (broken MDRP rule); such orders count as not served.</summary>
    public int ShiftViolations { get; set; }

    /// <summary>Assignments that picked up at a second restaurant with orders on board (not an MDRP bundle; allowed, but reported).</summary>
    public int MixedSiteTrips { get; set; }

    public double Objective => ClickToDoor + OverTarget + 20 * OverMax;

    public double MeanClickToDoor => Served == 0 ? double.NaN : ClickToDoor / Served;

    public void Score(Snapshot snap, double[] dropAt)
    {
        var p = snap.Parameters;
        Orders = snap.Orders.Length;
        for (int i = 0; i < snap.Orders.Length; i++)
        {
            double d = dropAt[i];
            if (double.IsNaN(d)) continue;
            double ctd = d - snap.Orders[i].PlacedAt;
            Served++;
            ClickToDoor += ctd;
            OverTarget += Math.Max(0, ctd - p.TargetClickToDoor);
            double over = Math.Max(0, ctd - p.MaxClickToDoor);
            OverMax += over;
            if (over > 0) LateOverMax++;
        }
    }
}
