namespace Dispatch.Simulator.Scenarios;

/// <summary>An order as the scenario world runs it: what the engine is told (<see cref="Ready"/>) and what
/// really happens (<see cref="ActualReady"/>, the pickup and drop-off minutes), NaN until it does.</summary>
internal sealed class WorldOrder
{
    public required string Id;
    public int Site;
    public double X, Y, Placed, Ready, ActualReady, Promise = double.NaN, Pickup = double.NaN, Drop = double.NaN;
    public double DeliverBy = double.PositiveInfinity;
    public bool Cancelled, DelayAnnounced;

    // ---- delivery exceptions (scenario kinds delivery-failures and out-of-stock)
    /// <summary>The first delivery fails at the door when its drop-off falls in [<see cref="FailFrom"/>, <see cref="FailTo"/>)
    /// (NaN: never); with <see cref="FailWrong"/> it is handed to the wrong customer instead, who reports it a few minutes later.</summary>
    public double FailFrom = double.NaN, FailTo = double.NaN;
    public bool FailWrong;
    /// <summary>Minutes the kitchen takes to re-make it (NaN: the engine's estimate, told nothing).</summary>
    public double RemakeMinutes = double.NaN;
    /// <summary>Deliveries that failed at the door, handed to the wrong customer, and re-makes of this order.</summary>
    public int Failures, WrongDeliveries, Remakes;
    /// <summary>Minutes an out-of-stock change adds to the ready time; whether the customer then cancels.</summary>
    public double StockDelay;
    public bool StockCancels, OutOfStock;

    /// <summary>The order is re-made after a failure reported at <paramref name="at"/>: the world's kitchen has it ready
    /// <see cref="RemakeMinutes"/> later (or the engine's <paramref name="engineRemakeMinutes"/> when the scenario leaves
    /// it to the engine's estimate, which is then what really happens); the trip starts over. Returns the ready time
    /// to tell the engine, NaN for "estimate it".</summary>
    public double Remake(double at, double engineRemakeMinutes)
    {
        bool told = !double.IsNaN(RemakeMinutes);
        ActualReady = at + (told ? RemakeMinutes : engineRemakeMinutes);
        Pickup = double.NaN; Drop = double.NaN;
        Remakes++;
        return told ? ActualReady : double.NaN;
    }
}
