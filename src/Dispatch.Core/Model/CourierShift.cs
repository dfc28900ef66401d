namespace Dispatch.Model;

/// <summary>A courier coming on shift: where it starts, when its shift runs, how much it carries.</summary>
/// <param name="CourierId">Caller's id.</param>
/// <param name="X">Start x (or longitude).</param>
/// <param name="Y">Start y (or latitude).</param>
/// <param name="ShiftStart">First minute it can work.</param>
/// <param name="ShiftEnd">No pickup is planned after this minute; drop-offs may finish later.</param>
/// <param name="Capacity">Capacity units it can carry at once (general profile).</param>
public readonly record struct CourierShift(long CourierId, double X, double Y, double ShiftStart, double ShiftEnd, int Capacity = 8);
