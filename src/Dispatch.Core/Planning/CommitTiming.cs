using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// When an idle courier must be sent: leaving at the policy's next decision, <c>nextDecision</c> minutes from now, it
/// would pick the food up after it is ready (the drive timed as it will be then, in the traffic picture announced for
/// that time: <see cref="TravelAhead"/>). Until then the pair stays provisional and is decided again. The one rule the
/// planners that postpone share.
/// </summary>
internal static class CommitTiming
{
    public static bool MustLeaveNow<TTravel>(ref TTravel travel, double x, double y, double siteX, double siteY,
        double halfPickup, double ready, double now, double nextDecision)
        where TTravel : struct, ITravelTime
    {
        double arrive = now + TravelAhead.MinutesFrom(ref travel, x, y, siteX, siteY, now + nextDecision);
        return arrive + halfPickup + nextDecision > ready;
    }
}
