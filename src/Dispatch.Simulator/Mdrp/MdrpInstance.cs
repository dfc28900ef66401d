using System.Globalization;

namespace Dispatch.Simulator.Mdrp;

/// <summary>Parameters of an MDRP instance (instance_parameters.txt).</summary>
public sealed record MdrpParameters(
    double MetersPerMinute,
    double PickupServiceMinutes,
    double DropoffServiceMinutes,
    double TargetClickToDoor,
    double MaxClickToDoor,
    double PayPerOrder,
    double GuaranteedPayPerHour)
{
    /// <summary>The published parameters of the Grubhub instances.</summary>
    public static MdrpParameters Default { get; } = new(320, 4, 4, 40, 90, 10, 15);
}

/// <summary>A restaurant (pickup site).</summary>
public readonly record struct MdrpRestaurant(string Id, double X, double Y);

/// <summary>An order as recorded in orders.txt.</summary>
/// <param name="Id">Order id.</param>
/// <param name="X">Drop-off x, metres.</param>
/// <param name="Y">Drop-off y, metres.</param>
/// <param name="PlacementTime">Minute it was placed.</param>
/// <param name="Restaurant">Its restaurant's id.</param>
/// <param name="ReadyTime">Minute it is ready for pickup.</param>
/// <param name="DeliverBy">Promised latest drop-off minute, or null: not part of the published format; an
/// optional seventh column <c>deliver_by</c> written by the generator's <c>DeliveryPromises</c> option
/// (readers of the published format ignore it). Honoured by the engine's General profile.</param>
public readonly record struct MdrpOrder(string Id, double X, double Y, int PlacementTime, string Restaurant, int ReadyTime, int? DeliverBy = null);

/// <summary>A courier shift as recorded in couriers.txt.</summary>
public readonly record struct MdrpCourier(string Id, double X, double Y, int OnTime, int OffTime);

/// <summary>
/// One MDRP instance folder: restaurants, orders, couriers and parameters, in the tab-separated
/// format of ../shared/mdrp/README.md. Both the recorded traces and the project's generator use it.
/// </summary>
public sealed class MdrpInstance
{
    public MdrpInstance(string name, MdrpParameters parameters, MdrpRestaurant[] restaurants, MdrpOrder[] orders, MdrpCourier[] couriers)
    {
        Name = name;
        Parameters = parameters;
        Restaurants = restaurants;
        Orders = orders;
        Couriers = couriers;
        var index = new Dictionary<string, int>(restaurants.Length, StringComparer.Ordinal);
        RestaurantIndex = index;
        for (int i = 0; i < restaurants.Length; i++)
        {
            if (!index.TryAdd(restaurants[i].Id, i))
                throw new InvalidDataException($"{name}: restaurant id '{restaurants[i].Id}' appears twice");
        }
        for (int i = 0; i < orders.Length; i++)
        {
            if (!RestaurantIndex.ContainsKey(orders[i].Restaurant))
                throw new InvalidDataException($"{name}: order '{orders[i].Id}' names unknown restaurant '{orders[i].Restaurant}'");
        }
    }

    public string Name { get; }
    public MdrpParameters Parameters { get; }
    public MdrpRestaurant[] Restaurants { get; }
    public MdrpOrder[] Orders { get; }
    public MdrpCourier[] Couriers { get; }

    /// <summary>Restaurant id to its index in <see cref="Restaurants"/>.</summary>
    public IReadOnlyDictionary<string, int> RestaurantIndex { get; }

    /// <summary>The published travel rule: ceil(euclidean metres / metres per minute).</summary>
    public int TravelMinutes(double x1, double y1, double x2, double y2)
    {
        double dx = x1 - x2, dy = y1 - y2;
        return (int)Math.Ceiling(Math.Sqrt(dx * dx + dy * dy) / Parameters.MetersPerMinute);
    }

    /// <summary>Reads an instance folder; throws <see cref="InvalidDataException"/> naming file and line on bad input.</summary>
    public static MdrpInstance Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"instance folder not found: {dir}");
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));

        var p = ReadRows(Path.Combine(dir, "instance_parameters.txt"), 7);
        if (p.Count != 1) throw new InvalidDataException($"{dir}/instance_parameters.txt: expected one row of 7 values, found {p.Count} rows");
        var r0 = p[0];
        var parameters = new MdrpParameters(
            Num(r0, 0), Num(r0, 1), Num(r0, 2), Num(r0, 3), Num(r0, 4), Num(r0, 5), Num(r0, 6));
        if (!(parameters.MetersPerMinute > 0)) throw new InvalidDataException($"{dir}/instance_parameters.txt: meters_per_minute must be positive");

        var restaurants = ReadRows(Path.Combine(dir, "restaurants.txt"), 3)
            .Select(r => new MdrpRestaurant(r.Fields[0], Num(r, 1), Num(r, 2))).ToArray();
        string ordersFile = Path.Combine(dir, "orders.txt");
        bool deliverBy = File.Exists(ordersFile) && File.ReadLines(ordersFile).FirstOrDefault() is { } header
            && header.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries) is { Length: > 6 } columns && columns[6] == DeliverByColumn;
        var orders = ReadRows(ordersFile, deliverBy ? 7 : 6)
            .Select(r => new MdrpOrder(r.Fields[0], Num(r, 1), Num(r, 2), Int(r, 3), r.Fields[4], Int(r, 5), deliverBy ? Int(r, 6) : null)).ToArray();
        var couriers = ReadRows(Path.Combine(dir, "couriers.txt"), 5)
            .Select(r => new MdrpCourier(r.Fields[0], Num(r, 1), Num(r, 2), Int(r, 3), Int(r, 4))).ToArray();

        foreach (var o in orders)
        {
            if (o.PlacementTime < 0 || o.ReadyTime < o.PlacementTime)
                throw new InvalidDataException($"{dir}/orders.txt: order '{o.Id}' has placement {o.PlacementTime} and ready {o.ReadyTime} (need 0 <= placement <= ready)");
            if (o.DeliverBy is int by && by < o.ReadyTime)
                throw new InvalidDataException($"{dir}/orders.txt: order '{o.Id}' has deliver_by {by} before its ready time {o.ReadyTime}");
        }
        foreach (var c in couriers)
        {
            if (c.OnTime < 0 || c.OffTime < c.OnTime)
                throw new InvalidDataException($"{dir}/couriers.txt: courier '{c.Id}' has shift {c.OnTime}..{c.OffTime}");
        }
        return new MdrpInstance(name, parameters, restaurants, orders, couriers);
    }

    /// <summary>Writes the instance in the shared folder format (five files).</summary>
    public void Save(string dir)
    {
        Directory.CreateDirectory(dir);
        var inv = CultureInfo.InvariantCulture;
        using (var w = new StreamWriter(Path.Combine(dir, "restaurants.txt")))
        {
            w.Write("restaurant\tx\ty\n");
            foreach (var r in Restaurants) w.Write(string.Format(inv, "{0}\t{1}\t{2}\n", r.Id, Fmt(r.X), Fmt(r.Y)));
        }
        using (var w = new StreamWriter(Path.Combine(dir, "orders.txt")))
        {
            // The deliver_by column only when every order has one: the published six columns otherwise.
            bool deliverBy = Orders.Length > 0 && Orders.All(o => o.DeliverBy is not null);
            w.Write(deliverBy ? "order\tx\ty\tplacement_time\trestaurant\tready_time\t" + DeliverByColumn + "\n" : "order\tx\ty\tplacement_time\trestaurant\tready_time\n");
            foreach (var o in Orders)
            {
                w.Write(string.Format(inv, "{0}\t{1}\t{2}\t{3}\t{4}\t{5}", o.Id, Fmt(o.X), Fmt(o.Y), o.PlacementTime, o.Restaurant, o.ReadyTime));
                w.Write(deliverBy ? string.Format(inv, "\t{0}\n", o.DeliverBy) : "\n");
            }
        }
        using (var w = new StreamWriter(Path.Combine(dir, "couriers.txt")))
        {
            w.Write("courier\tx\ty\ton_time\toff_time\n");
            foreach (var c in Couriers) w.Write(string.Format(inv, "{0}\t{1}\t{2}\t{3}\t{4}\n", c.Id, Fmt(c.X), Fmt(c.Y), c.OnTime, c.OffTime));
        }
        var p = Parameters;
        File.WriteAllText(Path.Combine(dir, "instance_parameters.txt"),
            "meters_per_minute\tpickup service minutes\tdropoff service minutes\ttarget click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour\n" +
            string.Join('\t', new[] { p.MetersPerMinute, p.PickupServiceMinutes, p.DropoffServiceMinutes, p.TargetClickToDoor, p.MaxClickToDoor, p.PayPerOrder, p.GuaranteedPayPerHour }.Select(Fmt)) + "\n");
        double hours = Couriers.Sum(c => (c.OffTime - c.OnTime) / 60.0);
        int start = Orders.Length == 0 ? 0 : Math.Min(Orders.Min(o => o.PlacementTime), Couriers.Length == 0 ? int.MaxValue : Couriers.Min(c => c.OnTime));
        int end = Couriers.Length == 0 ? 0 : Couriers.Max(c => c.OffTime);
        File.WriteAllText(Path.Combine(dir, "instance_characteristics.txt"), string.Format(inv,
            "number of orders: {0}\nnumber of restaurants: {1}\nnumber of couriers: {2}\ntotal courier hours: {3:F2}\noperating period (minutes): {4}\n",
            Orders.Length, Restaurants.Length, Couriers.Length, hours, Math.Max(0, end - start)));
    }

    /// <summary>Header of the optional seventh column of orders.txt: the promised latest drop-off minute.</summary>
    public const string DeliverByColumn = "deliver_by";

    internal static string Fmt(double v) =>
        v == Math.Floor(v) && Math.Abs(v) < 1e15 ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    private readonly record struct Row(string File, int Line, string[] Fields);

    private static List<Row> ReadRows(string path, int columns)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"missing instance file: {path}", path);
        var rows = new List<Row>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (lineNo == 1 || line.Length == 0 || string.IsNullOrWhiteSpace(line)) continue; // header
            var f = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < columns)
                throw new InvalidDataException($"{path}:{lineNo}: expected {columns} columns, found {f.Length}");
            rows.Add(new Row(path, lineNo, f));
        }
        return rows;
    }

    private static double Num(Row r, int i)
    {
        if (!double.TryParse(r.Fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new InvalidDataException($"{r.File}:{r.Line}: column {i + 1} '{r.Fields[i]}' is not a finite number");
        return v;
    }

    private static int Int(Row r, int i)
    {
        double v = Num(r, i);
        if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue)
            throw new InvalidDataException($"{r.File}:{r.Line}: column {i + 1} '{r.Fields[i]}' is not a whole number of minutes");
        return (int)v;
    }
}
