namespace Dispatch.Simulator.Evaluation;

/// <summary>
/// Stable codes of the feasibility rules that <see cref="SolutionEvaluator"/> checks, one per
/// published rule of ../shared/mdrp/README.md (or per way the three solution files can disagree).
/// Codes are part of the evaluator's contract: tests, reports and scripts match on them, so an
/// existing code is never renamed or reused for a different rule.
/// </summary>
public static class EvaluationRules
{
    /// <summary>An order id in the assignments or orders file that the instance does not have.</summary>
    public const string UnknownOrder = "unknown-order";

    /// <summary>A courier id in any of the three files that the instance does not have.</summary>
    public const string UnknownCourier = "unknown-courier";

    /// <summary>
    /// A move origin or destination that is neither <c>0</c> (origin only), a restaurant nor an
    /// order of the instance. Restaurant ids appear only in the moves file, so an unknown
    /// restaurant is reported under this code.
    /// </summary>
    public const string UnknownLocation = "unknown-location";

    /// <summary>An assignment line without any order.</summary>
    public const string EmptyAssignment = "empty-assignment";

    /// <summary>An order in two assignments (or twice in one), or on two lines of the orders file.</summary>
    public const string DuplicateOrder = "duplicate-order";

    /// <summary>An assignment made before one of its orders was placed (no peeking at the future).</summary>
    public const string AssignmentBeforePlacement = "assignment-before-placement";

    /// <summary>Orders of one assignment come from different restaurants.</summary>
    public const string MixedRestaurants = "mixed-restaurants";

    /// <summary>An assignment's pickup time is earlier than the ready time of one of its orders.</summary>
    public const string PickupBeforeReady = "pickup-before-ready";

    /// <summary>Pickup earlier than the courier's arrival at the restaurant + pickup_service/2.</summary>
    public const string PickupBeforeArrival = "pickup-before-arrival";

    /// <summary>Pickup after the courier's off_time (drop-offs may end later; pickups may not).</summary>
    public const string PickupAfterShift = "pickup-after-shift";

    /// <summary>A move departing before the courier's on_time.</summary>
    public const string DepartureBeforeShift = "departure-before-shift";

    /// <summary>Drop-off earlier than the courier's arrival at the customer + dropoff_service/2.</summary>
    public const string DropoffBeforeArrival = "dropoff-before-arrival";

    /// <summary>
    /// Within an assignment, a departure earlier than the previous pickup + pickup_service/2 or
    /// the previous drop-off + dropoff_service/2 (the courier left before finishing the service).
    /// </summary>
    public const string DepartureBeforeServiceEnd = "departure-before-service-end";

    /// <summary>A courier's first move does not start at its start location (origin <c>0</c>).</summary>
    public const string MoveBadStart = "move-bad-start";

    /// <summary>A move's origin is not the destination of the courier's previous move.</summary>
    public const string MoveDiscontinuous = "move-discontinuous";

    /// <summary>A courier's departures decrease in execution order.</summary>
    public const string MoveTimeOrder = "move-time-order";

    /// <summary>A move to an assignment's restaurant departs before the assignment was made (couriers follow instructions only).</summary>
    public const string MoveBeforeAssignment = "move-before-assignment";

    /// <summary>
    /// A courier's moves are not, assignment by assignment, the restaurant then the orders in
    /// the listed drop-off sequence (the courier was diverted or served orders out of sequence).
    /// </summary>
    public const string Diversion = "diversion";

    /// <summary>
    /// The move to an assignment's restaurant departs before the courier's previous assignment
    /// finished (its last drop-off + dropoff_service/2): a new assignment before finishing the current one.
    /// </summary>
    public const string AssignmentOverlap = "assignment-overlap";

    /// <summary>An assignment's restaurant or one of its orders is never the destination of a move of its courier.</summary>
    public const string MissingMove = "missing-move";

    /// <summary>A courier moves to a place more often than its assignments call for (including moves with no assignment at all).</summary>
    public const string UnassignedMove = "unassigned-move";

    /// <summary>
    /// solution_info_orders.txt disagrees with the assignments: another courier, another pickup
    /// time, or an assigned order without a line.
    /// </summary>
    public const string OrdersFileMismatch = "orders-file-mismatch";

    /// <summary>A delivered order (a line of the orders file) that no assignment covers.</summary>
    public const string OrderNotAssigned = "order-not-assigned";

    /// <summary>placement_time or ready_time in the orders file differs from the instance.</summary>
    public const string OrderTimesMismatch = "order-times-mismatch";

    /// <summary>Every rule code, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        UnknownOrder, UnknownCourier, UnknownLocation, EmptyAssignment, DuplicateOrder,
        AssignmentBeforePlacement, MixedRestaurants, PickupBeforeReady, PickupBeforeArrival,
        PickupAfterShift, DepartureBeforeShift, DropoffBeforeArrival, DepartureBeforeServiceEnd,
        MoveBadStart, MoveDiscontinuous, MoveTimeOrder, MoveBeforeAssignment, Diversion,
        AssignmentOverlap, MissingMove, UnassignedMove, OrdersFileMismatch, OrderNotAssigned,
        OrderTimesMismatch,
    ];
}
