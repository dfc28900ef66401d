using Dispatch.Simulator.Evaluation;
using Dispatch.Simulator.Mdrp;

namespace Dispatch.Simulator.Staffing;

/// <summary>One recorded day: its own staffing and the plan's, both replayed with the engine.</summary>
public sealed record StaffingDay
{
    /// <summary>The day replayed with its recorded couriers.</summary>
    public required DayService Trace { get; init; }

    /// <summary>The day replayed with exactly the plan's couriers.</summary>
    public required DayService Plan { get; init; }

    /// <summary>The day with the plan's couriers (couriers.txt of the instance folder written for it).</summary>
    public required MdrpInstance PlanInstance { get; init; }

    /// <summary>The project's evaluator on the plan's replay (every published rule).</summary>
    public required EvaluationReport PlanEvaluation { get; init; }

    /// <summary>Recorded couriers on duty per slot.</summary>
    public required int[] TraceOnDuty { get; init; }

    /// <summary>Plan couriers on duty per slot.</summary>
    public required int[] PlanOnDuty { get; init; }
}

/// <summary>One replay of the search: what was tried and what it gave (the worst day).</summary>
public readonly record struct StaffingTrial(string Phase, double CourierHours, double OnTimeShare, double ClickToDoorMean, bool MeetsTarget);

/// <summary>What <see cref="StaffingPlanner.Plan"/> found.</summary>
public sealed record StaffingResult
{
    public required StaffingOptions Options { get; init; }

    public required DemandProfile Demand { get; init; }

    /// <summary>Slots of the requirement (up to the last ready time of any day).</summary>
    public required int Slots { get; init; }

    /// <summary>Couriers per slot from the fluid estimate (busy courier-minutes per slot / 15).</summary>
    public required int[] FluidEstimate { get; init; }

    /// <summary>Couriers per slot found by simulation (the cover's input, after any raise by the plan's checks).</summary>
    public required int[] Required { get; init; }

    /// <summary>The shift plan: how many couriers start when, for how long.</summary>
    public required IReadOnlyList<PlannedShift> Shifts { get; init; }

    /// <summary>True when CP-SAT proved the cover optimal.</summary>
    public required bool CoverOptimal { get; init; }

    /// <summary>Per recorded day: the trace's staffing and the plan's.</summary>
    public required IReadOnlyList<StaffingDay> Days { get; init; }

    /// <summary>
    /// With <see cref="StaffingOptions.ForecastSeeds"/>: the plan's service on each day drawn from the forecast
    /// and each draw of starting points (the replays the plan was accepted on), day-major; empty otherwise.
    /// </summary>
    public IReadOnlyList<DayService> ForecastDays { get; init; } = [];

    /// <summary>With <see cref="StaffingOptions.ForecastSeeds"/>: the plan's on-time share over the orders of all <see cref="ForecastDays"/> together (what the target was judged on).</summary>
    public double? ForecastOnTimeShare { get; init; }

    /// <summary>With <see cref="StaffingOptions.ForecastSeeds"/>: the plan's mean click-to-door over all delivered orders of <see cref="ForecastDays"/>.</summary>
    public double? ForecastClickToDoorMean { get; init; }

    /// <summary>Every replay of the search and the checks, in order.</summary>
    public required IReadOnlyList<StaffingTrial> Trials { get; init; }

    /// <summary>Replays run in all (the trace's own included).</summary>
    public required int Replays { get; init; }

    /// <summary>Wall time of the whole plan, seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>Courier-hours of the shift plan.</summary>
    public double CourierHours => Shifts.Sum(s => s.CourierMinutes) / 60.0;
}
