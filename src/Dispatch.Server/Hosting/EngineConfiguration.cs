using Dispatch.Engine;
using Microsoft.Extensions.Configuration;

namespace Dispatch.Server.Hosting;

/// <summary>
/// Binds <see cref="ServerOptions.Engine"/> from the flat keys of the "Dispatch" section, one per
/// <see cref="DispatchSettings.All"/> entry under the setting's name (Dispatch:Profile, Dispatch__TravelWeight,
/// --Dispatch:GeneralImprovementMovesPerTick=32, ...): the configuration keys follow <see cref="DispatchOptions"/>
/// instead of being copied into <see cref="ServerOptions"/>.
/// </summary>
public static class EngineConfiguration
{
    /// <summary><paramref name="options"/> with every engine setting that <paramref name="section"/> names.
    /// Throws <see cref="InvalidOperationException"/> naming the configuration key when a value does not parse;
    /// values out of range are refused when the engine is built (the error names the setting).</summary>
    public static DispatchOptions Bind(IConfiguration section, DispatchOptions options)
    {
        foreach (var setting in DispatchSettings.All)
        {
            if (section[setting.Name] is not { } text) continue;
            try
            {
                options = setting.WithText(options, text);
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"configuration key {ServerOptions.Section}:{setting.Name}: {ex.Message}", ex);
            }
        }
        return options;
    }
}
