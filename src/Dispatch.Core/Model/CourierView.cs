namespace Dispatch.Model;

/// <summary>What the engine knows of one courier now.</summary>
/// <param name="CourierId">The courier.</param>
/// <param name="OnShift">True while its shift runs.</param>
/// <param name="FreeX">Where its committed plan ends (where it is, when idle).</param>
/// <param name="FreeY">Where its committed plan ends.</param>
/// <param name="FreeAt">When its committed plan ends.</param>
/// <param name="ShiftStart">Shift start.</param>
/// <param name="ShiftEnd">Shift end.</param>
/// <param name="PlannedStops">Committed stops not yet confirmed.</param>
/// <param name="Delivered">Orders it has dropped off.</param>
public readonly record struct CourierView(long CourierId, bool OnShift, double FreeX, double FreeY, double FreeAt, double ShiftStart, double ShiftEnd, int PlannedStops, int Delivered);
