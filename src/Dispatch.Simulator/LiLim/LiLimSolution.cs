using System.Globalization;
using System.Text;

namespace Dispatch.Simulator.LiLim;

/// <summary>
/// A solution of a Li &amp; Lim instance: one array of node ids per route, in visiting order, the
/// depot left out. Reads and writes the benchmark's own solution format (../shared/lilim/README.md),
/// so the public checkers of the benchmark can read what the project writes:
/// <code>
/// Instance name : lc101
/// Authors       : Dispatch
/// Date          : 2026-12-01
/// Reference     : Dispatch route optimizer, 10 s
/// Solution
/// Route 1 : 81 78 104 76 71 70 73 77 79 80
/// </code>
/// Whether the routes are feasible is <see cref="LiLimChecker"/>'s business, not this class's.
/// </summary>
public sealed class LiLimSolution
{
    private const string InstanceNameKey = "Instance name";
    private const string AuthorsKey = "Authors";
    private const string DateKey = "Date";
    private const string ReferenceKey = "Reference";
    private const string SolutionLine = "Solution";
    private const string RouteWord = "Route";

    // The header keys padded to one width, as in the benchmark's published solution files.
    private static readonly int KeyWidth = new[] { InstanceNameKey, AuthorsKey, DateKey, ReferenceKey }.Max(k => k.Length);

    public LiLimSolution(string instanceName, IReadOnlyList<int[]> routes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceName);
        RequireSingleLine(instanceName, nameof(instanceName));
        ArgumentNullException.ThrowIfNull(routes);
        for (int r = 0; r < routes.Count; r++)
            if (routes[r] is null) throw new ArgumentException($"route {r + 1} is null", nameof(routes));
        InstanceName = instanceName;
        Routes = routes;
    }

    /// <summary>Name of the instance the routes belong to (lc101, lr1_2_1, ...).</summary>
    public string InstanceName { get; }

    /// <summary>Node ids of each route in visiting order, the depot (node 0) left out. May hold empty routes; they are not written.</summary>
    public IReadOnlyList<int[]> Routes { get; }

    /// <summary>
    /// Writes the solution in the benchmark's format. Empty routes are left out and the written
    /// routes numbered 1, 2, ... in order. Lines end with '\n' whatever the platform, so the file
    /// is byte-for-byte the same everywhere.
    /// </summary>
    public void Write(TextWriter writer, string authors, string reference, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(writer);
        RequireSingleLine(authors, nameof(authors));
        RequireSingleLine(reference, nameof(reference));
        var text = new StringBuilder();
        AppendHeader(text, InstanceNameKey, InstanceName);
        AppendHeader(text, AuthorsKey, authors);
        AppendHeader(text, DateKey, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        AppendHeader(text, ReferenceKey, reference);
        text.Append(SolutionLine).Append('\n');
        int number = 0;
        foreach (var route in Routes)
        {
            if (route.Length == 0) continue;
            text.Append(RouteWord).Append(' ').Append(++number).Append(" :");
            foreach (int node in route) text.Append(' ').Append(node.ToString(CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        writer.Write(text.ToString());
    }

    /// <summary>Writes the solution to <paramref name="path"/> (UTF-8, no BOM), creating its folder if needed.</summary>
    public void Save(string path, string authors, string reference, DateOnly date)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(writer, authors, reference, date);
    }

    /// <summary>Reads a solution file; see <see cref="Parse"/> for what is refused.</summary>
    public static LiLimSolution Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Li & Lim solution not found: {path}", path);
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>
    /// Reads the benchmark's solution format. Tolerant of spacing (around the colons, between ids,
    /// blank lines) and of the case of keys; the Authors, Date and Reference values are not needed
    /// and not kept. Throws <see cref="InvalidDataException"/> naming the line when the text is not
    /// a solution: a header line without ':', a missing instance name, a route before or a missing
    /// "Solution" line, a route line that is not "Route k : ids" with k = 1, 2, ... in order, a node
    /// id that is not an integer.
    /// </summary>
    public static LiLimSolution Parse(TextReader reader) => Parse(reader, "solution");

    private static LiLimSolution Parse(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? instanceName = null;
        bool inRoutes = false;
        var routes = new List<int[]>();
        string? raw;
        int lineNo = 0;
        while ((raw = reader.ReadLine()) is not null)
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            string at = $"{source} line {lineNo}";
            if (!inRoutes)
            {
                if (line.Equals(SolutionLine, StringComparison.OrdinalIgnoreCase))
                {
                    if (instanceName is null) throw new InvalidDataException($"{at}: '{SolutionLine}' before the '{InstanceNameKey} :' line");
                    inRoutes = true;
                    continue;
                }
                if (IsRouteLine(line)) throw new InvalidDataException($"{at}: route before the '{SolutionLine}' line");
                var (key, value) = SplitAtColon(line, at, $"a header line 'key : value' or '{SolutionLine}'");
                if (SameKey(key, InstanceNameKey))
                {
                    if (value.Length == 0) throw new InvalidDataException($"{at}: empty instance name");
                    instanceName = value;
                }
                continue;
            }
            routes.Add(ParseRoute(line, routes.Count + 1, at));
        }
        if (instanceName is null) throw new InvalidDataException($"{source}: no '{InstanceNameKey} :' line");
        if (!inRoutes) throw new InvalidDataException($"{source}: no '{SolutionLine}' line (the text ends at line {lineNo})");
        return new LiLimSolution(instanceName, routes);
    }

    private static int[] ParseRoute(string line, int expectedNumber, string at)
    {
        const string expected = "'Route k : node node ...'";
        var (label, ids) = SplitAtColon(line, at, expected);
        var labelWords = SplitWords(label);
        if (labelWords.Length != 2 || !labelWords[0].Equals(RouteWord, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{at}: expected {expected}, got '{line}'");
        if (!int.TryParse(labelWords[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int number))
            throw new InvalidDataException($"{at}: route number '{labelWords[1]}' is not an integer");
        // Routes are numbered 1, 2, ... in order; a gap or a repeat means a route was lost or pasted twice.
        if (number != expectedNumber) throw new InvalidDataException($"{at}: expected Route {expectedNumber}, got Route {number}");
        var words = SplitWords(ids);
        var route = new int[words.Length];
        for (int i = 0; i < words.Length; i++)
        {
            if (!int.TryParse(words[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out route[i]))
                throw new InvalidDataException($"{at}: route {number} node '{words[i]}' is not an integer");
        }
        return route;
    }

    private static bool IsRouteLine(string line) =>
        line.StartsWith(RouteWord, StringComparison.OrdinalIgnoreCase)
        && line.Length > RouteWord.Length && char.IsWhiteSpace(line[RouteWord.Length]);

    private static (string Key, string Value) SplitAtColon(string line, string at, string expected)
    {
        int colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) throw new InvalidDataException($"{at}: expected {expected}, got '{line}'");
        return (line[..colon].Trim(), line[(colon + 1)..].Trim());
    }

    // "Instance   name" and "instance name" are the same key: spacing and case are not part of the format.
    private static bool SameKey(string key, string expected) =>
        string.Join(' ', SplitWords(key)).Equals(expected, StringComparison.OrdinalIgnoreCase);

    private static string[] SplitWords(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static void AppendHeader(StringBuilder text, string key, string value) =>
        text.Append(key.PadRight(KeyWidth)).Append(" : ").Append(value).Append('\n');

    // A value with a line break would split the header and make the file unreadable.
    private static void RequireSingleLine(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0) throw new ArgumentException("must be a single line", paramName);
    }
}
