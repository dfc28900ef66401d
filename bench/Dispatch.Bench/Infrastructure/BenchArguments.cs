namespace Dispatch.Bench.Infrastructure;

/// <summary>
/// A bench command's command line: <c>--name value</c> options and positional arguments (trace folders,
/// files), in any order. An option given twice keeps its last value; numbers are read in the invariant culture.
/// </summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public BenchArguments(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length) _options[args[i]] = args[++i];
            else Positional.Add(args[i]);
        }
    }

    /// <summary>The arguments that are not an option or its value, in order.</summary>
    public List<string> Positional { get; } = [];

    /// <summary>Options the command never asked for, then the positional arguments: for a command that takes none.</summary>
    public IEnumerable<string> Unread => _options.Keys.Where(k => !_read.Contains(k)).Concat(Positional);

    /// <summary>The value of option <paramref name="name"/>, or null when it is not given.</summary>
    public string? Text(string name)
    {
        _read.Add(name);
        return _options.GetValueOrDefault(name);
    }

    /// <summary>A whole-number option, or <paramref name="fallback"/>.</summary>
    public int Int(string name, int fallback) => Text(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A number option, or <paramref name="fallback"/>.</summary>
    public double Number(string name, double fallback) => Text(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A comma-separated list of whole numbers, or <paramref name="fallback"/>.</summary>
    public int[] Ints(string name, int[] fallback) =>
        Text(name) is { } v ? v.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray() : fallback;
}
