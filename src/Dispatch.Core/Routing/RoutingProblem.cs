using Dispatch.Engine;

namespace Dispatch.Routing;

/// <summary>
/// A whole route-optimization problem: locations with their travel matrix, requests, vehicles.
/// The constructor checks everything once and throws <see cref="DispatchException"/> naming the
/// request or vehicle and the field at fault (an inverted window, a pickup window that ends after
/// the delivery window, an unknown location index, amounts and capacities of different lengths), so
/// the search never meets bad input. A request that is valid but cannot be served by any vehicle
/// (too big, unreachable in time) is not an error: the optimizer returns it unassigned, with a reason.
/// </summary>
public sealed class RoutingProblem
{
    /// <summary>Checks and holds the problem. The lists are copied.</summary>
    /// <param name="matrix">Travel between the locations.</param>
    /// <param name="requests">What to serve.</param>
    /// <param name="vehicles">Who can serve it.</param>
    /// <param name="objective">Weights of lateness and click-to-door; null: <see cref="RoutingObjective.Default"/>.</param>
    public RoutingProblem(TravelMatrix matrix, IReadOnlyList<RoutingRequest> requests, IReadOnlyList<RoutingVehicle> vehicles,
        RoutingObjective? objective = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(vehicles);
        Matrix = matrix;
        Objective = objective ?? RoutingObjective.Default;
        CheckCost(Objective.LatenessWeight, "objective", "lateness weight");
        CheckCost(Objective.ClickToDoorPerMinute, "objective", "click-to-door per minute");
        var requestList = requests.ToArray();
        var vehicleList = vehicles.ToArray();
        Requests = requestList;
        Vehicles = vehicleList;
        if (vehicleList.Length == 0) throw new DispatchException(DispatchError.InvalidValue, "vehicles: at least one vehicle is needed");
        Dimensions = 0;
        var requestIds = new HashSet<long>();
        for (int r = 0; r < requestList.Length; r++)
        {
            var q = requestList[r] ?? throw new DispatchException(DispatchError.InvalidValue, $"requests[{r}] is null");
            string who = $"request {q.Id} (index {r})";
            if (!requestIds.Add(q.Id)) throw new DispatchException(DispatchError.DuplicateId, $"{who}: id {q.Id} appears twice");
            if (q.PickupLocation < 0 && q.DeliveryLocation < 0)
                throw new DispatchException(DispatchError.InvalidValue, $"{who}: has neither a pickup nor a delivery location");
            CheckLocation(q.PickupLocation, who, "pickup location");
            CheckLocation(q.DeliveryLocation, who, "delivery location");
            if (q.PickupLocation >= 0)
            {
                CheckWindow(q.PickupWindow, who, "pickup window");
                CheckService(q.PickupServiceMinutes, who, "pickup service minutes");
            }
            if (q.DeliveryLocation >= 0)
            {
                CheckWindow(q.DeliveryWindow, who, "delivery window");
                CheckService(q.DeliveryServiceMinutes, who, "delivery service minutes");
            }
            if (q.PlacedAt is { } placed && (!double.IsFinite(placed) || placed < 0 || placed > 1e9))
                throw new DispatchException(DispatchError.InvalidValue, $"{who}: placed at {placed} must be finite, 0 or more and at most 1e9");
            if (q.Priority is < 0 or > 1_000_000)
                throw new DispatchException(DispatchError.InvalidValue, $"{who}: priority {q.Priority} must be from 0 to 1,000,000");
            // A soft delivery window may end before the pickup opens: the delivery is then late by design, at its price.
            if (q.IsShipment && !q.DeliveryWindow.IsSoft && q.PickupWindow.Earliest > q.DeliveryWindow.Latest)
                throw new DispatchException(DispatchError.InvalidValue,
                    $"{who}: pickup window opens at {q.PickupWindow.Earliest}, after the delivery window closes at {q.DeliveryWindow.Latest}");
            var amount = q.Amount ?? throw new DispatchException(DispatchError.InvalidValue, $"{who}: amount is null");
            for (int d = 0; d < amount.Length; d++)
            {
                if (amount[d] < 0) throw new DispatchException(DispatchError.InvalidValue, $"{who}: amount[{d}] = {amount[d]} is negative");
            }
            Dimensions = MatchDimensions(amount.Length, who, "amount");
        }
        var vehicleIds = new HashSet<long>();
        for (int v = 0; v < vehicleList.Length; v++)
        {
            var k = vehicleList[v] ?? throw new DispatchException(DispatchError.InvalidValue, $"vehicles[{v}] is null");
            string who = $"vehicle {k.Id} (index {v})";
            if (!vehicleIds.Add(k.Id)) throw new DispatchException(DispatchError.DuplicateId, $"{who}: id {k.Id} appears twice");
            CheckLocation(k.StartLocation, who, "start location");
            CheckLocation(k.EndLocation, who, "end location");
            CheckWindow(k.Shift, who, "shift");
            var cap = k.Capacity ?? throw new DispatchException(DispatchError.InvalidValue, $"{who}: capacity is null");
            for (int d = 0; d < cap.Length; d++)
            {
                if (cap[d] < 0) throw new DispatchException(DispatchError.InvalidValue, $"{who}: capacity[{d}] = {cap[d]} is negative");
            }
            Dimensions = MatchDimensions(cap.Length, who, "capacity");
            CheckCost(k.FixedCost, who, "fixed cost");
            CheckCost(k.CostPerMinute, who, "cost per minute");
            CheckCost(k.CostPerDistance, who, "cost per distance");
        }
    }

    /// <summary>Travel durations and distances between the locations.</summary>
    public TravelMatrix Matrix { get; }
    /// <summary>The requests, by index.</summary>
    public IReadOnlyList<RoutingRequest> Requests { get; }
    /// <summary>The vehicles, by index.</summary>
    public IReadOnlyList<RoutingVehicle> Vehicles { get; }
    /// <summary>Weights of lateness and click-to-door in the cost.</summary>
    public RoutingObjective Objective { get; }
    /// <summary>Capacity dimensions (0 when nothing has an amount or a capacity).</summary>
    public int Dimensions { get; }

    private int MatchDimensions(int length, string who, string field)
    {
        if (length == 0) return Dimensions;
        if (Dimensions != 0 && length != Dimensions)
            throw new DispatchException(DispatchError.InvalidValue, $"{who}: {field} has {length} dimensions, others have {Dimensions}");
        return length;
    }

    private void CheckLocation(int location, string who, string field)
    {
        if (location < -1 || location >= Matrix.Count)
            throw new DispatchException(DispatchError.UnknownId, $"{who}: {field} {location} is not a location index (the matrix has {Matrix.Count})");
    }

    private static void CheckWindow(TimeWindow w, string who, string field)
    {
        if (!double.IsFinite(w.Earliest) || w.Earliest < 0 || w.Earliest > 1e9)
            throw new DispatchException(DispatchError.InvalidValue, $"{who}: {field} earliest {w.Earliest} must be finite, 0 or more and at most 1e9");
        if (double.IsNaN(w.Latest) || (double.IsFinite(w.Latest) && w.Latest > 1e12) || double.IsNegativeInfinity(w.Latest))
            throw new DispatchException(DispatchError.InvalidValue, $"{who}: {field} latest {w.Latest} must be a time or +infinity");
        if (w.Latest < w.Earliest)
            throw new DispatchException(DispatchError.InvalidValue, $"{who}: {field} latest {w.Latest} is before earliest {w.Earliest}");
        if (!double.IsFinite(w.LatePenaltyPerMinute) || w.LatePenaltyPerMinute < 0)
            throw new DispatchException(DispatchError.InvalidValue, $"{who}: {field} late penalty per minute {w.LatePenaltyPerMinute} must be finite and 0 or more");
    }

    private static void CheckService(double minutes, string who, string field)
    {
        if (!double.IsFinite(minutes) || minutes < 0)
            throw new DispatchException(DispatchError.InvalidValue, $"{who}: {field} {minutes} must be finite and 0 or more");
    }

    private static void CheckCost(double cost, string who, string field)
    {
        if (!double.IsFinite(cost) || cost < 0)
            throw new DispatchException(DispatchError.InvalidValue, $"{who}: {field} {cost} must be finite and 0 or more");
    }
}
