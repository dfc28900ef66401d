using System.Diagnostics;
using System.Globalization;
using Dispatch.Simulator.Evaluation;
using Dispatch.Simulator.Mdrp;
using Dispatch.Simulator.Replay;
using Dispatch.Simulator.Reports;

namespace Dispatch.Simulator.Staffing;

/// <summary>
/// From recorded days to courier shifts, with the dispatch engine in the loop:
/// <list type="number">
/// <item>the demand profile per 15-minute slot (<see cref="DemandProfile"/>);</item>
/// <item>a fluid estimate of couriers per slot: each order keeps a courier busy for the drive to its
/// restaurant (taken as long as the drive to the customer: couriers wait where their last drop-off was),
/// the pickup service, the drive and the drop-off service, spread over the slots it overlaps;</item>
/// <item>the requirement by simulation: the estimate scaled by one factor until every day meets the
/// target when replayed with couriers on duty exactly per slot (grow by 1.6 until met, then bisect),
/// then 20 % cuts in the slots where orders ready in the slot and the next are comfortably on time (only
/// avoidable lateness counts), most comfortable first, keeping a cut only when the replay still meets the
/// target (the next cut tries half as many slots otherwise);</item>
/// <item>the shift cover of that requirement (<see cref="ShiftCover"/>, CP-SAT), replayed with exactly the
/// plan's couriers; until a plan meets the target a miss raises the requirement where orders were late
/// and solves again; then the remaining plan replays try the same cuts on the plan itself.</item>
/// </list>
/// Every candidate is replayed on every day with <see cref="StaffingOptions.StartDraws"/> draws of courier
/// starting points and must meet the target on each; with <see cref="StaffingOptions.ForecastSeeds"/> the days
/// searched on are drawn from the forecast (<see cref="ForecastDays"/>) and the target must hold on their
/// orders together (the expected day), and the recorded days are replayed with the plan at the end. Replays are bounded by
/// <see cref="StaffingOptions.MaxRequirementReplays"/> and <see cref="StaffingOptions.MaxPlanChecks"/> per day
/// and draw. Deterministic: same days and options, same plan.
/// </summary>
public sealed class StaffingPlanner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly StaffingOptions _options;

    /// <summary>A planner with <paramref name="options"/> (validated here: bad options throw <see cref="ArgumentException"/>).</summary>
    public StaffingPlanner(StaffingOptions? options = null)
    {
        _options = options ?? new StaffingOptions();
        _options.Validate();
    }

    /// <summary>Upper bound on the number of replays <see cref="Plan"/> runs for <paramref name="days"/> recorded days (for progress bars).</summary>
    public int MaxReplays(int days) => _options.ForecastSeeds == 0
        ? days * (1 + _options.StartDraws * (_options.MaxRequirementReplays + _options.MaxPlanChecks))
        : days * 2 + _options.ForecastSeeds * _options.StartDraws * (_options.MaxRequirementReplays + _options.MaxPlanChecks);

    /// <summary>
    /// Plans shifts for <paramref name="days"/>: the plan must meet the target on every day.
    /// Throws <see cref="StaffingUnreachableException"/> naming the best reached when it cannot.
    /// </summary>
    public StaffingResult Plan(IReadOnlyList<MdrpInstance> days, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(days);
        var clock = Stopwatch.StartNew();
        var demand = DemandProfile.From(days, _options.Areas);
        bool forecast = _options.ForecastSeeds > 0;
        var searched = forecast ? ForecastDays.Draw(days, demand, _options.ForecastSeeds, _options.Seed) : days;
        int slots = days.Concat(searched).Max(d => d.Orders.Length == 0 ? 0 : d.Orders.Max(o => o.ReadyTime)) / DemandProfile.SlotMinutes + 2;
        var run = new Run(_options, searched, slots, progress);
        run.CheckAttainable(forecast ? string.Create(Inv, $"{searched.Count} days drawn from the forecast of {string.Join(", ", days.Select(d => d.Name))}") : null);

        progress?.Status("replaying the recorded days with their own couriers");
        var trace = days.Select(d => run.Replay(d)).ToArray();

        int[] fluid = FluidEstimate(searched, run.Slots);
        var lengths = _options.ShiftLengthHours.Select(h => (int)Math.Round(h * 60 / DemandProfile.SlotMinutes)).Distinct().Order().ToArray();
        int firstNeeded = Array.FindIndex(fluid, r => r > 0), lastNeeded = Array.FindLastIndex(fluid, r => r > 0);
        if (firstNeeded < 0) throw new ArgumentException("the days have no orders to serve", nameof(days));
        int earliest = _options.EarliestStartMinute is { } e ? e / DemandProfile.SlotMinutes : firstNeeded;
        int latest = _options.LatestStartMinute is { } l ? l / DemandProfile.SlotMinutes : lastNeeded;
        run.ShiftsText = string.Create(Inv, $"shifts of {string.Join('/', _options.ShiftLengthHours.Select(h => h.ToString("0.##", Inv)))} h starting {SvgCharts.Clock(earliest * DemandProfile.SlotMinutes)}-{SvgCharts.Clock(latest * DemandProfile.SlotMinutes)}");
        var required = run.SearchRequirement(fluid);

        // Cover and replay the plan. Until a plan meets the target, a miss raises the requirement where
        // orders were late; after that, the remaining checks try the cuts of the search on the plan itself
        // (the cover rounds up to whole shifts, so the plan often has room the requirement did not).
        (ShiftCover.Solution Cover, Measured Check, int[] Required)? best = null;
        (ShiftCover.Solution Cover, Measured Check) last = default;
        int width = int.MaxValue;
        var tried = required;
        for (int check = 0; check < _options.MaxPlanChecks; check++)
        {
            progress?.Status(string.Create(Inv, $"covering the requirement with shifts (CP-SAT), check {check + 1}/{_options.MaxPlanChecks}"));
            var cover = ShiftCover.Solve(tried, lengths, earliest, latest, _options.MinCouriersPerStart, _options.MaxCouriersPerStart, _options.CoverTimeLimitSeconds);
            var shifts = ToShifts(cover);
            var measured = run.Simulate((d, seed) => CourierSupply.FromShifts(d, shifts, seed), best is null ? "plan check" : "plan cuts", cover.CourierSlots * DemandProfile.SlotMinutes / 60.0);
            last = (cover, measured);
            if (measured.Meets && (best is null || cover.CourierSlots < best.Value.Cover.CourierSlots)) best = (cover, measured, tried);
            else if (best is not null) width /= 2;
            if (best is null)
            {
                tried = run.Raise(tried, measured);
                continue;
            }
            var cut = width == 0 ? null : run.Cut(best.Value.Required, best.Value.Check, ref width);
            if (cut is null) break;
            tried = cut;
        }
        if (best is null)
        {
            throw new StaffingUnreachableException(string.Create(Inv,
                $"{_options.TargetText} not reachable with {run.ShiftsText}: best {run.Describe(last.Check!)} at {last.Cover!.CourierSlots * DemandProfile.SlotMinutes / 60.0:0.##} courier-hours after {_options.MaxPlanChecks} plan checks"));
        }

        var (finalCover, finalCheck, finalRequired) = best.Value;
        var finalShifts = ToShifts(finalCover);
        var outcome = new List<StaffingDay>();
        if (forecast) progress?.Status("replaying the recorded days with the plan");
        for (int d = 0; d < days.Count; d++)
        {
            // The first draw: the couriers of instance/ (searched on forecast days, the recorded ones are replayed here).
            var planDay = forecast
                ? run.Replay(CourierSupply.WithCouriers(days[d], CourierSupply.FromShifts(days[d], finalShifts, _options.Seed)))
                : finalCheck.Days[d * _options.StartDraws];
            outcome.Add(new StaffingDay
            {
                Trace = trace[d].Service,
                Plan = planDay.Service,
                PlanInstance = planDay.Instance,
                PlanEvaluation = SolutionEvaluator.Evaluate(planDay.Instance, planDay.Solution),
                TraceOnDuty = CourierSupply.OnDutyPerSlot(days[d].Couriers, run.Slots),
                PlanOnDuty = CourierSupply.OnDutyPerSlot(planDay.Instance.Couriers, run.Slots),
            });
        }
        return new StaffingResult
        {
            Options = _options,
            Demand = demand,
            Slots = run.Slots,
            FluidEstimate = fluid,
            Required = finalRequired,
            Shifts = finalShifts,
            CoverOptimal = finalCover.Optimal,
            Days = outcome,
            ForecastDays = forecast ? finalCheck.Days.Select(r => r.Service).ToArray() : [],
            ForecastOnTimeShare = forecast ? finalCheck.OnTime : null,
            ForecastClickToDoorMean = forecast ? finalCheck.ClickToDoor : null,
            Trials = run.Trials,
            Replays = run.Replays,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>
    /// Busy couriers per slot if every order kept one courier busy from the drive to its restaurant
    /// (as long as the drive to the customer) until its drop-off service ends, averaged over the days, rounded up.
    /// </summary>
    public static int[] FluidEstimate(IReadOnlyList<MdrpInstance> days, int slots)
    {
        ArgumentNullException.ThrowIfNull(days);
        var busy = new double[slots];
        foreach (var day in days)
        {
            var p = day.Parameters;
            foreach (var o in day.Orders)
            {
                var r = day.Restaurants[day.RestaurantIndex[o.Restaurant]];
                int drive = day.TravelMinutes(r.X, r.Y, o.X, o.Y);
                double from = o.ReadyTime - drive - p.PickupServiceMinutes / 2;
                double to = o.ReadyTime + p.PickupServiceMinutes / 2 + drive + p.DropoffServiceMinutes;
                for (int s = Math.Max(0, (int)Math.Floor(from / DemandProfile.SlotMinutes)); s < slots && s * DemandProfile.SlotMinutes < to; s++)
                {
                    double overlap = Math.Min(to, (s + 1) * DemandProfile.SlotMinutes) - Math.Max(from, s * DemandProfile.SlotMinutes);
                    if (overlap > 0) busy[s] += overlap / DemandProfile.SlotMinutes / days.Count;
                }
            }
        }
        return busy.Select(b => (int)Math.Ceiling(b - 1e-9)).ToArray();
    }

    /// <summary>
    /// The service <paramref name="shifts"/> give on <paramref name="day"/> (another day of the same shape,
    /// another draw of starting points): the day replayed with those couriers, starting at points drawn with
    /// <paramref name="seed"/> from the day's courier start points, measured over <paramref name="slots"/> slots.
    /// </summary>
    public static DayService ReplayShifts(MdrpInstance day, IEnumerable<PlannedShift> shifts, int seed, int slots)
    {
        var replay = MdrpReplay.Run(CourierSupply.WithCouriers(day, CourierSupply.FromShifts(day, shifts, seed)));
        return DayService.Measure(day, replay.Solution, slots);
    }

    private static PlannedShift[] ToShifts(ShiftCover.Solution cover) =>
        cover.Shifts.Select(s => new PlannedShift(s.StartSlot * DemandProfile.SlotMinutes, s.LengthSlots * DemandProfile.SlotMinutes, s.Count))
            .OrderBy(s => s.StartMinute).ThenBy(s => s.LengthMinutes).ToArray();

    private sealed record ReplayedDay(MdrpInstance Instance, MdrpSolution Solution, DayService Service);

    /// <summary>
    /// Replays of one candidate: whether it meets the target, and the on-time share and mean click-to-door
    /// the target was judged on (the worst day and draw; with forecast days, all of them pooled).
    /// </summary>
    private sealed record Measured(ReplayedDay[] Days, bool Meets, double OnTime, double ClickToDoor);

    /// <summary>The state of one planning run: the days searched on, the replay counter and the trials so far.</summary>
    private sealed class Run(StaffingOptions options, IReadOnlyList<MdrpInstance> days, int slots, IProgressSink? progress)
    {
        public readonly int Slots = slots;
        public readonly List<StaffingTrial> Trials = new();
        private readonly bool _pooled = options.ForecastSeeds > 0;
        public int Replays;

        /// <summary>The allowed shifts in words, for messages.</summary>
        public string ShiftsText = "";
        private int _searchReplays;

        /// <summary>
        /// No staffing gets an order to the door faster than its lower bound (ready time, then the direct
        /// drive): a target above what that allows is refused at once, on each day, or on the days together
        /// when they are forecast days (named <paramref name="pooledName"/>).
        /// </summary>
        public void CheckAttainable(string? pooledName)
        {
            (string Name, MdrpInstance[] Days)[] groups = pooledName is null ? days.Select(d => (d.Name, new[] { d })).ToArray() : [(pooledName, days.ToArray())];
            foreach (var (name, group) in groups)
            {
                int orders = group.Sum(d => d.Orders.Length);
                if (options.TargetClickToDoorMean is { } c2d)
                {
                    double bound = group.Sum(d => d.Orders.Sum(o => EvaluationMetrics.OrderLowerBound(d, o))) / orders;
                    if (bound > c2d)
                        throw new StaffingUnreachableException(string.Create(Inv, $"mean click-to-door {c2d:0.##} min not reachable on {name} with any staffing: even with a courier waiting at every restaurant when the food is ready, the mean is {bound:0.##} min"));
                    continue;
                }
                int reachable = group.Sum(d => d.Orders.Count(o => EvaluationMetrics.OrderLowerBound(d, o) <= d.Parameters.TargetClickToDoor));
                if ((double)reachable / orders < options.TargetOnTime)
                    throw new StaffingUnreachableException(string.Create(Inv,
                        $"target {options.TargetOnTime:0.###} not reachable on {name} with any staffing: only {(double)reachable / orders:0.###} of {(pooledName is null ? "its" : "their")} orders ({reachable} of {orders}) can be delivered within {group[0].Parameters.TargetClickToDoor:0.##} min even with a courier waiting at every restaurant when the food is ready (the others' preparation and direct drive take longer)"));
            }
        }

        public ReplayedDay Replay(MdrpInstance day)
        {
            var result = MdrpReplay.Run(day, new ReplayOptions { Profile = options.Profile });
            Replays++;
            progress?.Increment();
            return new ReplayedDay(day, result.Solution, DayService.Measure(day, result.Solution, Slots));
        }

        /// <summary>
        /// Replays every day with every draw of starting points (day-major). Recorded days: the target must
        /// hold on each day and draw, and the draws are seeds Seed, Seed + 1, ... on every day. Forecast days:
        /// the target must hold on all their orders together, and each day has draws of its own (day i, draw j:
        /// seed Seed + i x StartDraws + j), so the starting points vary as much as the orders.
        /// </summary>
        public Measured Simulate(Func<MdrpInstance, int, MdrpCourier[]> couriersOf, string phase, double courierHours)
        {
            var replayed = days.SelectMany((d, i) => Enumerable.Range(0, options.StartDraws)
                .Select(j => Replay(CourierSupply.WithCouriers(d, couriersOf(d, options.Seed + (_pooled ? i * options.StartDraws : 0) + j))))).ToArray();
            var services = replayed.Select(r => r.Service).ToArray();
            var judged = _pooled ? new[] { Pool(services) } : services.Select(s => (s.Orders, s.Delivered, s.OnTimeShare, s.ClickToDoorMean)).ToArray();
            bool meets = judged.All(s => options.TargetClickToDoorMean is { } c2d
                ? s.Delivered == s.Orders && s.ClickToDoorMean <= c2d
                : s.OnTimeShare >= options.TargetOnTime);
            var m = new Measured(replayed, meets, judged.Min(s => s.OnTimeShare), judged.Max(s => s.ClickToDoorMean));
            Trials.Add(new StaffingTrial(phase, courierHours, m.OnTime, m.ClickToDoor, meets));
            return m;
        }

        /// <summary>Headline figures of several replays taken as one day: on-time share over all their orders, click-to-door mean over all delivered.</summary>
        private static (int Orders, int Delivered, double OnTimeShare, double ClickToDoorMean) Pool(DayService[] services)
        {
            int orders = services.Sum(s => s.Orders), delivered = services.Sum(s => s.Delivered);
            return (orders, delivered,
                orders == 0 ? 1 : services.Sum(s => s.OnTimeShare * s.Orders) / orders,
                delivered == 0 ? 0 : services.Sum(s => s.ClickToDoorMean * s.Delivered) / delivered);
        }

        public string Describe(Measured m) => options.TargetClickToDoorMean is null
            ? string.Create(Inv, $"{m.OnTime:0.###}")
            : string.Create(Inv, $"mean click-to-door {m.ClickToDoor:0.##} min");

        private bool BudgetLeft => _searchReplays < options.MaxRequirementReplays;

        private Measured SimulateRequirement(int[] perSlot, string phase)
        {
            _searchReplays++;
            progress?.Status(string.Create(Inv, $"{phase}: {perSlot.Sum() * DemandProfile.SlotMinutes / 60.0:0.#} courier-hours (replay {_searchReplays}/{options.MaxRequirementReplays})"));
            return Simulate((d, seed) => CourierSupply.FromRequirement(d, perSlot, seed), phase, perSlot.Sum() * DemandProfile.SlotMinutes / 60.0);
        }

        /// <summary>Phase 1: one factor on the fluid estimate; phase 2: cuts slot by slot. Returns the cheapest requirement that met the target.</summary>
        public int[] SearchRequirement(int[] fluid)
        {
            static int[] Scale(int[] fluid, double factor) => fluid.Select(f => f == 0 ? 0 : Math.Max(1, (int)Math.Round(f * factor))).ToArray();

            double low = 0, high = double.NaN, factor = 1;
            int[]? best = null;
            Measured? bestMeasured = null;
            Measured? closest = null;
            int[]? closestRequirement = null;
            // Grow until met; 8x the estimate is far beyond any trace's own staffing, and leaves budget for the cuts.
            while (BudgetLeft && double.IsNaN(high) && factor <= 8)
            {
                var r = Scale(fluid, factor);
                var m = SimulateRequirement(r, "scale");
                if (m.Meets) { high = factor; best = r; bestMeasured = m; }
                else
                {
                    low = factor;
                    factor *= 1.6;
                    closest = m;
                    closestRequirement = r;
                }
            }
            if (best is null)
            {
                throw new StaffingUnreachableException(string.Create(Inv,
                    $"{options.TargetText} not reachable with {ShiftsText}: best {(closest is null ? "none" : Describe(closest))} at {(closestRequirement?.Sum() ?? 0) * DemandProfile.SlotMinutes / 60.0:0.##} courier-hours (couriers on duty up to {factor / 1.6:0.#}x the fluid estimate in every slot)"));
            }
            // Bisect the factor: three halvings of the bracket, keeping budget for the slot cuts.
            if (low == 0) low = high / 2.5;
            for (int i = 0; i < 3 && _searchReplays < options.MaxRequirementReplays - 3; i++)
            {
                double mid = (low + high) / 2;
                var r = Scale(fluid, mid);
                if (r.Sum() >= best.Sum()) { high = mid; continue; }
                var m = SimulateRequirement(r, "scale");
                if (m.Meets) { high = mid; best = r; bestMeasured = m; }
                else low = mid;
            }

            // Slot cuts where orders ready in the slot (and the next, which this slot's couriers also serve)
            // are comfortably on time, most comfortable first; a cut that misses the target is undone and
            // the next one tries half as many slots.
            int width = int.MaxValue;
            while (BudgetLeft && width > 0)
            {
                var trial = Cut(best, bestMeasured!, ref width);
                if (trial is null) break;
                var m = SimulateRequirement(trial, "slot cuts");
                if (m.Meets) { best = trial; bestMeasured = m; }
                else width /= 2;
            }
            return best;
        }

        /// <summary>
        /// <paramref name="required"/> with 20 % (at least one courier) less in the <paramref name="width"/>
        /// most comfortable slots (measured by <paramref name="measured"/>; width is capped at the number of
        /// comfortable slots), never below one courier where work is in flight; null when no slot is comfortable.
        /// </summary>
        public int[]? Cut(int[] required, Measured measured, ref int width)
        {
            const double step = 0.2;
            var candidates = Enumerable.Range(0, required.Length)
                .Where(s => required[s] > 1 && LocallyMeets(measured, s, 0.5) && (s + 1 >= required.Length || LocallyMeets(measured, s + 1, 0.5)))
                .OrderBy(s => AllowanceUsed(measured, s) + AllowanceUsed(measured, Math.Min(required.Length - 1, s + 1))).ThenByDescending(s => required[s]).ThenBy(s => s)
                .ToArray();
            if (candidates.Length == 0) return null;
            width = Math.Min(width, candidates.Length);
            var trial = (int[])required.Clone();
            foreach (int s in candidates.Take(width))
                trial[s] = Math.Max(1, trial[s] - Math.Max(1, (int)Math.Floor(step * trial[s])));
            return trial;
        }

        /// <summary>After a missed plan check: one more courier (or 10 %) in each slot whose ready orders missed the target, and the slot before (the drive to the restaurant).</summary>
        public int[] Raise(int[] required, Measured check)
        {
            var raised = (int[])required.Clone();
            var behind = Enumerable.Range(0, required.Length).Where(s => !LocallyMeets(check, s, margin: 0)).ToArray();
            if (behind.Length == 0) behind = Enumerable.Range(0, required.Length).Where(s => required[s] > 0).ToArray();
            foreach (int s in behind)
            {
                for (int t = Math.Max(0, s - 1); t <= s; t++)
                    raised[t] = Math.Max(raised[t], required[t] + Math.Max(1, (int)Math.Ceiling(0.1 * required[t])));
            }
            return raised;
        }

        /// <summary>
        /// Whether orders ready in slot <paramref name="s"/> (pooled over the days) meet their share of the
        /// target with room to spare. Only avoidable lateness counts (orders whose lower bound is within the
        /// target; no courier helps the others): the allowance is what the target leaves after the orders
        /// late whatever the staffing (on-time target), or the target minus the mean lower bound
        /// (click-to-door target), spread evenly over the orders. <paramref name="margin"/> is the fraction
        /// of the allowance kept back. A slot without ready orders meets it.
        /// </summary>
        private bool LocallyMeets(Measured m, int s, double margin) => AllowanceUsed(m, s) <= 1 - margin;

        /// <summary>Avoidable lateness of slot <paramref name="s"/> as a fraction of its allowance (0: none; 1: all of it; no ready orders: 0).</summary>
        private double AllowanceUsed(Measured m, int s)
        {
            int orders = m.Days.Sum(d => d.Service.OrdersByReadySlot[s]);
            if (orders == 0) return 0;
            int all = m.Days.Sum(d => d.Service.Orders);
            if (options.TargetClickToDoorMean is { } c2d)
            {
                double boundMean = m.Days.Sum(d => d.Service.LowerBoundMean * d.Service.Orders) / all;
                return Ratio(m.Days.Sum(d => d.Service.GapToLowerBoundByReadySlot[s]) / orders, c2d - boundMean);
            }
            double allowance = 1 - options.TargetOnTime - (double)m.Days.Sum(d => d.Service.InherentlyLate) / all;
            return Ratio((double)m.Days.Sum(d => d.Service.AvoidableLateByReadySlot[s]) / orders, allowance);

            static double Ratio(double used, double allowed) => used <= 0 ? 0 : allowed <= 0 ? double.PositiveInfinity : used / allowed;
        }
    }
}
