using System.Globalization;

namespace Dispatch.Simulator.LiLim;

/// <summary>The best known solution of one instance, as published.</summary>
/// <param name="Tasks">
/// The instance's nominal size (100, 200 or 400). The files hold a few more tasks than that
/// (lc101: 106), since the benchmark pads requests out to pickup-delivery pairs.
/// </param>
/// <param name="Vehicles">Routes of the best known solution.</param>
/// <param name="Distance">Its total distance.</param>
public readonly record struct BestKnownSolution(int Tasks, int Vehicles, double Distance);

/// <summary>
/// The best known solutions of the Li &amp; Lim benchmark (../shared/lilim/bks.csv, header
/// <c>instance,tasks,vehicles,distance</c>) and the gap of a result to them.
/// </summary>
public static class BestKnown
{
    private const string Header = "instance,tasks,vehicles,distance";

    public static IReadOnlyDictionary<string, BestKnownSolution> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"best known solutions not found: {path}", path);
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>
    /// Reads the table into instance name -> best known solution. Throws
    /// <see cref="InvalidDataException"/> naming <paramref name="source"/> and the line on a wrong
    /// header, a row without four fields, a count or distance that is not a positive number, or an
    /// instance listed twice.
    /// </summary>
    public static IReadOnlyDictionary<string, BestKnownSolution> Parse(TextReader reader, string source = "bks.csv")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var best = new Dictionary<string, BestKnownSolution>(StringComparer.Ordinal);
        string? line;
        int lineNo = 0;
        bool headerSeen = false;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            string at = $"{source} line {lineNo}";
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (!headerSeen)
            {
                if (string.Join(',', fields) != Header) throw new InvalidDataException($"{at}: expected header '{Header}', got '{line}'");
                headerSeen = true;
                continue;
            }
            if (fields.Length != 4) throw new InvalidDataException($"{at}: expected 4 fields '{Header}', got {fields.Length}");
            string name = fields[0];
            if (name.Length == 0) throw new InvalidDataException($"{at}: empty instance name");
            var solution = new BestKnownSolution(
                PositiveInt(fields[1], at, "tasks"), PositiveInt(fields[2], at, "vehicles"), PositiveDouble(fields[3], at, "distance"));
            if (!best.TryAdd(name, solution)) throw new InvalidDataException($"{at}: instance {name} is listed twice");
        }
        if (!headerSeen) throw new InvalidDataException($"{source}: empty file, expected header '{Header}'");
        return best;
    }

    /// <summary>How far <paramref name="distance"/> is above the best known, in percent: <c>100 * (distance - best) / best</c>.</summary>
    public static double GapPercent(double distance, double best)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(best);
        return 100 * (distance - best) / best;
    }

    /// <summary>A gap (or any signed percentage) to two decimals, sign shown; rounding noise around zero prints as 0.00, never -0.00.</summary>
    public static string FormatPercent(double percent) => (Math.Round(percent, 2) + 0.0).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static int PositiveInt(string s, string at, string field) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
        : throw new InvalidDataException($"{at}: {field} '{s}' is not a positive integer");

    private static double PositiveDouble(string s, string at, string field) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v > 0 ? v
        : throw new InvalidDataException($"{at}: {field} '{s}' is not a positive number");
}
