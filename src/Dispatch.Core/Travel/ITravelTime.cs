namespace Dispatch.Travel;

/// <summary>
/// Travel time between two points, in minutes. Implementations are structs so that the engine,
/// which is generic over them, gets them inlined: no virtual call, no boxing on the hot path.
/// </summary>
public interface ITravelTime
{
    /// <summary>Minutes to travel from (x1, y1) to (x2, y2). Must be finite and non-negative.</summary>
    double Minutes(double x1, double y1, double x2, double y2);

    /// <summary>
    /// How many times its minutes now a trip starting at <paramref name="at"/> is expected to take, now being
    /// <paramref name="now"/>, from what is known of the time ahead: 1 for a rule that does not change with time; under
    /// a traffic picture, the announced citywide windows (weather) that start or end before then. A promise times the
    /// order's own drive with it (a quote made before the rain sets in knows the drive will be in it). Must be finite
    /// and positive. Implement it on the struct itself: a default interface member called on a struct would box.
    /// </summary>
    double SlowdownAhead(double now, double at);
}
