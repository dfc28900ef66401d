namespace Dispatch.Simulator.Staffing;

/// <summary>
/// A demand peak: a run of slots whose smoothed order count stays above the day's mean slot.
/// </summary>
/// <param name="StartMinute">First minute of the first slot of the peak.</param>
/// <param name="EndMinute">End (exclusive) of the last slot of the peak.</param>
/// <param name="Height">Most orders placed in one slot of the peak.</param>
/// <param name="Orders">Orders placed during the peak.</param>
public readonly record struct DemandPeak(int StartMinute, int EndMinute, double Height, double Orders);
