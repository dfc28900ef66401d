using System.Globalization;

namespace SidecarClient;

/// <summary>
/// An MDRP trace folder (restaurants.txt, couriers.txt, orders.txt, instance_parameters.txt; tab
/// separated, header first; format in the MDRP README). Parsed here, on purpose without the
/// simulator: a sidecar user has only the client library. Ids like "o17" are kept as names and sent
/// as their 1-based row number, which is unique per kind within a trace.
/// </summary>
internal sealed class MdrpTrace
{
    public required Site[] Restaurants { get; init; }
    public required Courier[] Couriers { get; init; }
    public required Order[] Orders { get; init; }
    public double MetersPerMinute { get; init; } = 320;

    internal readonly record struct Site(long Id, string Name, double X, double Y);
    internal readonly record struct Courier(long Id, string Name, double X, double Y, double OnTime, double OffTime);
    internal readonly record struct Order(long Id, string Name, double X, double Y, double Placement, long SiteId, double Ready);

    public static MdrpTrace Load(string dir)
    {
        var restaurants = Rows(dir, "restaurants.txt", 3);
        var siteIds = new Dictionary<string, long>(StringComparer.Ordinal);
        var sites = new Site[restaurants.Count];
        for (int i = 0; i < sites.Length; i++)
        {
            var r = restaurants[i];
            sites[i] = new Site(i + 1, r[0], Num(r[1]), Num(r[2]));
            siteIds[r[0]] = i + 1;
        }
        var couriers = Rows(dir, "couriers.txt", 5)
            .Select((r, i) => new Courier(i + 1, r[0], Num(r[1]), Num(r[2]), Num(r[3]), Num(r[4]))).ToArray();
        var orders = Rows(dir, "orders.txt", 6).Select((r, i) =>
        {
            if (!siteIds.TryGetValue(r[4], out long site)) throw new FormatException($"orders.txt: order {r[0]} names unknown restaurant {r[4]}");
            return new Order(i + 1, r[0], Num(r[1]), Num(r[2]), Num(r[3]), site, Num(r[5]));
        }).ToArray();
        double mpm = 320;
        string paramsPath = Path.Combine(dir, "instance_parameters.txt");
        if (File.Exists(paramsPath))
        {
            var p = Rows(dir, "instance_parameters.txt", 1);
            if (p.Count > 0) mpm = Num(p[0][0]);
        }
        return new MdrpTrace { Restaurants = sites, Couriers = couriers, Orders = orders, MetersPerMinute = mpm };
    }

    private static List<string[]> Rows(string dir, string file, int minFields)
    {
        string path = Path.Combine(dir, file);
        var rows = new List<string[]>();
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            if (line == 1 || string.IsNullOrWhiteSpace(raw)) continue; // header
            var f = raw.Split('\t', StringSplitOptions.TrimEntries);
            if (f.Length < minFields) throw new FormatException($"{file}:{line}: expected {minFields} tab-separated fields, got {f.Length}");
            rows.Add(f);
        }
        return rows;
    }

    private static double Num(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new FormatException($"not a number: '{s}'");
}
