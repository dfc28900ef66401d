namespace Dispatch.Simulator.Evaluation;

/// <summary>
/// The project's own evaluator for MDRP solutions: checks the three solution files against every
/// published rule of ../shared/mdrp/README.md and computes the published metrics, so a replay can
/// be judged without the external evaluator. It reports, never throws, on an infeasible solution.
/// </summary>
/// <remarks>
/// How moves are matched to assignments: a courier's assignments are taken in pickup-time order
/// (ties: assignment time, then file order) and expand to the destinations restaurant, orders in
/// drop-off sequence, next restaurant, and so on. The courier's moves to known places must be
/// exactly that sequence; timing rules are checked on the longest prefix where they agree, so
/// one misplaced move does not flood the report with consequential timing violations.
/// Each fault is reported once, under its most specific rule; see <see cref="EvaluationRules"/>.
/// </remarks>
public static class SolutionEvaluator
{
    /// <summary>
    /// Tolerance when comparing times: the solution files carry decimals, so a value that went
    /// through text must not fail a rule by a rounding artefact.
    /// </summary>
    public const double TimeTolerance = 1e-6;

    /// <summary>Checks <paramref name="solution"/> against <paramref name="instance"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static EvaluationReport Evaluate(MdrpInstance instance, MdrpSolution solution)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(solution);
        var violations = new Checker(instance, solution).Run();
        return new EvaluationReport(violations, EvaluationMetrics.Compute(instance, solution));
    }

    /// <summary>An assignment line with at least one known, not previously assigned order.</summary>
    private sealed class Assignment(int index, MdrpAssignmentRecord record, int courier, List<int> orders, int restaurant, string where)
    {
        public int Index { get; } = index;
        public MdrpAssignmentRecord Record { get; } = record;
        public int Courier { get; } = courier;
        public List<int> Orders { get; } = orders;
        public int Restaurant { get; } = restaurant;
        public string Where { get; } = where;
    }

    /// <summary>One expected destination: the assignment's restaurant (Position -1) or its Position-th order.</summary>
    private readonly record struct Stop(Assignment Assignment, int Position)
    {
        public bool IsRestaurant => Position < 0;
    }

    private sealed class Checker
    {
        private readonly MdrpInstance _instance;
        private readonly MdrpSolution _solution;
        private readonly MdrpParameters _p;
        private readonly Dictionary<string, int> _orderIndex;
        private readonly Dictionary<string, int> _courierIndex;
        private readonly List<Violation> _violations = [];
        private readonly List<Assignment> _assignments = [];
        private readonly Assignment?[] _owner;     // order -> the assignment that covers it
        private readonly double?[] _dropoff;       // order -> drop-off time from the orders file
        private readonly List<Assignment>[] _assignmentsOf;
        private readonly List<int>[] _movesOf;     // courier -> move indexes, execution order

        public Checker(MdrpInstance instance, MdrpSolution solution)
        {
            _instance = instance;
            _solution = solution;
            _p = instance.Parameters;
            _orderIndex = EvaluationMetrics.IndexOf(instance.Orders.Select(o => o.Id));
            _courierIndex = EvaluationMetrics.IndexOf(instance.Couriers.Select(c => c.Id));
            _owner = new Assignment?[instance.Orders.Length];
            _dropoff = new double?[instance.Orders.Length];
            _assignmentsOf = instance.Couriers.Select(_ => new List<Assignment>()).ToArray();
            _movesOf = instance.Couriers.Select(_ => new List<int>()).ToArray();
        }

        public List<Violation> Run()
        {
            CheckAssignments();
            CheckOrdersFile();
            CheckMoves();
            for (int c = 0; c < _instance.Couriers.Length; c++)
            {
                if (_movesOf[c].Count > 0 || _assignmentsOf[c].Count > 0) CheckCourier(c);
            }
            return _violations;
        }

        private void CheckAssignments()
        {
            for (int i = 0; i < _solution.Assignments.Count; i++)
            {
                var a = _solution.Assignments[i];
                string where = a is null ? $"assignment {i + 1} (line {i + 2})"
                    : $"assignment {i + 1} (line {i + 2}: courier '{a.Courier}', orders {string.Join(' ', a.Orders ?? [])})";
                if (a?.Orders is not { Length: > 0 })
                {
                    Add(EvaluationRules.EmptyAssignment, $"{where} has no orders");
                    continue;
                }
                if (!TryCourier(a.Courier, out int courier))
                    Add(EvaluationRules.UnknownCourier, $"{where}: courier '{a.Courier}' is not in the instance");

                var orders = new List<int>();
                foreach (var id in a.Orders)
                {
                    if (!TryOrder(id, out int o))
                    {
                        Add(EvaluationRules.UnknownOrder, $"{where}: order '{id}' is not in the instance");
                    }
                    else if (_owner[o] is { } first)
                    {
                        Add(EvaluationRules.DuplicateOrder, $"{where}: order '{id}' is already in {first.Where}");
                    }
                    else if (orders.Contains(o))
                    {
                        Add(EvaluationRules.DuplicateOrder, $"{where}: order '{id}' is listed twice");
                    }
                    else
                    {
                        orders.Add(o);
                    }
                }
                if (orders.Count == 0) continue; // nothing known to check; already reported

                var restaurants = orders.Select(o => _instance.Orders[o].Restaurant).Distinct(StringComparer.Ordinal).ToArray();
                if (restaurants.Length > 1)
                {
                    Add(EvaluationRules.MixedRestaurants, $"{where}: orders come from different restaurants ("
                        + string.Join(", ", orders.Select(o => $"'{_instance.Orders[o].Id}' from '{_instance.Orders[o].Restaurant}'")) + ")");
                }
                foreach (int o in orders)
                {
                    var order = _instance.Orders[o];
                    if (Before(a.AssignmentTime, order.PlacementTime))
                        Add(EvaluationRules.AssignmentBeforePlacement, $"{where}: assigned at {T(a.AssignmentTime)} but order '{order.Id}' is placed at {order.PlacementTime}");
                    if (Before(a.PickupTime, order.ReadyTime))
                        Add(EvaluationRules.PickupBeforeReady, $"{where}: pickup at {T(a.PickupTime)} but order '{order.Id}' is ready at {order.ReadyTime}");
                }
                if (courier >= 0 && Before(_instance.Couriers[courier].OffTime, a.PickupTime))
                    Add(EvaluationRules.PickupAfterShift, $"{where}: pickup at {T(a.PickupTime)} after courier '{a.Courier}' goes off duty at {_instance.Couriers[courier].OffTime}");

                // The bundle's restaurant is its first order's; a mixed bundle is already reported.
                var asg = new Assignment(i, a, courier, orders, _instance.RestaurantIndex[restaurants[0]], where);
                foreach (int o in orders) _owner[o] = asg;
                _assignments.Add(asg);
                if (courier >= 0) _assignmentsOf[courier].Add(asg);
            }
        }

        private void CheckOrdersFile()
        {
            var lineOf = new int?[_instance.Orders.Length];
            for (int j = 0; j < _solution.Orders.Count; j++)
            {
                var line = _solution.Orders[j];
                string where = $"orders line {j + 2} (order '{line.Order}', courier '{line.Courier}')";
                if (!TryOrder(line.Order, out int o))
                {
                    Add(EvaluationRules.UnknownOrder, $"{where}: order '{line.Order}' is not in the instance");
                    continue;
                }
                if (lineOf[o] is { } firstLine)
                {
                    Add(EvaluationRules.DuplicateOrder, $"{where}: order '{line.Order}' is already delivered on orders line {firstLine + 2}");
                    continue;
                }
                lineOf[o] = j;
                _dropoff[o] = line.DropoffTime;

                var order = _instance.Orders[o];
                if (Differ(line.PlacementTime, order.PlacementTime) || Differ(line.ReadyTime, order.ReadyTime))
                {
                    Add(EvaluationRules.OrderTimesMismatch, $"{where}: placement {T(line.PlacementTime)} and ready {T(line.ReadyTime)}, "
                        + $"but the instance has placement {order.PlacementTime} and ready {order.ReadyTime}");
                }
                if (!TryCourier(line.Courier, out _))
                    Add(EvaluationRules.UnknownCourier, $"{where}: courier '{line.Courier}' is not in the instance");

                if (_owner[o] is not { } a)
                {
                    Add(EvaluationRules.OrderNotAssigned, $"{where}: delivered but in no assignment");
                    continue;
                }
                if (!string.Equals(line.Courier, a.Record.Courier, StringComparison.Ordinal))
                    Add(EvaluationRules.OrdersFileMismatch, $"{where}: courier '{line.Courier}' but {a.Where} gives it to courier '{a.Record.Courier}'");
                if (Differ(line.PickupTime, a.Record.PickupTime))
                    Add(EvaluationRules.OrdersFileMismatch, $"{where}: pickup at {T(line.PickupTime)} but {a.Where} picks up at {T(a.Record.PickupTime)}");
            }
            foreach (var a in _assignments)
            {
                foreach (int o in a.Orders)
                {
                    if (lineOf[o] is null)
                        Add(EvaluationRules.OrdersFileMismatch, $"order '{_instance.Orders[o].Id}' of {a.Where} has no line in {MdrpSolution.OrdersFile}");
                }
            }
        }

        private void CheckMoves()
        {
            for (int k = 0; k < _solution.Moves.Count; k++)
            {
                var m = _solution.Moves[k];
                if (!TryCourier(m.Courier, out int c))
                {
                    Add(EvaluationRules.UnknownCourier, $"{Describe(k)}: courier '{m.Courier}' is not in the instance");
                    continue;
                }
                if (m.Origin != MdrpSolution.StartLocation && !IsPlace(m.Origin))
                    Add(EvaluationRules.UnknownLocation, $"{Describe(k)}: origin '{m.Origin}' is neither '0', a restaurant nor an order");
                if (!IsPlace(m.Destination))
                    Add(EvaluationRules.UnknownLocation, $"{Describe(k)}: destination '{m.Destination}' is neither a restaurant nor an order");
                _movesOf[c].Add(k);
            }
        }

        private void CheckCourier(int c)
        {
            var courier = _instance.Couriers[c];
            var moves = _movesOf[c];

            // The chain itself: start at "0", each leg starts where the last ended, time never runs back.
            var wentBack = new HashSet<int>();
            for (int i = 0; i < moves.Count; i++)
            {
                var m = _solution.Moves[moves[i]];
                if (i == 0)
                {
                    if (m.Origin != MdrpSolution.StartLocation)
                        Add(EvaluationRules.MoveBadStart, $"{Describe(moves[i])}: courier '{courier.Id}' starts from '{m.Origin}' instead of its start location '0'");
                }
                else
                {
                    var prev = _solution.Moves[moves[i - 1]];
                    if (!string.Equals(m.Origin, prev.Destination, StringComparison.Ordinal))
                        Add(EvaluationRules.MoveDiscontinuous, $"{Describe(moves[i])}: starts from '{m.Origin}' but the previous move ({Describe(moves[i - 1])}) ended at '{prev.Destination}'");
                    if (Before(m.DepartureTime, prev.DepartureTime))
                    {
                        Add(EvaluationRules.MoveTimeOrder, $"{Describe(moves[i])}: departs at {T(m.DepartureTime)}, before the previous move ({Describe(moves[i - 1])})");
                        wentBack.Add(moves[i]);
                    }
                }
                if (Before(m.DepartureTime, courier.OnTime))
                    Add(EvaluationRules.DepartureBeforeShift, $"{Describe(moves[i])}: departs before courier '{courier.Id}' is on duty at {courier.OnTime}");
            }

            // What the assignments call for, and what the moves to known places did.
            var expected = new List<Stop>();
            foreach (var a in _assignmentsOf[c].OrderBy(a => a.Record.PickupTime).ThenBy(a => a.Record.AssignmentTime).ThenBy(a => a.Index))
            {
                expected.Add(new Stop(a, -1));
                for (int pos = 0; pos < a.Orders.Count; pos++) expected.Add(new Stop(a, pos));
            }
            var actual = moves.Where(k => IsPlace(_solution.Moves[k].Destination)).ToList();

            var want = expected.GroupBy(StopId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var got = actual.GroupBy(k => _solution.Moves[k].Destination, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            bool covered = true;
            foreach (var (id, stops) in want)
            {
                int n = got.GetValueOrDefault(id);
                if (n >= stops.Count) continue;
                covered = false;
                string asgs = string.Join("; ", stops.Select(s => s.Assignment.Where).Distinct());
                Add(EvaluationRules.MissingMove, $"courier '{courier.Id}' moves to '{id}' {n} time(s), but its assignments call for {stops.Count} ({asgs})");
            }
            foreach (var (id, n) in got)
            {
                int wanted = want.TryGetValue(id, out var stops) ? stops.Count : 0;
                if (n <= wanted) continue;
                covered = false;
                var extra = actual.Where(k => _solution.Moves[k].Destination == id).Skip(wanted).First();
                Add(EvaluationRules.UnassignedMove, $"{Describe(extra)}: courier '{courier.Id}' moves to '{id}' {n} time(s), but its assignments call for {wanted}");
            }

            int prefix = 0;
            while (prefix < expected.Count && prefix < actual.Count
                && string.Equals(_solution.Moves[actual[prefix]].Destination, StopId(expected[prefix]), StringComparison.Ordinal))
            {
                prefix++;
            }
            // With every place visited as often as asked, a mismatch can only be the order of visits.
            if (covered && prefix < expected.Count)
            {
                var s = expected[prefix];
                Add(EvaluationRules.Diversion, $"{Describe(actual[prefix])}: courier '{courier.Id}' goes to '{_solution.Moves[actual[prefix]].Destination}', "
                    + $"but {s.Assignment.Where} calls for '{StopId(s)}' next (restaurant, then orders in drop-off sequence, one assignment after the other)");
            }

            for (int i = 0; i < prefix; i++) CheckTiming(courier, actual[i], expected[i], i == 0 ? null : expected[i - 1], wentBack.Contains(actual[i]));
        }

        /// <summary>Timing rules of one move that matches its expected stop.</summary>
        private void CheckTiming(in MdrpCourier courier, int k, Stop stop, Stop? previous, bool wentBack)
        {
            var m = _solution.Moves[k];
            var a = stop.Assignment;
            var origin = EvaluationMetrics.Locate(_instance, _orderIndex, courier, m.Origin);
            var (dx, dy) = stop.IsRestaurant
                ? (_instance.Restaurants[a.Restaurant].X, _instance.Restaurants[a.Restaurant].Y)
                : (_instance.Orders[a.Orders[stop.Position]].X, _instance.Orders[a.Orders[stop.Position]].Y);
            double? arrival = origin is { } o ? m.DepartureTime + _instance.TravelMinutes(o.X, o.Y, dx, dy) : null;

            if (stop.IsRestaurant)
            {
                if (Before(m.DepartureTime, a.Record.AssignmentTime))
                    Add(EvaluationRules.MoveBeforeAssignment, $"{Describe(k)}: heads to restaurant '{StopId(stop)}' before {a.Where} is made at {T(a.Record.AssignmentTime)}");
                if (arrival is { } arr && Before(a.Record.PickupTime, arr + _p.PickupServiceMinutes / 2))
                    Add(EvaluationRules.PickupBeforeArrival, $"{Describe(k)}: arrives at '{StopId(stop)}' at {T(arr)}, so pickup is at {T(arr + _p.PickupServiceMinutes / 2)} at the earliest, but {a.Where} picks up at {T(a.Record.PickupTime)}");
                // A time-travelling departure is already reported as move-time-order; do not restate it.
                if (!wentBack && previous is { } p && !p.IsRestaurant && _dropoff[p.Assignment.Orders[p.Position]] is { } lastDrop
                    && Before(m.DepartureTime, lastDrop + _p.DropoffServiceMinutes / 2))
                {
                    Add(EvaluationRules.AssignmentOverlap, $"{Describe(k)}: starts {a.Where} before finishing {p.Assignment.Where} "
                        + $"(last drop-off at {T(lastDrop)}, free at {T(lastDrop + _p.DropoffServiceMinutes / 2)})");
                }
                return;
            }

            int order = a.Orders[stop.Position];
            if (!wentBack && previous is { } prev)
            {
                double? free = prev.IsRestaurant
                    ? a.Record.PickupTime + _p.PickupServiceMinutes / 2
                    : _dropoff[a.Orders[prev.Position]] + _p.DropoffServiceMinutes / 2;
                if (free is { } f && Before(m.DepartureTime, f))
                    Add(EvaluationRules.DepartureBeforeServiceEnd, $"{Describe(k)}: leaves '{StopId(prev)}' before its service ends at {T(f)}");
            }
            if (arrival is { } at && _dropoff[order] is { } drop && Before(drop, at + _p.DropoffServiceMinutes / 2))
                Add(EvaluationRules.DropoffBeforeArrival, $"{Describe(k)}: arrives at order '{_instance.Orders[order].Id}' at {T(at)}, so drop-off is at {T(at + _p.DropoffServiceMinutes / 2)} at the earliest, but the orders file says {T(drop)}");
        }

        private string StopId(Stop s) => s.IsRestaurant
            ? _instance.Restaurants[s.Assignment.Restaurant].Id
            : _instance.Orders[s.Assignment.Orders[s.Position]].Id;

        private string Describe(int k)
        {
            var m = _solution.Moves[k];
            return $"move {k + 1} (line {k + 2}: courier '{m.Courier}' departs {T(m.DepartureTime)} from '{m.Origin}' to '{m.Destination}')";
        }

        private bool TryOrder(string? id, out int index)
        {
            index = -1;
            return id is not null && _orderIndex.TryGetValue(id, out index);
        }

        private bool TryCourier(string? id, out int index)
        {
            index = -1;
            return id is not null && _courierIndex.TryGetValue(id, out index);
        }

        private bool IsPlace(string? id) => id is not null && (_instance.RestaurantIndex.ContainsKey(id) || _orderIndex.ContainsKey(id));

        private void Add(string rule, string message) => _violations.Add(new Violation(rule, message));

        private static bool Before(double time, double limit) => time < limit - TimeTolerance;

        private static bool Differ(double a, double b) => Math.Abs(a - b) > TimeTolerance;

        private static string T(double minutes) => MdrpInstance.Fmt(minutes);
    }
}
