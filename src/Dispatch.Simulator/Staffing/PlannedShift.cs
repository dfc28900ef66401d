namespace Dispatch.Simulator.Staffing;

/// <summary><paramref name="Count"/> couriers on duty from <paramref name="StartMinute"/> for <paramref name="LengthMinutes"/>.</summary>
public readonly record struct PlannedShift(int StartMinute, int LengthMinutes, int Count)
{
    /// <summary>Courier-minutes of these shifts.</summary>
    public long CourierMinutes => (long)LengthMinutes * Count;
}
