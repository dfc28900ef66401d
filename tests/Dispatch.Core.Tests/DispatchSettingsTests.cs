using System.Globalization;
using System.Reflection;
using Dispatch.Engine;

namespace Dispatch.Core.Tests;

/// <summary>The settings table is the one list of <see cref="DispatchOptions"/>: it must cover every property, with
/// the right kind, and read back what it writes.</summary>
public class DispatchSettingsTests
{
    private static readonly PropertyInfo[] Properties = typeof(DispatchOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetIndexParameters().Length == 0 && p.SetMethod is not null)
        .ToArray();

    private static PropertyInfo Property(DispatchSetting s) => Properties.Single(p => p.Name == s.Name);

    [Fact]
    public void The_table_lists_every_init_property_of_DispatchOptions_once_in_declaration_order_with_its_type()
    {
        Assert.Equal(Properties.Select(p => p.Name), DispatchSettings.All.Select(s => s.Name));
        foreach (var s in DispatchSettings.All)
        {
            Assert.Equal(Property(s).PropertyType, s.ValueType);
            Assert.Equal(s.Name.StartsWith("Initial", StringComparison.Ordinal) || s.Name == nameof(DispatchOptions.UseSecondCore), s.ChangesNoDecision);
            Assert.Same(s, DispatchSettings.Find(s.Name.ToLowerInvariant()));
        }
        Assert.Null(DispatchSettings.Find("Port"));
    }

    [Fact]
    public void Each_setting_formats_as_the_old_reflection_text_and_sets_only_its_own_property()
    {
        var defaults = new DispatchOptions();
        foreach (var s in DispatchSettings.All)
        {
            var p = Property(s);
            Assert.Equal(ReflectionText(p.GetValue(defaults)), s.Format(defaults));

            object changed = p.GetValue(defaults) switch
            {
                double d => d + 0.125,
                int i => i + 3,
                bool b => !b,
                DispatchProfile => DispatchProfile.General,
                var v => throw new InvalidOperationException($"{s.Name}: {v}"),
            };
            string text = ReflectionText(changed);
            var options = s.WithText(defaults, text);
            Assert.Equal(changed, p.GetValue(options));
            Assert.Equal(text, s.Format(options));
            foreach (var other in Properties.Where(o => o != p))
                Assert.Equal(other.GetValue(defaults), other.GetValue(options));
        }
    }

    [Fact]
    public void Text_is_read_in_configuration_forms_and_a_bad_value_names_the_setting()
    {
        var o = new DispatchOptions();
        Assert.Equal(DispatchProfile.General, DispatchSettings.Find("Profile")!.WithText(o, "general").Profile);
        Assert.False(DispatchSettings.Find("Replanning")!.WithText(o, "false").Replanning);
        Assert.Equal(0.1, DispatchSettings.Find("TravelWeight")!.WithText(o, "0.1").TravelWeight);
        Assert.Equal(7, DispatchSettings.Find("GeneralImprovementMovesPerTick")!.WithText(o, "7").GeneralImprovementMovesPerTick);

        var bad = Assert.Throws<FormatException>(() => DispatchSettings.Find("PickupServiceMinutes")!.WithText(o, "four"));
        Assert.Contains("PickupServiceMinutes", bad.Message);
        Assert.Contains("Mdrp", Assert.Throws<FormatException>(() => DispatchSettings.Find("Profile")!.WithText(o, "Fastest")).Message);
        Assert.Throws<FormatException>(() => DispatchSettings.Find("MaxBundleSize")!.WithText(o, "2.5"));
        Assert.Throws<FormatException>(() => DispatchSettings.Find("Replanning")!.WithText(o, "yes"));
    }

    /// <summary>How the snapshot settings text was written when it was built by reflection (its format must not change).</summary>
    private static string ReflectionText(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
