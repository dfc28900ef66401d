namespace Dispatch.Travel;

/// <summary>
/// The minutes of a leg that starts at a given time, from what the travel rule knows of the time ahead: its minutes now
/// for a start before <see cref="ITravelTime.ChangesFrom"/> (always, for a rule that does not change with time: so the
/// same to the bit as <see cref="ITravelTime.Minutes"/>), else <see cref="ITravelTime.MinutesAt"/> (rain or a jam
/// announced for then). The one place plans and promises time a leg by its start.
/// </summary>
internal static class TravelAhead
{
    public static double MinutesFrom<TTravel>(ref TTravel travel, double x1, double y1, double x2, double y2, double start)
        where TTravel : struct, ITravelTime
        => start < travel.ChangesFrom ? travel.Minutes(x1, y1, x2, y2) : travel.MinutesAt(x1, y1, x2, y2, start);
}
