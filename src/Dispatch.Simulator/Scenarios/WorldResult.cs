namespace Dispatch.Simulator.Scenarios;

/// <summary>What happened in a world replay, measured from the world's own clock (actual times).
/// Unserved orders were still open at the end (no courier on shift could take them); lost orders are
/// any others not delivered nor cancelled, and must be zero.</summary>
public sealed record WorldResult(
    string Instance, string Scenario, bool Replan, int Orders, int Delivered, int Cancelled, int Unserved, int Lost,
    double ClickToDoorMean, double ClickToDoorP90, double OverTargetShare, double ReadyToPickupMean,
    double PromiseMae, double PromiseLateShare, int Released, int Reassigned, int EtaChanged,
    double TickMsP50, double TickMsMax, double WallMs)
{
    /// <summary>The trace as the world ran it (surge orders included), for reports.</summary>
    public MdrpInstance? Trace { get; init; }

    /// <summary>What the world did, in the MDRP solution format (actual times, so under traffic the
    /// published travel rule does not hold by design).</summary>
    public MdrpSolution? Solution { get; init; }

    /// <summary>The scenario's congestion zones and closures, for the report's map.</summary>
    public Reports.MapOverlays Overlays { get; init; } = Reports.MapOverlays.None;

    /// <summary>Wall time of each engine tick, in milliseconds.</summary>
    public double[] TickMilliseconds { get; init; } = [];

    /// <summary>Orders with a promised latest drop-off (the trace's deliver_by).</summary>
    public int PromisedOrders { get; init; }

    /// <summary>Delivered orders dropped off after their deliver_by, as the world ran them.</summary>
    public int LateDropoffs { get; init; }

    /// <summary>Minutes past deliver_by summed over the late drop-offs.</summary>
    public double MinutesPastDeliverBy { get; init; }

    /// <summary>Drop-offs the engine planned after their deliver_by, in any plan it committed or updated.</summary>
    public int PlannedLateDropoffs { get; init; }

    /// <summary>Minutes the world's couriers spent driving (legs cut short by a new plan count what was driven).</summary>
    public double DrivingMinutes { get; init; }

    // ---- delivery exceptions (scenario kinds delivery-failures and out-of-stock)
    /// <summary>Deliveries that failed at the door (re-made and delivered again).</summary>
    public int FailedDeliveries { get; init; }

    /// <summary>Orders handed to the wrong customer and reported (re-made and delivered again).</summary>
    public int WrongDeliveries { get; init; }

    /// <summary>Orders re-made after a failed or wrong delivery (each counted once).</summary>
    public int Redeliveries { get; init; }

    /// <summary>Re-made orders delivered in the end; equal to <see cref="Redeliveries"/> unless the day ended first.</summary>
    public int RedeliveriesDelivered { get; init; }

    /// <summary>Mean click-to-door of the re-delivered orders, from their original placement (minutes; 0 when none).</summary>
    public double RedeliveryClickToDoorMean { get; init; }

    /// <summary>Orders the kitchen changed (out of stock: a later ready time).</summary>
    public int OutOfStockChanges { get; init; }

    /// <summary>Of those, orders the customer cancelled after the change.</summary>
    public int CancelsAfterOutOfStock { get; init; }

    /// <summary>Mean of promise minus actual drop-off over delivered orders with a promise: the padding (positive) or
    /// the shortfall (negative) of promises (<see cref="World.PromiseFigures"/>).</summary>
    public double PromiseSlackMean { get; init; }

    /// <summary>Promises the engine re-quoted (its plan broke them; one per break).</summary>
    public long Requotes { get; init; }

    /// <summary>Every order's promise and drop-off (the run's <see cref="World.PromiseLedger"/>), for the per-run promise file.</summary>
    public World.PromiseLedger? Promises { get; init; }
}
