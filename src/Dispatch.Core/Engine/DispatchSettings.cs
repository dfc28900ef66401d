using System.Globalization;

namespace Dispatch.Engine;

/// <summary>
/// Every <see cref="DispatchOptions"/> setting, in declaration order, each read and written through a lambda (no
/// reflection: trimming-safe, and a typo is a compile error). The one list the server's configuration keys, the
/// command-trace header and the snapshot settings fingerprint are derived from; a test fails when a
/// <see cref="DispatchOptions"/> property is missing here.
/// </summary>
public static class DispatchSettings
{
    /// <summary>The settings, in <see cref="DispatchOptions"/> declaration order.</summary>
    public static IReadOnlyList<DispatchSetting> All { get; } =
    [
        Choice(nameof(DispatchOptions.Profile), o => o.Profile, (o, v) => o with { Profile = v }),
        Number(nameof(DispatchOptions.PickupServiceMinutes), o => o.PickupServiceMinutes, (o, v) => o with { PickupServiceMinutes = v }),
        Number(nameof(DispatchOptions.DropoffServiceMinutes), o => o.DropoffServiceMinutes, (o, v) => o with { DropoffServiceMinutes = v }),
        Number(nameof(DispatchOptions.TargetClickToDoorMinutes), o => o.TargetClickToDoorMinutes, (o, v) => o with { TargetClickToDoorMinutes = v }),
        Number(nameof(DispatchOptions.MaxClickToDoorMinutes), o => o.MaxClickToDoorMinutes, (o, v) => o with { MaxClickToDoorMinutes = v }),
        Number(nameof(DispatchOptions.TickIntervalMinutes), o => o.TickIntervalMinutes, (o, v) => o with { TickIntervalMinutes = v }),
        Number(nameof(DispatchOptions.CourierLookaheadMinutes), o => o.CourierLookaheadMinutes, (o, v) => o with { CourierLookaheadMinutes = v }),
        Integer(nameof(DispatchOptions.CandidateCouriersPerSite), o => o.CandidateCouriersPerSite, (o, v) => o with { CandidateCouriersPerSite = v }),
        Integer(nameof(DispatchOptions.LargeProblemOpenOrders), o => o.LargeProblemOpenOrders, (o, v) => o with { LargeProblemOpenOrders = v }),
        Integer(nameof(DispatchOptions.LargeProblemCandidateCouriers), o => o.LargeProblemCandidateCouriers, (o, v) => o with { LargeProblemCandidateCouriers = v }),
        Integer(nameof(DispatchOptions.MaxBundleSize), o => o.MaxBundleSize, (o, v) => o with { MaxBundleSize = v }),
        Number(nameof(DispatchOptions.BundleReadyWindowMinutes), o => o.BundleReadyWindowMinutes, (o, v) => o with { BundleReadyWindowMinutes = v }),
        Number(nameof(DispatchOptions.OverTargetWeight), o => o.OverTargetWeight, (o, v) => o with { OverTargetWeight = v }),
        Number(nameof(DispatchOptions.OverMaxWeight), o => o.OverMaxWeight, (o, v) => o with { OverMaxWeight = v }),
        Number(nameof(DispatchOptions.TravelWeight), o => o.TravelWeight, (o, v) => o with { TravelWeight = v }),
        Number(nameof(DispatchOptions.PressureTravelWeight), o => o.PressureTravelWeight, (o, v) => o with { PressureTravelWeight = v }),
        Number(nameof(DispatchOptions.PostponeDelayMinutes), o => o.PostponeDelayMinutes, (o, v) => o with { PostponeDelayMinutes = v }),
        Number(nameof(DispatchOptions.StarvationAgeMinutes), o => o.StarvationAgeMinutes, (o, v) => o with { StarvationAgeMinutes = v }),
        Number(nameof(DispatchOptions.FreedCourierWeight), o => o.FreedCourierWeight, (o, v) => o with { FreedCourierWeight = v }),
        Flag(nameof(DispatchOptions.FreedCourierRescue), o => o.FreedCourierRescue, (o, v) => o with { FreedCourierRescue = v }, addedLater: true),
        Capacity(nameof(DispatchOptions.InitialOrderCapacity), o => o.InitialOrderCapacity, (o, v) => o with { InitialOrderCapacity = v }),
        Capacity(nameof(DispatchOptions.InitialCourierCapacity), o => o.InitialCourierCapacity, (o, v) => o with { InitialCourierCapacity = v }),
        Capacity(nameof(DispatchOptions.InitialSiteCapacity), o => o.InitialSiteCapacity, (o, v) => o with { InitialSiteCapacity = v }),
        Flag(nameof(DispatchOptions.UseSecondCore), o => o.UseSecondCore, (o, v) => o with { UseSecondCore = v }, changesNoDecision: true),
        Flag(nameof(DispatchOptions.Replanning), o => o.Replanning, (o, v) => o with { Replanning = v }),
        Number(nameof(DispatchOptions.BehindToleranceMinutes), o => o.BehindToleranceMinutes, (o, v) => o with { BehindToleranceMinutes = v }),
        Number(nameof(DispatchOptions.ReassignSlipMinutes), o => o.ReassignSlipMinutes, (o, v) => o with { ReassignSlipMinutes = v }),
        Number(nameof(DispatchOptions.EtaChangeThresholdMinutes), o => o.EtaChangeThresholdMinutes, (o, v) => o with { EtaChangeThresholdMinutes = v }),
        Number(nameof(DispatchOptions.PickupBeforeReadyToleranceMinutes), o => o.PickupBeforeReadyToleranceMinutes, (o, v) => o with { PickupBeforeReadyToleranceMinutes = v }, addedLater: true),
        Integer(nameof(DispatchOptions.MaxRouteStops), o => o.MaxRouteStops, (o, v) => o with { MaxRouteStops = v }),
        Integer(nameof(DispatchOptions.GeneralImprovementMovesPerTick), o => o.GeneralImprovementMovesPerTick, (o, v) => o with { GeneralImprovementMovesPerTick = v }),
        Number(nameof(DispatchOptions.FinishedOrderRetentionMinutes), o => o.FinishedOrderRetentionMinutes, (o, v) => o with { FinishedOrderRetentionMinutes = v }, addedLater: true),
        Number(nameof(DispatchOptions.RemakeMinutes), o => o.RemakeMinutes, (o, v) => o with { RemakeMinutes = v }, addedLater: true),
        Number(nameof(DispatchOptions.PromiseOnTimeProbability), o => o.PromiseOnTimeProbability, (o, v) => o with { PromiseOnTimeProbability = v }, addedLater: true),
        Number(nameof(DispatchOptions.PromiseLatenessWeight), o => o.PromiseLatenessWeight, (o, v) => o with { PromiseLatenessWeight = v }, addedLater: true),
        Number(nameof(DispatchOptions.PromiseBreakCost), o => o.PromiseBreakCost, (o, v) => o with { PromiseBreakCost = v }, addedLater: true),
    ];

    /// <summary>The setting called <paramref name="name"/> (ordinal, case-insensitive like configuration keys), or null.</summary>
    public static DispatchSetting? Find(string name)
    {
        foreach (var s in All)
        {
            if (string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)) return s;
        }
        return null;
    }

    private static DispatchSetting Number(string name, Func<DispatchOptions, double> get, Func<DispatchOptions, double, DispatchOptions> set, bool addedLater = false) =>
        new(name, typeof(double), changesNoDecision: false,
            o => get(o).ToString("R", CultureInfo.InvariantCulture),
            (o, text) => set(o, double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw NotA(name, text, "a number")),
            addedLater);

    private static DispatchSetting Integer(string name, Func<DispatchOptions, int> get, Func<DispatchOptions, int, DispatchOptions> set) =>
        IntegerSetting(name, changesNoDecision: false, get, set);

    /// <summary>An initial store capacity: an integer that only sizes arrays (it changes no decision).</summary>
    private static DispatchSetting Capacity(string name, Func<DispatchOptions, int> get, Func<DispatchOptions, int, DispatchOptions> set) =>
        IntegerSetting(name, changesNoDecision: true, get, set);

    private static DispatchSetting IntegerSetting(string name, bool changesNoDecision, Func<DispatchOptions, int> get, Func<DispatchOptions, int, DispatchOptions> set) =>
        new(name, typeof(int), changesNoDecision,
            o => get(o).ToString(CultureInfo.InvariantCulture),
            (o, text) => set(o, int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw NotA(name, text, "a whole number")));

    private static DispatchSetting Flag(string name, Func<DispatchOptions, bool> get, Func<DispatchOptions, bool, DispatchOptions> set, bool addedLater = false,
        bool changesNoDecision = false) =>
        new(name, typeof(bool), changesNoDecision,
            o => get(o).ToString(),
            (o, text) => set(o, bool.TryParse(text, out bool v) ? v : throw NotA(name, text, "true or false")),
            addedLater);

    private static DispatchSetting Choice<TEnum>(string name, Func<DispatchOptions, TEnum> get, Func<DispatchOptions, TEnum, DispatchOptions> set)
        where TEnum : struct, Enum =>
        new(name, typeof(TEnum), changesNoDecision: false,
            o => get(o).ToString(),
            (o, text) => set(o, Enum.TryParse(text, ignoreCase: true, out TEnum v) && Enum.IsDefined(v)
                ? v
                : throw NotA(name, text, "one of " + string.Join(", ", Enum.GetNames<TEnum>()))));

    private static FormatException NotA(string name, string text, string what) => new($"{name}: \"{text}\" is not {what}");
}
