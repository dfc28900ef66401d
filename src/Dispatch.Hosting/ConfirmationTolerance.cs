using Dispatch.Protocol;

namespace Dispatch.Hosting;

/// <summary>
/// How far ahead of the server's now a confirmation's time (<c>at</c> of ConfirmPickup / ConfirmDropoff) may be.
/// Manual clock: 0, the client is the clock, so a later time has not happened yet. Wall clock:
/// <see cref="WallClockSeconds"/> of wall time (times <c>ClockRate</c> in engine minutes), for couriers' devices whose
/// clocks run a little ahead of the server's. The engine refuses a later time
/// (<see cref="Dispatch.Engine.DispatchEngine{TTravel}.ConfirmPickup(long, double, double)"/>).
/// </summary>
public static class ConfirmationTolerance
{
    /// <summary>Wall-clock slack: 30 s. NTP-synchronised clocks agree within a second; phones set by the network
    /// within a few; half a minute covers those and a client rounding up to the minute, and no more.</summary>
    public const double WallClockSeconds = 30;

    /// <summary>The tolerance in engine minutes for a server on <paramref name="clock"/> running at <paramref name="clockRate"/>
    /// engine minutes per wall minute.</summary>
    public static double Minutes(ClockMode clock, double clockRate) =>
        clock == ClockMode.Wall ? WallClockSeconds / 60.0 * clockRate : 0;
}
