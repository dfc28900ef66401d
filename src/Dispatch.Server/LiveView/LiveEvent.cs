namespace Dispatch.Server.LiveView;

/// <summary>
/// One engine event as the live view hears it: a flat struct the engine thread copies into the
/// <see cref="LiveRing"/> (no allocation, no formatting on that thread). Which fields a kind uses:
/// <list type="bullet">
/// <item>OrderPlaced: Id order, Other site, X/Y drop-off, T1 placed, T2 ready, Value promise (NaN: none).</item>
/// <item>Position / CourierOnShift: Id courier, X/Y, T1/T2 shift (on shift), Count capacity.</item>
/// <item>Assignment: Id courier, T1 assigned at, Count stops, Flag is-update. Stop: Id order, Other site, X/Y, Count kind (1 pickup, 2 drop-off), T1 arrival, T2 leave.</item>
/// <item>PlanChange: Id order, Other courier, Count kind, Reason, T1 previous time, T2 new time.</item>
/// <item>CongestionZone / Closure: Id zone, Value speed factor or closure kind, T1/T2 window, Points polygon or line. CitywideFactor: Value, T1/T2.</item>
/// <item>Counts: Id known, Other open, Count assigned, Reason-free: X picked up, Y delivered, T1 cancelled, T2 couriers (as doubles).</item>
/// </list>
/// <see cref="At"/> is the engine time the event was applied at.
/// </summary>
internal struct LiveEvent
{
    public LiveEventKind Kind;
    public bool Flag;
    public byte Reason;
    public int Count;
    public long Id;
    public long Other;
    public double At;
    public double X;
    public double Y;
    public double T1;
    public double T2;
    public double Value;
    /// <summary>The shape of a zone or closure: the command's own array (traffic events are rare; nothing is copied).</summary>
    public double[]? Points;
}
