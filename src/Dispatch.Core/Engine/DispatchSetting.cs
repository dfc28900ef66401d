namespace Dispatch.Engine;

/// <summary>
/// One engine setting (a <see cref="DispatchOptions"/> property) as text: its name, read and written without
/// reflection, so the server's configuration, the command-trace header and the snapshot settings fingerprint
/// all follow <see cref="DispatchOptions"/> instead of retyping it. The table is <see cref="DispatchSettings.All"/>.
/// </summary>
/// <param name="name">The property's name.</param>
/// <param name="valueType">The property's type.</param>
/// <param name="changesNoDecision">True for a setting that never changes a decision (store capacities, the second core).</param>
/// <param name="format">The value as invariant text.</param>
/// <param name="withText">The options with the value parsed from invariant text.</param>
/// <param name="addedLater">True for a setting added after snapshots existed (see <see cref="AddedLater"/>).</param>
public sealed class DispatchSetting(string name, Type valueType, bool changesNoDecision,
    Func<DispatchOptions, string> format, Func<DispatchOptions, string, DispatchOptions> withText, bool addedLater = false)
{
    /// <summary>The <see cref="DispatchOptions"/> property's name (also the server's configuration key).</summary>
    public string Name { get; } = name;

    /// <summary>The property's type: <see cref="double"/>, <see cref="int"/>, <see cref="bool"/> or an enum
    /// (<see cref="DispatchProfile"/>). It decides how the value is parsed and how a trace header carries it.</summary>
    public Type ValueType { get; } = valueType;

    /// <summary>
    /// True for the settings that never change a decision (the initial store capacities, which size arrays, and
    /// <see cref="DispatchOptions.UseSecondCore"/>, which decides on which thread work runs): the snapshot settings
    /// fingerprint leaves them out (a snapshot stays usable when only they change) and traces do not carry them.
    /// </summary>
    public bool ChangesNoDecision { get; } = changesNoDecision;

    /// <summary>
    /// True for a setting added after engine snapshots were first written: the snapshot settings fingerprint
    /// carries it only when it differs from its default, so the snapshots on disk of a server upgraded with its
    /// defaults keep their fingerprints (they load, and the new setting takes its default).
    /// </summary>
    public bool AddedLater { get; } = addedLater;

    /// <summary>Whether <paramref name="options"/> holds this setting's default value.</summary>
    public bool IsDefault(DispatchOptions options) => Format(options) == Format(Defaults);

    private static readonly DispatchOptions Defaults = new();

    /// <summary>The value in <paramref name="options"/> as invariant text (doubles round-trip, flags <c>True</c>/<c>False</c>, enums by name).</summary>
    public string Format(DispatchOptions options) => format(options);

    /// <summary><paramref name="options"/> with this setting parsed from invariant <paramref name="text"/>.
    /// Throws <see cref="FormatException"/> naming the setting when the text is not a value of its type; ranges are
    /// checked when an engine is built from the options.</summary>
    public DispatchOptions WithText(DispatchOptions options, string text) => withText(options, text);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
