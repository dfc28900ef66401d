using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>
/// A deterministic hour of one region on the manual clock: two sites, couriers on shift, orders placed every minute or
/// so, position updates, a cancellation, a tick a minute, then a query of every order and courier. Coordinates in metres
/// inside the region's square (<see cref="Regions"/>), ids offset by <paramref name="idBase"/> so regions never share ids.
/// </summary>
internal static class Scenario
{
    public static List<Command> Hour(double originX, double originY, long idBase = 0, int orders = 40, int couriers = 6)
    {
        var list = new List<Command>();
        uint rid = 1;
        long site1 = idBase + 1, site2 = idBase + 2;
        list.Add(Command.AddSite(rid++, site1, originX + 1500, originY + 1500));
        list.Add(Command.AddSite(rid++, site2, originX + 6000, originY + 4000));
        for (int k = 0; k < couriers; k++)
            list.Add(Command.CourierOnShift(rid++, idBase + 100 + k, originX + 500 + 900 * k, originY + 800 + 700 * (k % 3), 0, 600, 3));
        int placed = 0;
        for (int minute = 1; minute <= 60; minute++)
        {
            if (placed < orders && minute % 3 != 0)
            {
                for (int n = 0; n < 1 + minute % 2 && placed < orders; n++, placed++)
                {
                    long order = idBase + 1000 + placed;
                    long site = placed % 3 == 0 ? site2 : site1;
                    list.Add(Command.PlaceOrder(rid++, order, site, originX + 300 + 211 * placed % 9000, originY + 400 + 157 * placed % 9000, minute - 1, minute + 9));
                }
            }
            if (minute == 20) list.Add(Command.CancelOrder(rid++, idBase + 1003));
            if (minute % 10 == 5)
                for (int k = 0; k < couriers; k += 2)
                    list.Add(Command.UpdateCourierPosition(rid++, idBase + 100 + k, originX + 1000 + 100 * minute, originY + 1200 + 37 * k));
            list.Add(Command.Tick(rid++, minute));
        }
        for (int i = 0; i < orders; i++) list.Add(Command.GetOrder(rid++, idBase + 1000 + i));
        for (int k = 0; k < couriers; k++) list.Add(Command.GetCourier(rid++, idBase + 100 + k));
        list.Add(Command.GetCounts(rid++));
        return list;
    }

    /// <summary>Two neighbouring 10 km squares sharing the border y = 0.</summary>
    public static readonly (string Id, string Area, double X, double Y)[] Regions =
    [
        ("north", "POLYGON ((0 0, 10000 0, 10000 10000, 0 10000, 0 0))", 0, 0),
        ("south", "POLYGON ((0 -10000, 10000 -10000, 10000 0, 0 0, 0 -10000))", 0, -10000),
    ];
}
