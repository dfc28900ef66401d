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
}
