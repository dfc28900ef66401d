namespace Dispatch.Travel;

/// <summary>
/// Travel time between two points, in minutes. Implementations are structs so that the engine,
/// which is generic over them, gets them inlined: no virtual call, no boxing on the hot path.
/// </summary>
public interface ITravelTime
{
    /// <summary>Minutes to travel from (x1, y1) to (x2, y2). Must be finite and non-negative.</summary>
    double Minutes(double x1, double y1, double x2, double y2);
}
