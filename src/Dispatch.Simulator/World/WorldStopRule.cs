namespace Dispatch.Simulator.World;

/// <summary>
/// When a simulated world stops ticking: after a tick, once every order has been placed, nothing is
/// assigned or picked up, and nothing is open (or no courier is on shift any more to take what is).
/// <paramref name="HardStop"/> is the last minute a tick may run at, for worlds that must end even if
/// the engine never clears its orders (tests, forward runs of a snapshot).
/// </summary>
public readonly record struct WorldStopRule(double LastPlacement, double LastShiftEnd, double HardStop = double.PositiveInfinity)
{
    public bool IsDone(double now, in EngineCounts counts) =>
        now >= LastPlacement && counts.Assigned + counts.PickedUp == 0 && (counts.Open == 0 || now >= LastShiftEnd);
}
