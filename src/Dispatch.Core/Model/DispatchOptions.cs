// Kept in namespace Dispatch.Engine (public API of the package) but filed under Model, beside the types it
// speaks of, so that Engine, Planning and State all see it without a folder cycle (.editorconfig exempts it
// from the folder = namespace rule).
namespace Dispatch.Engine;

/// <summary>Settings of a <see cref="DispatchEngine{TTravel}"/>, fixed at construction.</summary>
public sealed record DispatchOptions
{
    /// <summary>Rules and policy. Default: <see cref="DispatchProfile.Mdrp"/>.</summary>
    public DispatchProfile Profile { get; init; } = DispatchProfile.Mdrp;

    /// <summary>Minutes a pickup takes; the pickup instant is the middle of it (MDRP convention).</summary>
    public double PickupServiceMinutes { get; init; } = 4;

    /// <summary>Minutes a drop-off takes; the drop-off instant is the middle of it.</summary>
    public double DropoffServiceMinutes { get; init; } = 4;

    /// <summary>Click-to-door target in minutes; lateness past it is penalised.</summary>
    public double TargetClickToDoorMinutes { get; init; } = 40;

    /// <summary>Click-to-door maximum in minutes; lateness past it is penalised heavily.</summary>
    public double MaxClickToDoorMinutes { get; init; } = 90;

    /// <summary>Minutes between the caller's ticks. Used to decide what must be committed now
    /// because waiting one more tick would delay it.</summary>
    public double TickIntervalMinutes { get; init; } = 1;

    /// <summary>Couriers that become free (or start their shift) within this many minutes count as candidates.</summary>
    public double CourierLookaheadMinutes { get; init; } = 45;

    /// <summary>How many candidate couriers (nearest by arrival time) each site's orders are scored against.</summary>
    public int CandidateCouriersPerSite { get; init; } = 20;

    /// <summary>Above this many open orders in one tick, each site (Mdrp profile) or order (General profile) is
    /// scored against only <see cref="LargeProblemCandidateCouriers"/> couriers, so the tick stays in tens of milliseconds.</summary>
    public int LargeProblemOpenOrders { get; init; } = 500;

    /// <summary>Candidate couriers per site in a tick with more than <see cref="LargeProblemOpenOrders"/> open orders.</summary>
    public int LargeProblemCandidateCouriers { get; init; } = 8;

    /// <summary>The largest bundle (orders per assignment) the optimizer builds.</summary>
    public int MaxBundleSize { get; init; } = 4;

    /// <summary>Orders whose ready times differ by more than this are not bundled together.</summary>
    public double BundleReadyWindowMinutes { get; init; } = 12;

    /// <summary>Weight, per minute, of click-to-door beyond the target, on top of the minute itself.</summary>
    public double OverTargetWeight { get; init; } = 0.5;

    /// <summary>Weight, per minute, of click-to-door beyond the maximum.</summary>
    public double OverMaxWeight { get; init; } = 20.0;

    /// <summary>Weight, per minute, of the courier time an assignment takes (travel, waiting, service): keeps
    /// couriers productive when it costs customers nothing.</summary>
    public double TravelWeight { get; init; } = 0.2;

    /// <summary>Added to <see cref="TravelWeight"/> per unit of pressure above 1 (open orders per candidate
    /// courier): when couriers are short, their time is worth more.</summary>
    public double PressureTravelWeight { get; init; } = 2.0;

    /// <summary>Minutes by which postponing an order is assumed to delay its pickup, at the least; sets the
    /// price of leaving an order for a later tick.</summary>
    public double PostponeDelayMinutes { get; init; } = 10;

    /// <summary>Orders waiting longer than this since placement are priced against their own best option
    /// when postponed, so no order starves far from every courier.</summary>
    public double StarvationAgeMinutes { get; init; } = 50;

    /// <summary>Value, per unit of pressure above 1, of a courier freed by putting its order into a bundle.</summary>
    public double FreedCourierWeight { get; init; } = 20;

    /// <summary>
    /// Mdrp profile: a courier freed by putting its order into another order's bundle is also valued by what it would
    /// save the waiting order it helps most (one the matching postponed, or matched at a cost more than 3 minutes above
    /// that of its lower bound): that order's cost now less its cost with the freed courier, on top of
    /// <see cref="FreedCourierWeight"/>. Bundles then form where their courier is needed next, not only where couriers are
    /// short overall. Default true; false values a freed courier by <see cref="FreedCourierWeight"/> alone (as before).
    /// </summary>
    public bool FreedCourierRescue { get; init; } = true;

    /// <summary>Initial order capacity; the stores double when full (outside the tick).</summary>
    public int InitialOrderCapacity { get; init; } = 1024;


    /// <summary>Initial courier capacity; the stores double when full (outside the tick).</summary>
    public int InitialCourierCapacity { get; init; } = 256;

    /// <summary>Initial site capacity; the stores double when full (outside the tick).</summary>
    public int InitialSiteCapacity { get; init; } = 256;

    /// <summary>
    /// Whether a large tick may use a second core: a matching of 2,000 rows or more has its rows costed, and a candidate
    /// search over 500 sites or more has its second half done, on one process-wide background thread (started at the
    /// first such tick, shared by the process's engines one at a time) while the ticking thread solves. The decisions
    /// are exactly those of a single-thread tick, and nothing is allocated per tick. Off by default: Core starts no
    /// thread unless its host asks (the benchmarks' tick timings run with it on; a host that owns its cores turns it on).
    /// </summary>
    public bool UseSecondCore { get; init; }

    /// <summary>
    /// Re-plan committed work when the world changes (travel times, a courier behind plan, a kitchen
    /// delay): re-time routes, report ETA changes, release not-yet-picked-up orders whose pickup slipped
    /// too far so another courier can take them. When false, committed plans are never revised except
    /// where they cannot stand (a cancelled order, a courier gone off shift).
    /// </summary>
    public bool Replanning { get; init; } = true;

    /// <summary>A courier whose reported position puts it this many minutes behind its plan is re-planned.</summary>
    public double BehindToleranceMinutes { get; init; } = 3;

    /// <summary>A not-yet-started pickup (beyond the stop the courier is heading to) that slips by more than
    /// this many minutes in a re-plan is released for reassignment.</summary>
    public double ReassignSlipMinutes { get; init; } = 10;

    /// <summary>Drop-off moves smaller than this are not reported as <see cref="Model.PlanChangeKind.EtaChanged"/>.</summary>
    public double EtaChangeThresholdMinutes { get; init; } = 1;

    /// <summary>
    /// How many minutes before an order's ready time a pickup confirmation may be: an earlier one is refused
    /// (<see cref="DispatchError.InvalidValue"/> naming <c>at</c>). Default 5: kitchens hand food over a few minutes
    /// ahead of the ready time they announced (a ready time is an estimate; the MDRP traces' are), and a courier's
    /// device may be a minute or two off; a pickup ten or more minutes before the food was due is a wrong clock or a
    /// wrong order id. A simulated courier that follows the plan never picks up before ready (the planned pickup is
    /// never before it), so replays are unaffected. Use +infinity to accept any pickup after placement.
    /// </summary>
    public double PickupBeforeReadyToleranceMinutes { get; init; } = 5;

    /// <summary>Largest number of planned stops a courier may hold.</summary>
    public int MaxRouteStops { get; init; } = 24;

    /// <summary>
    /// General profile: improvement moves tried per tick on the not-yet-started part of committed routes,
    /// after new orders are inserted. A move is one order not yet picked up taken out of its route and put
    /// back at its cheapest place in its own or a nearby courier's route, or one route's picked-up orders'
    /// drop-offs re-sequenced; it is applied only when it lowers courier time plus the click-to-door
    /// penalties the insertion prices (a courier minute weighing as much as a customer's), within capacity,
    /// shift ends and time windows.
    /// The stop a courier is heading to never moves, and picked-up orders never change courier. A count,
    /// not a time, so results are deterministic; couriers are visited round-robin across ticks. 0 disables.
    /// </summary>
    public int GeneralImprovementMovesPerTick { get; init; } = DefaultGeneralImprovementMovesPerTick;

    /// <summary>Default of <see cref="GeneralImprovementMovesPerTick"/>.</summary>
    public const int DefaultGeneralImprovementMovesPerTick = 64;

    /// <summary>
    /// Minutes a finished order (delivered or cancelled) stays known after it finished: queries answer it
    /// and its id cannot be placed again. After that, the first tick at or past the end forgets it
    /// (<see cref="DispatchEngine{TTravel}.GetOrderStatus"/> says <see cref="Model.OrderStatus.Unknown"/>, its id
    /// may be placed again) and reuses its storage, so a long-running engine holds open work plus this
    /// window, not every order it ever saw. <see cref="Model.EngineCounts"/> keeps counting every order.
    /// The same window applies to a courier gone off shift: once it ends with nothing planned (its last
    /// drop-off done), the courier is forgotten (<see cref="DispatchEngine{TTravel}.TryGetCourier"/> says false) and
    /// its storage reused; the id may start a new shift as before. <see cref="double.PositiveInfinity"/> keeps
    /// finished orders and couriers for the engine's life (batch replays that read everything back at the end).
    /// </summary>
    public double FinishedOrderRetentionMinutes { get; init; } = 60;

    /// <summary>
    /// Minutes a kitchen takes to re-make an order whose delivery failed or went to the wrong customer, when the
    /// report gives no ready time of its own: the re-made order is ready this long after the failure was reported
    /// (<see cref="DispatchEngine{TTravel}.DeliveryFailed"/>, <see cref="DispatchEngine{TTravel}.WrongOrderDelivered"/>).
    /// Default 10: a re-make jumps the kitchen's queue, so it takes about one dish's cooking time, not an order's
    /// usual wait (the MDRP traces' ready times are 10-20 minutes after placement).
    /// </summary>
    public double RemakeMinutes { get; init; } = 10;

    /// <summary>
    /// The probability a promise (the drop-off time recorded at placement and answered by
    /// <see cref="DispatchEngine{TTravel}.QuoteDropoff(long, double, double, double, double)"/>) is to be met: the margin
    /// added to the point estimate is this quantile of the engine's recent errors in the same situation, learnt from
    /// its own deliveries. Higher means fewer broken promises and later ones. In (0, 1).
    /// </summary>
    public double PromiseOnTimeProbability { get; init; } = 0.9;

    /// <summary>
    /// Cost, per minute, of a drop-off planned past the order's promise (the time recorded at placement), added to the
    /// planner's cost of serving or postponing it: of two orders competing for a courier, the one about to break its
    /// promise goes before one with time to spare, so the plan keeps what was promised and the calibration's margins
    /// (learnt from the deliveries) stay tight. 0 plans as if no promise had been made. Default 0.5, the default
    /// <see cref="OverTargetWeight"/>: a minute past the promise weighs as a minute past the click-to-door target.
    /// Read by the MDRP profile's planner.
    /// </summary>
    public double PromiseLatenessWeight { get; init; } = 0.5;

    /// <summary>
    /// Cost, once, of a drop-off planned past the order's promise at all, added to the planner's cost of serving or
    /// postponing it beside <see cref="PromiseLatenessWeight"/>'s cost per minute. A customer sees a promise kept or
    /// broken: priced by the minute alone, a promise broken by one minute weighed a tenth of one broken by ten, so when
    /// couriers are short the plan spread its lateness over many orders and broke many promises by a little. With a cost
    /// for the break itself, of two orders one of which must wait, the plan makes the one that can still keep its
    /// promise keep it. 0 prices lateness by the minute only. A trade, measured over five paired draws
    /// (bench/results/promises.md): at the default 2 (two minutes of click-to-door) the shared MDRP traces keep 0.9
    /// points more of their promises for 0.018 min more click-to-door, the generated waves 1.5 points for 0.053 min,
    /// the scenario table 1.2-1.4 points with mean click-to-door unchanged; 1 gives about half of both. Read by the MDRP
    /// profile's planner.
    /// </summary>
    public double PromiseBreakCost { get; init; } = 2;

    internal void Validate()
    {
        static void Positive(double v, string name)
        {
            if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be a positive finite number");
        }
        static void NonNegative(double v, string name)
        {
            if (!(v >= 0) || !double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be a finite number >= 0");
        }
        if (!Enum.IsDefined(Profile)) throw new ArgumentOutOfRangeException(nameof(Profile), Profile, "unknown dispatch profile");
        NonNegative(PickupServiceMinutes, nameof(PickupServiceMinutes));
        NonNegative(DropoffServiceMinutes, nameof(DropoffServiceMinutes));
        Positive(TargetClickToDoorMinutes, nameof(TargetClickToDoorMinutes));
        Positive(MaxClickToDoorMinutes, nameof(MaxClickToDoorMinutes));
        Positive(TickIntervalMinutes, nameof(TickIntervalMinutes));
        NonNegative(CourierLookaheadMinutes, nameof(CourierLookaheadMinutes));
        NonNegative(BundleReadyWindowMinutes, nameof(BundleReadyWindowMinutes));
        NonNegative(OverTargetWeight, nameof(OverTargetWeight));
        NonNegative(OverMaxWeight, nameof(OverMaxWeight));
        NonNegative(TravelWeight, nameof(TravelWeight));
        NonNegative(PressureTravelWeight, nameof(PressureTravelWeight));
        NonNegative(PostponeDelayMinutes, nameof(PostponeDelayMinutes));
        NonNegative(StarvationAgeMinutes, nameof(StarvationAgeMinutes));
        NonNegative(FreedCourierWeight, nameof(FreedCourierWeight));
        NonNegative(BehindToleranceMinutes, nameof(BehindToleranceMinutes));
        NonNegative(ReassignSlipMinutes, nameof(ReassignSlipMinutes));
        NonNegative(EtaChangeThresholdMinutes, nameof(EtaChangeThresholdMinutes));
        if (!(FinishedOrderRetentionMinutes >= 0))
            throw new ArgumentOutOfRangeException(nameof(FinishedOrderRetentionMinutes), FinishedOrderRetentionMinutes, $"{nameof(FinishedOrderRetentionMinutes)} must be >= 0 minutes (+infinity keeps finished orders for good)");
        if (!(RemakeMinutes >= 0) || !double.IsFinite(RemakeMinutes)) throw new ArgumentOutOfRangeException(nameof(RemakeMinutes), RemakeMinutes, "must be a finite number of minutes >= 0");
        NonNegative(PromiseLatenessWeight, nameof(PromiseLatenessWeight));
        NonNegative(PromiseBreakCost, nameof(PromiseBreakCost));
        if (!(PromiseOnTimeProbability > 0 && PromiseOnTimeProbability < 1))
            throw new ArgumentOutOfRangeException(nameof(PromiseOnTimeProbability), PromiseOnTimeProbability, "must be a probability strictly between 0 and 1");
        if (!(PickupBeforeReadyToleranceMinutes >= 0)) throw new ArgumentOutOfRangeException(nameof(PickupBeforeReadyToleranceMinutes), PickupBeforeReadyToleranceMinutes, "must be >= 0 (+infinity accepts any pickup after placement)");
        if (CandidateCouriersPerSite < 1) throw new ArgumentOutOfRangeException(nameof(CandidateCouriersPerSite), CandidateCouriersPerSite, "need at least one candidate courier");
        if (LargeProblemOpenOrders < 1) throw new ArgumentOutOfRangeException(nameof(LargeProblemOpenOrders), LargeProblemOpenOrders, "must be at least 1");
        if (LargeProblemCandidateCouriers < 1) throw new ArgumentOutOfRangeException(nameof(LargeProblemCandidateCouriers), LargeProblemCandidateCouriers, "need at least one candidate courier");
        if (MaxBundleSize < 1) throw new ArgumentOutOfRangeException(nameof(MaxBundleSize), MaxBundleSize, "bundles hold at least one order");
        if (MaxRouteStops < 2 * MaxBundleSize) throw new ArgumentOutOfRangeException(nameof(MaxRouteStops), MaxRouteStops, "a route must hold at least one full bundle (2 x MaxBundleSize stops)");
        if (GeneralImprovementMovesPerTick < 0) throw new ArgumentOutOfRangeException(nameof(GeneralImprovementMovesPerTick), GeneralImprovementMovesPerTick, "must be >= 0 (0 disables the improvement moves)");
        if (InitialOrderCapacity < 1 || InitialCourierCapacity < 1 || InitialSiteCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(InitialOrderCapacity), "initial capacities must be at least 1");
    }
}
