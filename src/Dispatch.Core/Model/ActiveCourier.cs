namespace Dispatch.Model;

/// <summary>
/// A courier on shift or scheduled for a later one (not ended): what a host needs to see who a dispatch area holds and
/// to move an idle one (no planned stop) to another engine exactly as it is: where it is, its shift and its capacity
/// (<see cref="Dispatch.Engine.DispatchEngine{TTravel}.CopyActiveCouriers"/>; the cluster's hand-off between regions).
/// </summary>
/// <param name="CourierId">The courier.</param>
/// <param name="OnShift">True when its shift has started; false for a shift that starts later.</param>
/// <param name="X">Where its committed plan ends: where it is when idle (its start, for a scheduled shift).</param>
/// <param name="Y">Where its committed plan ends.</param>
/// <param name="ShiftStart">Shift start.</param>
/// <param name="ShiftEnd">Shift end.</param>
/// <param name="Capacity">Capacity units it can carry at once.</param>
/// <param name="PlannedStops">Committed stops not yet confirmed (0: idle, it carries nothing and is promised nowhere).</param>
public readonly record struct ActiveCourier(long CourierId, bool OnShift, double X, double Y, double ShiftStart, double ShiftEnd, int Capacity, int PlannedStops);
