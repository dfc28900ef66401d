using System.CommandLine;
using Dispatch.Travel;

namespace Dispatch.Simulator;

/// <summary>
/// <c>--set NAME=VALUE</c> (repeatable): an engine setting for every engine of a replay, a replay-all (the baseline
/// too) or a scenario table (re-planning on and off alike), by the names and value syntax of
/// <see cref="DispatchSettings"/>, the list the server's configuration reads. It is how a dispatch change is read over
/// paired draws (the same small perturbation, say <c>--set TravelWeight=0.19</c>, on both builds: bench/README.md) and
/// how a setting's trade is swept, without editing code. The settings a trace or another option decides are refused
/// rather than silently overwritten.
/// </summary>
internal static class EngineSettingsOption
{
    /// <summary>Settings that come from elsewhere in a replay: the trace's parameters, <c>--policy</c>, <c>--tick</c>,
    /// <c>--no-replan</c>, the stores sized to the trace. The twin of what <see cref="Mdrp.MdrpEngineOptions.For"/> and
    /// the scenario replay's <c>Replanning</c> overwrite; a test holds the two to each other.</summary>
    internal static readonly Dictionary<string, string> DecidedElsewhere = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(DispatchOptions.Profile)] = "--policy",
        [nameof(DispatchOptions.PickupServiceMinutes)] = "the trace's parameters",
        [nameof(DispatchOptions.DropoffServiceMinutes)] = "the trace's parameters",
        [nameof(DispatchOptions.TargetClickToDoorMinutes)] = "the trace's parameters",
        [nameof(DispatchOptions.MaxClickToDoorMinutes)] = "the trace's parameters",
        [nameof(DispatchOptions.TickIntervalMinutes)] = "--tick",
        [nameof(DispatchOptions.Replanning)] = "--no-replan",
        [nameof(DispatchOptions.InitialOrderCapacity)] = "the trace's size",
        [nameof(DispatchOptions.InitialCourierCapacity)] = "the trace's size",
        [nameof(DispatchOptions.InitialSiteCapacity)] = "the trace's size",
    };

    public static Option<string[]> Create() => new("--set")
    {
        Description = "an engine setting for every engine of the run, NAME=VALUE (repeatable; names as the server's configuration, e.g. TravelWeight=0.19, PromiseBreakCost=0)",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// The engine options the assignments give over the defaults, or null when there are none. Throws
    /// <see cref="ArgumentException"/> naming the assignment for text that is not NAME=VALUE, an unknown name, a setting
    /// decided elsewhere, the same setting twice, a value not of the setting's type or out of its range (checked here, by
    /// building an engine, so a bad value is refused before any replay starts).
    /// </summary>
    public static DispatchOptions? Apply(IReadOnlyList<string>? assignments)
    {
        if (assignments is null || assignments.Count == 0) return null;
        var options = new DispatchOptions();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string a in assignments)
        {
            int eq = a.IndexOf('=');
            if (eq <= 0 || eq == a.Length - 1) throw new ArgumentException($"--set {a}: expected NAME=VALUE, e.g. TravelWeight=0.19");
            string name = a[..eq].Trim(), text = a[(eq + 1)..].Trim();
            var setting = DispatchSettings.Find(name)
                ?? throw new ArgumentException($"--set {a}: unknown engine setting '{name}'; the settings are {string.Join(", ", DispatchSettings.All.Select(s => s.Name))}");
            if (DecidedElsewhere.TryGetValue(setting.Name, out string? by)) throw new ArgumentException($"--set {a}: {setting.Name} is decided by {by} in a replay, not by --set");
            if (!seen.Add(setting.Name)) throw new ArgumentException($"--set {a}: {setting.Name} is set twice");
            try { options = setting.WithText(options, text); }
            catch (FormatException e) { throw new ArgumentException($"--set {a}: {e.Message}", e); }
        }
        // The engine checks every range when it is built; one built here refuses a bad value before the replays start
        // (inside them it would surface from a worker thread).
        try { _ = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(1), options); }
        catch (ArgumentOutOfRangeException e) { throw new ArgumentException($"--set: {e.Message}", e); }
        return options;
    }

    /// <summary>A line saying which settings differ from their defaults (empty when none), for the tables a run writes:
    /// a figure is read with what the engine was given.</summary>
    public static string Describe(DispatchOptions? options)
    {
        if (options is null) return "";
        var changed = DispatchSettings.All.Where(s => !s.IsDefault(options)).Select(s => $"{s.Name}={s.Format(options)}").ToArray();
        return changed.Length == 0 ? "" : $"\nEngine settings other than the defaults (--set): {string.Join(", ", changed)}.\n";
    }
}
