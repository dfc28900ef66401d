using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// Computes planned times along a route under the published MDRP conventions: a pickup happens at
/// max(ready, arrival + half the pickup service) and the courier leaves half a service later;
/// consecutive pickups at one place form one bundle pickup (one service, as long as the longest of
/// its orders', waiting for the latest ready time); a drop-off happens at max(arrival + half the
/// drop-off service, the order's earliest drop-off) and the courier leaves half a service later.
/// Services and earliest drop-offs come from <see cref="StopTimes"/> (fixed under MDRP rules).
/// </summary>
internal static class RouteTiming
{
    /// <summary>Re-times <paramref name="stops"/> from index <paramref name="from"/>, the courier being at
    /// (x, y) and free at <paramref name="time"/> before it. A pickup at <paramref name="from"/> that
    /// continues the pickup group before it joins that group's single service instead.</summary>
    public static void Retime<TTravel>(ref TTravel travel, Span<RouteStop> stops, int from, double x, double y, double time, in StopTimes times)
        where TTravel : struct, ITravelTime
    {
        int i = from;
        if (i > 0 && i < stops.Length && SameService(stops[i - 1], stops[i]))
        {
            // The first stop joins the pickup group before it (same place, one service): the whole group
            // keeps its arrival and waits for the latest ready time; timing goes on from the group's end.
            int g = GroupStart(stops, i), j = GroupEnd(stops, i);
            time = ServeGroup(stops, g, j, stops[g].Departure, stops[g].Arrival, times);
            x = stops[g].X; y = stops[g].Y;
            i = j;
        }
        while (i < stops.Length)
        {
            ref RouteStop s = ref stops[i];
            double arrival = time + TravelAhead.MinutesFrom(ref travel, x, y, s.X, s.Y, time);
            x = s.X; y = s.Y;
            if (s.Kind == StopKind.Pickup)
            {
                // The bundle: this pickup and the following pickups at the same place.
                int j = GroupEnd(stops, i);
                time = ServeGroup(stops, i, j, time, arrival, times);
                i = j;
            }
            else
            {
                time = ServeDropoff(ref s, time, arrival, times);
                i++;
            }
        }
    }

    /// <summary>True when both stops are pickups at the same place: they share one service.</summary>
    public static bool SameService(in RouteStop a, in RouteStop b) =>
        a.Kind == StopKind.Pickup && b.Kind == StopKind.Pickup && a.X == b.X && a.Y == b.Y;

    /// <summary>First index of the pickup group that stop <paramref name="i"/> belongs to (i itself for a drop-off).</summary>
    public static int GroupStart(ReadOnlySpan<RouteStop> stops, int i)
    {
        while (i > 0 && SameService(stops[i - 1], stops[i])) i--;
        return i;
    }

    /// <summary>One past the last index of the pickup group that stop <paramref name="i"/> belongs to (i + 1 for a drop-off).</summary>
    public static int GroupEnd(ReadOnlySpan<RouteStop> stops, int i)
    {
        int j = i + 1;
        while (j < stops.Length && SameService(stops[j - 1], stops[j])) j++;
        return j;
    }

    /// <summary>
    /// Times the pickup group [<paramref name="g"/>, <paramref name="end"/>) as one service: every stop
    /// arrives at <paramref name="arrival"/>, the pickup is at max(latest ready, arrival + half the longest
    /// service, <paramref name="notBefore"/>), the courier leaves half that service later. Returns that leave time.
    /// </summary>
    public static double ServeGroup(Span<RouteStop> stops, int g, int end, double departure, double arrival, in StopTimes times,
        double notBefore = double.NegativeInfinity)
    {
        double ready = double.NegativeInfinity, half = 0;
        for (int k = g; k < end; k++)
        {
            int o = stops[k].Order;
            ready = Math.Max(ready, times.ReadyAt[o]);
            half = Math.Max(half, times.HalfPickup(o));
        }
        double pickup = Math.Max(Math.Max(ready, arrival + half), notBefore);
        double leave = pickup + half;
        for (int k = g; k < end; k++)
        {
            ref RouteStop b = ref stops[k];
            b.Departure = departure; b.Arrival = arrival; b.ServiceAt = pickup; b.Leave = leave;
        }
        return leave;
    }

    /// <summary>Times a drop-off reached at <paramref name="arrival"/> after leaving the previous place at
    /// <paramref name="departure"/>: served at max(arrival + half its service, its earliest drop-off). Returns the leave time.</summary>
    public static double ServeDropoff(ref RouteStop s, double departure, double arrival, in StopTimes times)
    {
        double half = times.HalfDropoff(s.Order);
        s.Departure = departure;
        s.Arrival = arrival;
        s.ServiceAt = Math.Max(arrival + half, times.DropNotBefore(s.Order));
        s.Leave = s.ServiceAt + half;
        return s.Leave;
    }
}
