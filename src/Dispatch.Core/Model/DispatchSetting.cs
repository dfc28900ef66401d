namespace Dispatch.Engine;

/// <summary>
/// One engine setting (a <see cref="DispatchOptions"/> property) as text: its name, read and written without
/// reflection, so the server's configuration, the command-trace header and the snapshot settings fingerprint
/// all follow <see cref="DispatchOptions"/> instead of retyping it. The table is <see cref="DispatchSettings.All"/>.
/// </summary>
public sealed class DispatchSetting
{
    private readonly Func<DispatchOptions, string> _format;
    private readonly Func<DispatchOptions, string, DispatchOptions> _withText;

    internal DispatchSetting(string name, DispatchSettingKind kind, bool sizesStorageOnly, Func<DispatchOptions, string> format, Func<DispatchOptions, string, DispatchOptions> withText)
    {
        Name = name;
        Kind = kind;
        SizesStorageOnly = sizesStorageOnly;
        _format = format;
        _withText = withText;
    }

    /// <summary>The <see cref="DispatchOptions"/> property's name (also the server's configuration key).</summary>
    public string Name { get; }

    /// <summary>The value's type.</summary>
    public DispatchSettingKind Kind { get; }

    /// <summary>
    /// True for the initial store capacities: they size arrays and never change a decision, so the snapshot
    /// settings fingerprint leaves them out (a snapshot stays usable when only they change) and traces do not carry them.
    /// </summary>
    public bool SizesStorageOnly { get; }

    /// <summary>The value in <paramref name="options"/> as invariant text (doubles round-trip, flags <c>True</c>/<c>False</c>, choices by name).</summary>
    public string Format(DispatchOptions options) => _format(options);

    /// <summary><paramref name="options"/> with this setting parsed from invariant <paramref name="text"/>.
    /// Throws <see cref="FormatException"/> naming the setting when the text is not a value of its kind; ranges are
    /// checked when an engine is built from the options.</summary>
    public DispatchOptions WithText(DispatchOptions options, string text) => _withText(options, text);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
