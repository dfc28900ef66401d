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
    /// The time from which a leg may take other minutes than <see cref="Minutes"/> gives now, from what is known of the
    /// time ahead (a traffic picture's announced windows: rain, a jam, a closure); +infinity for a rule that does not
    /// change with time. Implement the members on the struct itself: a default interface member called on a struct
    /// would box.
    /// </summary>
    double ChangesFrom { get; }

    /// <summary>
    /// Minutes to travel from (x1, y1) to (x2, y2) on a leg that starts at <paramref name="at"/>, from what is known of
    /// the time ahead: <see cref="Minutes"/> for a start before <see cref="ChangesFrom"/>. A promise times the legs it
    /// simulates with it (a quote made before the rain knows the drives after its onset are in it).
    /// </summary>
    double MinutesAt(double x1, double y1, double x2, double y2, double at);
}
