using System.Globalization;

namespace Dispatch.Simulator.LiLim;

/// <summary>One node of a Li &amp; Lim instance: the depot (id 0), a pickup or a delivery.</summary>
/// <param name="Id">Node id as in the file (0 = depot).</param>
/// <param name="Demand">Positive at a pickup, negative at a delivery, 0 at the depot.</param>
/// <param name="Ready">Earliest start of service.</param>
/// <param name="Due">Latest start of service (for the depot: the time every route must be back by).</param>
/// <param name="Service">Service minutes at the node.</param>
/// <param name="Pickup">At a delivery: the id of its pickup node; otherwise 0.</param>
/// <param name="Delivery">At a pickup: the id of its delivery node; otherwise 0.</param>
public readonly record struct LiLimNode(int Id, double X, double Y, int Demand, double Ready, double Due, double Service, int Pickup, int Delivery)
{
    public bool IsPickup => Demand > 0 || (Id != 0 && Delivery != 0);
}

/// <summary>
/// A Li &amp; Lim PDPTW instance (format in ../shared/lilim/README.md): vehicle count, capacity and
/// nodes indexed by id. Travel time and distance are the Euclidean distance between nodes, unrounded.
/// Reading refuses a file that breaks the format (line and field named), so a solver never sees a
/// half-read instance.
/// </summary>
public sealed class LiLimInstance
{
    public LiLimInstance(string name, int vehicles, int capacity, LiLimNode[] nodes)
    {
        Name = name;
        Vehicles = vehicles;
        Capacity = capacity;
        Nodes = nodes;
        int pairs = 0;
        for (int i = 1; i < nodes.Length; i++)
            if (nodes[i].Delivery != 0) pairs++;
        Requests = pairs;
    }

    /// <summary>Instance name: the file name without extension (lc101, lr1_2_1, ...).</summary>
    public string Name { get; }
    /// <summary>The most routes a solution may use.</summary>
    public int Vehicles { get; }
    public int Capacity { get; }
    /// <summary>Nodes by id; <c>Nodes[0]</c> is the depot.</summary>
    public LiLimNode[] Nodes { get; }
    /// <summary>Number of pickup-and-delivery requests (tasks / 2).</summary>
    public int Requests { get; }
    /// <summary>
    /// The benchmark's size class (100, 200, 400 ...): the files hold a few more tasks than their
    /// nominal size (lc101 has 106), never 100 more.
    /// </summary>
    public int SizeClass => Math.Max(100, Tasks / 100 * 100);
    /// <summary>Pickups and deliveries: nodes other than the depot.</summary>
    public int Tasks => Nodes.Length - 1;
    public LiLimNode Depot => Nodes[0];

    /// <summary>Euclidean distance (= travel time) between two nodes by id.</summary>
    public double Distance(int a, int b)
    {
        double dx = Nodes[a].X - Nodes[b].X, dy = Nodes[a].Y - Nodes[b].Y;
        return Math.Sqrt(dx * dx + dy * dy);
    }

    public static LiLimInstance Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Li & Lim instance not found: {path}", path);
        using var reader = new StreamReader(path);
        return Parse(Path.GetFileNameWithoutExtension(path), reader);
    }

    public static LiLimInstance Parse(string name, TextReader reader)
    {
        string? line;
        int lineNo = 0;
        string[]? header = null;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            header = Split(line);
            break;
        }
        if (header is null) throw new InvalidDataException($"{name}: empty file");
        if (header.Length < 2) throw new InvalidDataException($"{name} line {lineNo}: expected 'vehicles capacity speed', got '{string.Join(' ', header)}'");
        int vehicles = ParseInt(header[0], name, lineNo, "vehicles");
        int capacity = ParseInt(header[1], name, lineNo, "capacity");
        if (vehicles <= 0) throw new InvalidDataException($"{name} line {lineNo}: vehicles must be positive, got {vehicles}");
        if (capacity <= 0) throw new InvalidDataException($"{name} line {lineNo}: capacity must be positive, got {capacity}");
        if (header.Length >= 3)
        {
            double speed = ParseDouble(header[2], name, lineNo, "speed");
            // Ten of the published files (lc104, lc105, lc107, lc108, lc204, lc205, lc206, lc208, lr107,
            // lr207) have 0 here, and every published result uses travel time = distance for them too:
            // 0 means "not given". Any other speed would mean a different problem, so it is refused.
            if (speed != 1 && speed != 0) throw new InvalidDataException($"{name} line {lineNo}: speed {speed} is not supported (the benchmark uses 1, or 0 for not given: travel time = distance)");
        }

        var nodes = new List<LiLimNode>();
        // The line of each node, so the pickup/delivery cross-checks below can name it too.
        var nodeLines = new List<int>();
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            var f = Split(line);
            if (f.Length < 9) throw new InvalidDataException($"{name} line {lineNo}: expected 9 fields 'id x y demand ready due service pickup delivery', got {f.Length}");
            var node = new LiLimNode(
                ParseInt(f[0], name, lineNo, "id"), ParseDouble(f[1], name, lineNo, "x"), ParseDouble(f[2], name, lineNo, "y"),
                ParseInt(f[3], name, lineNo, "demand"), ParseDouble(f[4], name, lineNo, "ready"), ParseDouble(f[5], name, lineNo, "due"),
                ParseDouble(f[6], name, lineNo, "service"), ParseInt(f[7], name, lineNo, "pickup"), ParseInt(f[8], name, lineNo, "delivery"));
            if (node.Id != nodes.Count) throw new InvalidDataException($"{name} line {lineNo}: node id {node.Id} out of order (expected {nodes.Count})");
            if (node.Due < node.Ready) throw new InvalidDataException($"{name} line {lineNo}: node {node.Id} due {node.Due} is before ready {node.Ready}");
            if (node.Service < 0) throw new InvalidDataException($"{name} line {lineNo}: node {node.Id} service {node.Service} is negative");
            nodes.Add(node);
            nodeLines.Add(lineNo);
        }
        if (nodes.Count == 0) throw new InvalidDataException($"{name}: no depot line");
        var arr = nodes.ToArray();
        for (int i = 1; i < arr.Length; i++)
        {
            var n = arr[i];
            string at = $"{name} line {nodeLines[i]}";
            if (n.Delivery != 0)
            {
                if (n.Delivery <= 0 || n.Delivery >= arr.Length) throw new InvalidDataException($"{at}: pickup {n.Id} names delivery {n.Delivery}, which is not a node");
                if (arr[n.Delivery].Pickup != n.Id) throw new InvalidDataException($"{at}: pickup {n.Id} names delivery {n.Delivery}, whose pickup is {arr[n.Delivery].Pickup}");
                if (arr[n.Delivery].Demand != -n.Demand) throw new InvalidDataException($"{at}: pickup {n.Id} demand {n.Demand} is not the negative of delivery {n.Delivery}'s {arr[n.Delivery].Demand}");
            }
            else if (n.Pickup != 0)
            {
                if (n.Pickup <= 0 || n.Pickup >= arr.Length || arr[n.Pickup].Delivery != n.Id)
                    throw new InvalidDataException($"{at}: delivery {n.Id} names pickup {n.Pickup}, which does not name it back");
            }
            else throw new InvalidDataException($"{at}: node {n.Id} is neither a pickup nor a delivery (pickup and delivery fields both 0)");
        }
        return new LiLimInstance(name, vehicles, capacity, arr);
    }

    private static string[] Split(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static int ParseInt(string s, string name, int line, string field) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
        : throw new InvalidDataException($"{name} line {line}: {field} '{s}' is not an integer");

    private static double ParseDouble(string s, string name, int line, string field) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
        : throw new InvalidDataException($"{name} line {line}: {field} '{s}' is not a number");
}
