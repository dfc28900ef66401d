using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dispatch.Engine;

namespace Dispatch.Server.Snapshots;

/// <summary>
/// The settings that decide what the engine does with a command: the travel rule with its parameters
/// and every <see cref="DispatchOptions"/> value except the initial store capacities (they only size
/// arrays). A snapshot carries them as text and as a SHA-256 fingerprint; a snapshot taken under other
/// settings is not used, because the journal after it would then be replayed by a different engine
/// than the one whose state it holds. The engine lines come from <see cref="DispatchSettings.All"/>, so an
/// option added to the engine later is covered without touching this file; the text for the same settings
/// never changes (EngineSettingsTextTests), so snapshots on disk keep their fingerprints: a setting added later
/// (<see cref="DispatchSetting.AddedLater"/>) appears only when it differs from its default.
/// </summary>
internal static class EngineSettings
{
    /// <summary>One line per setting, <c>name=value</c>, sorted by name, invariant culture, round-trip doubles.</summary>
    public static string Describe(ServerOptions options)
    {
        var lines = new List<string> { "travel=" + options.Travel };
        switch (options.Travel)
        {
            case TravelMode.Haversine:
                lines.Add("travel.haversineKmh=" + Format(options.HaversineKmh));
                lines.Add("travel.detourFactor=" + Format(options.DetourFactor));
                break;
            default:
                lines.Add("travel.metersPerMinute=" + Format(options.MetersPerMinute));
                break;
        }
        var (minX, minY, maxX, maxY) = options.ParseTrafficBounds();
        lines.Add("traffic.bounds=" + string.Join(',', Format(minX), Format(minY), Format(maxX), Format(maxY)));
        lines.Add("traffic.cellSize=" + Format(options.TrafficCellSize));
        lines.Add("traffic.closureDetourMinutes=" + Format(options.ClosureDetourMinutes));
        foreach (var setting in DispatchSettings.All)
        {
            if (setting.ChangesNoDecision || (setting.AddedLater && setting.IsDefault(options.Engine))) continue;
            lines.Add("engine." + setting.Name + "=" + setting.Format(options.Engine));
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    /// <summary>SHA-256 of <see cref="Describe"/>'s UTF-8 text.</summary>
    public static byte[] Fingerprint(string description) => SHA256.HashData(Encoding.UTF8.GetBytes(description));

    /// <summary>The settings that differ between two descriptions, for the log (<c>name: theirs -> ours</c>).</summary>
    public static string Difference(string theirs, string ours)
    {
        static Dictionary<string, string> Parse(string text)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = line.IndexOf('=');
                if (eq > 0) d[line[..eq]] = line[(eq + 1)..];
            }
            return d;
        }
        var a = Parse(theirs);
        var b = Parse(ours);
        var diffs = new List<string>();
        foreach (var key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            a.TryGetValue(key, out var x);
            b.TryGetValue(key, out var y);
            if (x != y) diffs.Add($"{key}: {x ?? "(absent)"} -> {y ?? "(absent)"}");
        }
        return diffs.Count == 0 ? "(same text, different fingerprint)" : string.Join("; ", diffs);
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
