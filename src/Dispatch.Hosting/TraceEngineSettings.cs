using System.Globalization;
using Dispatch.Engine;
using Dispatch.Protocol;

namespace Dispatch.Hosting;

/// <summary>
/// The engine settings in a command-trace header (<see cref="TraceHeader.EngineSettings"/>), derived from
/// <see cref="DispatchSettings.All"/>: each <see cref="DispatchOptions"/> setting under the camelCase of its name
/// (<c>profile</c>, <c>pickupServiceMinutes</c>, ...), numbers as float64, integers as integers, flags as booleans,
/// the profile by name. The initial capacities are left out: they never change a decision.
/// </summary>
public static class TraceEngineSettings
{
    /// <summary>The header key of a setting: its name in camelCase.</summary>
    public static string Key(DispatchSetting setting) => char.ToLowerInvariant(setting.Name[0]) + setting.Name[1..];

    /// <summary>The header entries for <paramref name="options"/>, in <see cref="DispatchOptions"/> order.</summary>
    public static Dictionary<string, object> For(DispatchOptions options)
    {
        var entries = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var s in DispatchSettings.All)
        {
            if (s.ChangesNoDecision) continue;
            string text = s.Format(options);
            entries[Key(s)] = s.ValueType switch
            {
                var t when t == typeof(double) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
                var t when t == typeof(int) => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
                var t when t == typeof(bool) => bool.Parse(text),
                _ => text, // an enum, by name
            };
        }
        return entries;
    }

    /// <summary>
    /// The engine options a trace was recorded under: the engine's defaults with every setting the header names
    /// (older traces name only profile, service, click-to-door and tick settings; the rest were the defaults then too).
    /// Throws <see cref="FormatException"/> naming the key when a value is not one the setting takes.
    /// </summary>
    public static DispatchOptions OptionsFrom(TraceHeader header)
    {
        var options = new DispatchOptions();
        foreach (var s in DispatchSettings.All)
        {
            string key = Key(s);
            if (!header.EngineSettings.TryGetValue(key, out object? value)) continue;
            string text = value switch
            {
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            try
            {
                options = s.WithText(options, text);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"trace header setting {key}: {ex.Message}", ex);
            }
        }
        return options;
    }
}
