using Dispatch.Engine;

namespace Dispatch.Simulator.Staffing;

/// <summary>What a staffing plan must achieve and which shifts it may use.</summary>
public sealed record StaffingOptions
{
    /// <summary>
    /// Service target: the share of all orders delivered within the trace's target click-to-door
    /// (40 minutes in the MDRP traces) of placement; an undelivered order counts as late. Ignored when
    /// <see cref="TargetClickToDoorMean"/> is set.
    /// </summary>
    public double TargetOnTime { get; init; } = 0.85;

    /// <summary>Alternative service target: mean click-to-door in minutes at most this (every order delivered).</summary>
    public double? TargetClickToDoorMean { get; init; }

    /// <summary>Allowed shift lengths in hours (each a whole number of 15-minute slots).</summary>
    public IReadOnlyList<double> ShiftLengthHours { get; init; } = [2, 3, 4];

    /// <summary>Earliest shift start, minutes from the start of the day; null: the first slot that needs a courier.</summary>
    public int? EarliestStartMinute { get; init; }

    /// <summary>Latest shift start, minutes from the start of the day; null: the last slot that needs a courier.</summary>
    public int? LatestStartMinute { get; init; }

    /// <summary>Fewest couriers starting at each allowed start slot (all lengths together).</summary>
    public int MinCouriersPerStart { get; init; }

    /// <summary>Most couriers starting at each allowed start slot (all lengths together).</summary>
    public int MaxCouriersPerStart { get; init; } = 500;

    /// <summary>Restaurant clusters of the demand profile.</summary>
    public int Areas { get; init; } = 4;

    /// <summary>
    /// Most replays of each recorded day while the requirement is searched (the plan's own checks come on
    /// top, at most <see cref="MaxPlanChecks"/>): bounds the run time (a replay of the largest shared
    /// trace takes about 2 s on a 2-core machine).
    /// </summary>
    public int MaxRequirementReplays { get; init; } = 24;

    /// <summary>
    /// Most replays of shift plans: until one meets the target each miss raises the requirement where
    /// orders were late and solves again; the rest try cuts on the plan that met it.
    /// </summary>
    public int MaxPlanChecks { get; init; } = 8;

    /// <summary>Seed of the first draw of couriers' starting points from the trace's courier start points (instance/ holds this draw).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Draws of starting points (seeds <see cref="Seed"/>, <see cref="Seed"/> + 1, ...) every candidate is
    /// replayed with; the target must hold on each. One draw lets the search fit the chance of one set of
    /// starting points (a plan meeting 0.80 on its draw gave 0.75-0.79 on others); two cost twice the replays.
    /// </summary>
    public int StartDraws { get; init; } = 2;

    /// <summary>
    /// 0: the requirement and the plan are searched on the recorded days' own orders, and the target must
    /// hold on each day and draw (the plan fits those orders, chance included: the plan of one generated day
    /// landed 0.8 points below to 3.2 above the target on five other days of the same shape). N &gt; 0: they
    /// are searched on N days of orders drawn from the forecast (<see cref="ForecastDays"/>, seeds
    /// <see cref="Seed"/>, <see cref="Seed"/> + 1, ...), each with its own draws of starting points, and the
    /// target must hold on the orders of all of them together: the expected day. The recorded days are then
    /// replayed with the plan for the report (each may land a little either side of the target).
    /// </summary>
    public int ForecastSeeds { get; init; }

    /// <summary>Engine profile the days are replayed with.</summary>
    public DispatchProfile Profile { get; init; } = DispatchProfile.Mdrp;

    /// <summary>Wall-time limit of each CP-SAT solve, seconds (the cover models here solve to optimality in well under a second).</summary>
    public double CoverTimeLimitSeconds { get; init; } = 20;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (TargetClickToDoorMean is { } c2d)
        {
            if (!(c2d > 0) || !double.IsFinite(c2d)) throw new ArgumentException($"TargetClickToDoorMean must be a positive number of minutes, got {c2d}", nameof(TargetClickToDoorMean));
        }
        else if (!(TargetOnTime > 0 && TargetOnTime <= 1)) throw new ArgumentException($"TargetOnTime must be in (0, 1], got {TargetOnTime}", nameof(TargetOnTime));
        if (ShiftLengthHours is null || ShiftLengthHours.Count == 0) throw new ArgumentException("ShiftLengthHours needs at least one length", nameof(ShiftLengthHours));
        foreach (double h in ShiftLengthHours)
        {
            double slots = h * 60 / DemandProfile.SlotMinutes;
            if (!(h > 0) || Math.Abs(slots - Math.Round(slots)) > 1e-9)
                throw new ArgumentException($"ShiftLengthHours: {h} is not a positive whole number of {DemandProfile.SlotMinutes}-minute slots", nameof(ShiftLengthHours));
        }
        if (EarliestStartMinute is < 0) throw new ArgumentException($"EarliestStartMinute must not be negative, got {EarliestStartMinute}", nameof(EarliestStartMinute));
        if (EarliestStartMinute is { } e && LatestStartMinute is { } l && l < e)
            throw new ArgumentException($"LatestStartMinute {l} is before EarliestStartMinute {e}", nameof(LatestStartMinute));
        if (MinCouriersPerStart < 0) throw new ArgumentException($"MinCouriersPerStart must not be negative, got {MinCouriersPerStart}", nameof(MinCouriersPerStart));
        if (MaxCouriersPerStart < Math.Max(1, MinCouriersPerStart))
            throw new ArgumentException($"MaxCouriersPerStart must be at least 1 and at least MinCouriersPerStart ({MinCouriersPerStart}), got {MaxCouriersPerStart}", nameof(MaxCouriersPerStart));
        AtLeast(nameof(Areas), Areas, 1);
        AtLeast(nameof(MaxRequirementReplays), MaxRequirementReplays, 2);
        AtLeast(nameof(StartDraws), StartDraws, 1);
        AtLeast(nameof(ForecastSeeds), ForecastSeeds, 0);
        AtLeast(nameof(MaxPlanChecks), MaxPlanChecks, 1);
        if (!(CoverTimeLimitSeconds > 0)) throw new ArgumentException($"CoverTimeLimitSeconds must be positive, got {CoverTimeLimitSeconds}", nameof(CoverTimeLimitSeconds));
    }

    private static void AtLeast(string name, int value, int min)
    {
        if (value < min) throw new ArgumentException($"{name} must be at least {min}, got {value}", name);
    }

    /// <summary>The target in words, for messages.</summary>
    internal string TargetText => TargetClickToDoorMean is { } c2d
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"mean click-to-door {c2d:0.##} min")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"target {TargetOnTime:0.###}");
}
