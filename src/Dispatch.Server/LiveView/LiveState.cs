using Dispatch.Model;

namespace Dispatch.Server.LiveView;

/// <summary>A courier as the view knows it: where it was last reported, its shift and its current plan.</summary>
internal sealed class CourierView
{
    public long Id;
    public double X, Y, ShiftStart, ShiftEnd;
    /// <summary>When (X, Y) was true: a reported position, or a confirmed stop (the courier was there then).</summary>
    public double SeenAt;
    public bool OnShift;
    public int Delivered;
    /// <summary>What the next feed message says of it: 0 nothing, 1 its position, 2 all of it (plan, shift, a stop done).</summary>
    public byte Dirt;
    /// <summary>Off shift: the view forgot it (a courier back on shift is a new view).</summary>
    public bool Gone;
    /// <summary>The plan's stops (kind 1 pickup, 2 drop-off): replaced by each assignment, trimmed as stops are done.</summary>
    public readonly List<StopView> Stops = new();
    public bool Busy => Stops.Count > 0;
    /// <summary>Announced shifts start later (a trace announces the day's shifts up front): a courier counts, and is
    /// drawn, inside its window, or while it still has stops. A courier first heard of by an assignment has no window.</summary>
    public bool OnShiftAt(double now) => OnShift && ((ShiftStart <= now && now < ShiftEnd) || ShiftEnd == 0 || Stops.Count > 0);
}

/// <summary>One planned stop of a courier.</summary>
internal readonly record struct StopView(int Kind, long OrderId, double X, double Y, double Arrival);

/// <summary>An order not yet finished: where it goes, its promise and where the plan has it.</summary>
internal sealed class OrderView
{
    public long Id, Site, Courier = -1;
    public double X, Y, Placed, Ready, Promise = double.NaN, PlannedDrop = double.NaN;
    /// <summary>The promise made at placement: on-time is measured against it (a re-quote moves <see cref="Promise"/>, not what the customer was first told).</summary>
    public double FirstPromise = double.NaN;
    /// <summary>open, assigned, picked-up.</summary>
    public string Status = "open";
    /// <summary>0 fine, 1 near its promise, 2 past it: raised once per level into the exception list.</summary>
    public int Risk;
    /// <summary>The ring sequence number of the event that last set <see cref="PlannedDrop"/> (a route's stop, a release):
    /// an ETA change written before it (<see cref="EtaEntry.RingSeq"/>) is older and does not overwrite it.</summary>
    public long DropSeq = -1;
    /// <summary>The drop-off the browsers were last told (the feed sends a re-timing only when it is news).</summary>
    public double SentDrop = double.NaN;
    /// <summary>What the next feed message says of it: 0 nothing, 1 only its drop-off moved, 2 more (placed, status, courier, promise).</summary>
    public byte Dirt;
    /// <summary>Finished (delivered, cancelled, returned): the view forgot it.</summary>
    public bool Gone;
    /// <summary>ETA changes folded since the last message (<see cref="LiveProjection"/>): how many, the drop-off before the
    /// first, the latest, its reason, all the reasons (bits), when and with which courier.</summary>
    public int EtaChanges, EtaReasons;
    public double EtaPrevious, EtaDrop, EtaAt;
    public PlanChangeReason EtaReason;
    public long EtaCourier;
}

/// <summary>A congestion zone or a closure the engine accepted (the server's traffic picture, as commands).</summary>
internal sealed record ZoneView(long Id, string Kind, double Factor, double From, double To, double[] Points);

/// <summary>A citywide factor window.</summary>
internal readonly record struct CitywideView(double Factor, double From, double To);

/// <summary>One line of the exception list (newest first on the page): one exception, or <paramref name="Count"/> of one
/// kind within a feed interval summarised in one line (the order or courier named is the newest's).</summary>
internal readonly record struct ExceptionView(long Seq, double At, string Kind, long OrderId, long CourierId, int Count, string Text);

/// <summary>A delivery inside the KPI hour.</summary>
internal readonly record struct DeliveryView(double At, bool OnTime, bool HasPromise, double ClickToDoor);
