using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// Computes planned times along a route under the published MDRP conventions: a pickup happens at
/// max(ready, arrival + half the pickup service) and the courier leaves half a service later;
/// consecutive pickups at one place form one bundle pickup (one service, waiting for the latest
/// ready time); a drop-off happens at arrival + half the drop-off service.
/// </summary>
internal static class RouteTiming
{
    /// <summary>Re-times <paramref name="stops"/> from index <paramref name="from"/>, the courier being at
    /// (x, y) and free at <paramref name="time"/> before it. A pickup at <paramref name="from"/> that
    /// continues the pickup group before it joins that group's single service instead.</summary>
    public static void Retime<TTravel>(ref TTravel travel, Span<RouteStop> stops, int from, double x, double y, double time,
        double[] readyAt, double pickupService, double dropoffService)
        where TTravel : struct, ITravelTime
    {
        double halfP = pickupService * 0.5, halfD = dropoffService * 0.5;
        int i = from;
        if (i > 0 && i < stops.Length && stops[i].Kind == StopKind.Pickup && stops[i - 1].Kind == StopKind.Pickup
            && stops[i].X == stops[i - 1].X && stops[i].Y == stops[i - 1].Y)
        {
            // The first stop joins the pickup group before it (same place, one service): the whole group
            // keeps its arrival and waits for the latest ready time; timing goes on from the group's end.
            int g = i - 1;
            while (g > 0 && stops[g - 1].Kind == StopKind.Pickup && stops[g - 1].X == stops[i].X && stops[g - 1].Y == stops[i].Y) g--;
            int j = i;
            while (j < stops.Length && stops[j].Kind == StopKind.Pickup && stops[j].X == stops[i].X && stops[j].Y == stops[i].Y) j++;
            double ready = 0;
            for (int k = g; k < j; k++) ready = Math.Max(ready, readyAt[stops[k].Order]);
            double departure = stops[g].Departure, arrival = stops[g].Arrival;
            double pickup = Math.Max(ready, arrival + halfP);
            for (int k = g; k < j; k++)
            {
                ref RouteStop b = ref stops[k];
                b.Departure = departure; b.Arrival = arrival; b.ServiceAt = pickup; b.Leave = pickup + halfP;
            }
            x = stops[g].X; y = stops[g].Y; time = pickup + halfP;
            i = j;
        }
        while (i < stops.Length)
        {
            ref RouteStop s = ref stops[i];
            if (s.Kind == StopKind.Pickup)
            {
                // The bundle: this pickup and the following pickups at the same place.
                int j = i + 1;
                double ready = readyAt[s.Order];
                while (j < stops.Length && stops[j].Kind == StopKind.Pickup && stops[j].X == s.X && stops[j].Y == s.Y)
                {
                    ready = Math.Max(ready, readyAt[stops[j].Order]);
                    j++;
                }
                double arrival = time + travel.Minutes(x, y, s.X, s.Y);
                double pickup = Math.Max(ready, arrival + halfP);
                double leave = pickup + halfP;
                for (int k = i; k < j; k++)
                {
                    ref RouteStop b = ref stops[k];
                    b.Departure = time;
                    b.Arrival = arrival;
                    b.ServiceAt = pickup;
                    b.Leave = leave;
                }
                x = s.X; y = s.Y; time = leave;
                i = j;
            }
            else
            {
                double arrival = time + travel.Minutes(x, y, s.X, s.Y);
                s.Departure = time;
                s.Arrival = arrival;
                s.ServiceAt = arrival + halfD;
                s.Leave = s.ServiceAt + halfD;
                x = s.X; y = s.Y; time = s.Leave;
                i++;
            }
        }
    }
}
