using System.Globalization;
using System.Text;

namespace Dispatch.Simulator.Mdrp;

/// <summary>One line of solution_info_assignments.txt: orders in drop-off sequence.</summary>
public sealed record MdrpAssignmentRecord(double AssignmentTime, double PickupTime, string Courier, string[] Orders);

/// <summary>One line of solution_info_orders.txt (one per delivered order).</summary>
public readonly record struct MdrpOrderRecord(string Order, double PlacementTime, double ReadyTime, double PickupTime, double DropoffTime, string Courier);

/// <summary>One line of solution_info_couriers.txt: origin "0" is the courier's start location.</summary>
public readonly record struct MdrpCourierMove(string Courier, double DepartureTime, string Origin, string Destination);

/// <summary>
/// The three solution files described in ../shared/mdrp/README.md, read and written so that the
/// published evaluator and the project's own <c>SolutionEvaluator</c> can check a replay.
/// </summary>
public sealed class MdrpSolution
{
    public const string AssignmentsFile = "solution_info_assignments.txt";
    public const string OrdersFile = "solution_info_orders.txt";
    public const string CouriersFile = "solution_info_couriers.txt";

    /// <summary>Origin id that stands for a courier's start location.</summary>
    public const string StartLocation = "0";

    public List<MdrpAssignmentRecord> Assignments { get; } = new();
    public List<MdrpOrderRecord> Orders { get; } = new();
    public List<MdrpCourierMove> Moves { get; } = new();

    public void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var sb = new StringBuilder();
        sb.Append("assignment_time pickup_time courier orders\n");
        foreach (var a in Assignments)
        {
            sb.Append(MdrpInstance.Fmt(a.AssignmentTime)).Append(' ').Append(MdrpInstance.Fmt(a.PickupTime)).Append(' ').Append(a.Courier);
            foreach (var o in a.Orders) sb.Append(' ').Append(o);
            sb.Append('\n');
        }
        File.WriteAllText(Path.Combine(dir, AssignmentsFile), sb.ToString());

        sb.Clear();
        sb.Append("order placement_time ready_time pickup_time dropoff_time courier\n");
        foreach (var o in Orders)
        {
            sb.Append(o.Order).Append(' ').Append(MdrpInstance.Fmt(o.PlacementTime)).Append(' ').Append(MdrpInstance.Fmt(o.ReadyTime)).Append(' ')
              .Append(MdrpInstance.Fmt(o.PickupTime)).Append(' ').Append(MdrpInstance.Fmt(o.DropoffTime)).Append(' ').Append(o.Courier).Append('\n');
        }
        File.WriteAllText(Path.Combine(dir, OrdersFile), sb.ToString());

        sb.Clear();
        sb.Append("courier departure_time origin destination\n");
        foreach (var m in Moves)
            sb.Append(m.Courier).Append(' ').Append(MdrpInstance.Fmt(m.DepartureTime)).Append(' ').Append(m.Origin).Append(' ').Append(m.Destination).Append('\n');
        File.WriteAllText(Path.Combine(dir, CouriersFile), sb.ToString());
    }

    /// <summary>Reads the three files; throws <see cref="InvalidDataException"/> naming file and line on malformed input.</summary>
    public static MdrpSolution Read(string dir)
    {
        var s = new MdrpSolution();
        foreach (var (line, f) in Lines(Path.Combine(dir, AssignmentsFile), 4))
            s.Assignments.Add(new MdrpAssignmentRecord(Num(line, f[0]), Num(line, f[1]), f[2], f[3..]));
        foreach (var (line, f) in Lines(Path.Combine(dir, OrdersFile), 6))
            s.Orders.Add(new MdrpOrderRecord(f[0], Num(line, f[1]), Num(line, f[2]), Num(line, f[3]), Num(line, f[4]), f[5]));
        foreach (var (line, f) in Lines(Path.Combine(dir, CouriersFile), 4))
            s.Moves.Add(new MdrpCourierMove(f[0], Num(line, f[1]), f[2], f[3]));
        return s;
    }

    private static IEnumerable<(string Where, string[] Fields)> Lines(string path, int minColumns)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"missing solution file: {path}", path);
        int n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (n == 1 || string.IsNullOrWhiteSpace(line)) continue;
            var f = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string where = $"{path}:{n}";
            if (f.Length < minColumns) throw new InvalidDataException($"{where}: expected at least {minColumns} columns, found {f.Length}");
            yield return (where, f);
        }
    }

    private static double Num(string where, string s)
    {
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new InvalidDataException($"{where}: '{s}' is not a finite number");
        return v;
    }
}
