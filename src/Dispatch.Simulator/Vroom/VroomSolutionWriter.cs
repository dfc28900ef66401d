using System.Globalization;
using System.Text;
using System.Text.Json;
using Dispatch.Routing;

namespace Dispatch.Simulator.Vroom;

/// <summary>Milliseconds spent, reported under <c>summary.computing_times</c>.</summary>
/// <param name="LoadingMs">Reading and checking the problem (and building the matrix from coordinates).</param>
/// <param name="SolvingMs">The optimizer's search.</param>
/// <param name="RoutingMs">Route geometry (always 0: there is no router).</param>
public readonly record struct VroomComputingTimes(long LoadingMs, long SolvingMs, long RoutingMs = 0);

/// <summary>The solution's totals as written under <c>summary</c> (VROOM units: seconds, meters, cost).</summary>
public sealed record VroomSolutionSummary(long Cost, int Routes, int Unassigned, long Service, long Duration, long WaitingTime, int Priority, long? Distance);

/// <summary>
/// Writes VROOM's solution JSON (docs/API.md, "Output"): <c>code</c> 0, <c>summary</c>,
/// <c>unassigned</c> and <c>routes</c> with their <c>steps</c>, in seconds and meters, plus two keys
/// of ours on each unassigned task: <c>reason</c> (capacity_exceeded, pickup_window_unreachable,
/// delivery_window_unreachable, shift_too_short, fleet_exhausted) and <c>reason_detail</c>.
/// Errors are written as VROOM writes them: <c>{"code": 2, "error": "..."}</c>.
/// <para>
/// Step times are recomputed in whole seconds from the input's own matrix, service times and
/// windows along the optimizer's route (and checked against the optimizer's schedule), so they are
/// exact integers as VROOM's are. The optimizer leaves at the start of the vehicle's
/// <c>time_window</c>; like VROOM, the written route leaves later instead of waiting at its first
/// task (no service time changes). Deprecated keys VROOM still writes (<c>amount</c>, step
/// <c>job</c>) and empty <c>violations</c> arrays are written too, for readers that expect them.
/// </para>
/// </summary>
public static class VroomSolutionWriter
{
    /// <summary>VROOM's status code: no error.</summary>
    public const int CodeOk = 0;
    /// <summary>VROOM's status code: internal error.</summary>
    public const int CodeInternalError = 1;
    /// <summary>VROOM's status code: input error.</summary>
    public const int CodeInputError = 2;

    /// <summary>The solution as VROOM's output JSON text.</summary>
    public static string ToJson(VroomProblem problem, RoutingSolution solution, VroomComputingTimes times, bool indented = true)
    {
        using var stream = new MemoryStream();
        Write(stream, problem, solution, times, indented);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the solution file (creating its folder) and returns the totals written.</summary>
    public static VroomSolutionSummary WriteFile(string path, VroomProblem problem, RoutingSolution solution, VroomComputingTimes times, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        CreateFolderOf(path);
        using var stream = File.Create(path);
        return Write(stream, problem, solution, times, indented);
    }

    /// <summary>Writes the solution to a stream and returns the totals written.</summary>
    public static VroomSolutionSummary Write(Stream stream, VroomProblem problem, RoutingSolution solution, VroomComputingTimes times, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solution);
        var routes = solution.Routes.Select(r => BuildRoute(problem, r)).ToList();
        var unassigned = new List<(VroomTask Task, UnassignedRequest Why)>();
        foreach (var u in solution.Unassigned)
            foreach (var task in problem.Requests[u.RequestIndex].Tasks) unassigned.Add((task, u));

        int dims = problem.Dimensions;
        var summary = new VroomSolutionSummary(
            routes.Sum(r => r.Cost), routes.Count, unassigned.Count, routes.Sum(r => r.Service), routes.Sum(r => r.Duration),
            routes.Sum(r => r.Waiting), routes.Sum(r => r.Priority), problem.HasDistances ? routes.Sum(r => r.Distance) : null);

        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented });
        w.WriteStartObject();
        w.WriteNumber("code", CodeOk);

        w.WriteStartObject("summary");
        w.WriteNumber("cost", summary.Cost);
        w.WriteNumber("routes", summary.Routes);
        w.WriteNumber("unassigned", summary.Unassigned);
        if (dims > 0)
        {
            var delivery = new long[dims];
            var pickup = new long[dims];
            foreach (var r in routes)
            {
                for (int d = 0; d < dims; d++) { delivery[d] += r.Delivery[d]; pickup[d] += r.Pickup[d]; }
            }
            WriteArray(w, "delivery", delivery);
            WriteArray(w, "amount", delivery);   // deprecated copy of delivery, as VROOM writes it
            WriteArray(w, "pickup", pickup);
        }
        w.WriteNumber("setup", 0);
        w.WriteNumber("service", summary.Service);
        w.WriteNumber("duration", summary.Duration);
        w.WriteNumber("waiting_time", summary.WaitingTime);
        w.WriteNumber("priority", summary.Priority);
        if (summary.Distance is { } distance) w.WriteNumber("distance", distance);
        WriteNoViolations(w);
        w.WriteStartObject("computing_times");
        w.WriteNumber("loading", times.LoadingMs);
        w.WriteNumber("solving", times.SolvingMs);
        w.WriteNumber("routing", times.RoutingMs);
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartArray("unassigned");
        foreach (var (task, why) in unassigned)
        {
            w.WriteStartObject();
            w.WriteNumber("id", task.Id);
            WritePlace(w, task.Place);
            w.WriteString("type", TypeName(task.Type));
            if (task.Description is { } description) w.WriteString("description", description);
            w.WriteString("reason", ReasonName(why.Reason));
            w.WriteString("reason_detail", ReasonDetail(problem.Requests[why.RequestIndex], why.Reason));
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("routes");
        foreach (var r in routes) WriteRoute(w, r, dims, problem.HasDistances);
        w.WriteEndArray();

        w.WriteEndObject();
        w.Flush();
        return summary;
    }

    /// <summary>VROOM's error output: <c>{"code": code, "error": message}</c>.</summary>
    public static string ErrorJson(int code, string message, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteNumber("code", code);
            w.WriteString("error", message);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes VROOM's error output to a file (creating its folder).</summary>
    public static void WriteErrorFile(string path, int code, string message)
    {
        ArgumentNullException.ThrowIfNull(path);
        CreateFolderOf(path);
        File.WriteAllText(path, ErrorJson(code, message));
    }

    /// <summary>Our reason as written in <c>unassigned[].reason</c>.</summary>
    public static string ReasonName(UnassignedReason reason) => reason switch
    {
        UnassignedReason.CapacityExceeded => "capacity_exceeded",
        UnassignedReason.PickupWindowUnreachable => "pickup_window_unreachable",
        UnassignedReason.DeliveryWindowUnreachable => "delivery_window_unreachable",
        UnassignedReason.ShiftTooShort => "shift_too_short",
        UnassignedReason.FleetExhausted => "fleet_exhausted",
        _ => reason.ToString(),
    };

    // ---- routes -------------------------------------------------------------------------------

    private sealed class OutStep
    {
        public required string Type;
        public VroomTask? Task;
        public required VroomPlace Place;
        public long Arrival, Duration, Distance, Service, Waiting;
        public required int[] Load;
    }

    private sealed class OutRoute
    {
        public required VroomVehicle Vehicle;
        public required List<OutStep> Steps;
        public long Cost, Duration, Distance, Service, Waiting;
        public int Priority;
        public required long[] Delivery, Pickup;
    }

    private static OutRoute BuildRoute(VroomProblem problem, PlannedRoute route)
    {
        var vehicle = problem.Vehicles[route.VehicleIndex];
        int dims = problem.Dimensions;
        var steps = new List<OutStep>(route.Visits.Count + 2);
        var delivery = new long[dims];
        var pickup = new long[dims];
        long departure = vehicle.Window?.Start ?? 0;
        long t = departure, travel = 0, distance = 0, service = 0, waiting = 0;
        int priority = 0;
        int? previous = vehicle.Start?.Index;
        var tasks = route.Visits.Select(v => problem.Requests[v.RequestIndex].TaskOf(v.IsPickup)).ToList();
        if (tasks.Count == 0) throw new InvalidOperationException($"internal: the optimizer returned an empty route for {vehicle.Who}");
        steps.Add(new OutStep { Type = "start", Place = vehicle.Start ?? tasks[0].Place, Load = route.StartLoad });

        for (int k = 0; k < route.Visits.Count; k++)
        {
            var visit = route.Visits[k];
            var q = problem.Requests[visit.RequestIndex];
            var task = tasks[k];
            int at = task.Place.Index;
            if (previous is int p)
            {
                travel += problem.DurationSeconds(p, at);
                distance += problem.DistanceMeters(p, at);
                t += problem.DurationSeconds(p, at);
            }
            long arrival = t;
            long start = Math.Max(arrival, task.Window?.Start ?? 0);
            if (Math.Abs(start - visit.ServiceStart * 60) > 0.01)
                throw new InvalidOperationException($"internal: {task.Who} starts at {start} s in whole seconds but at {visit.ServiceStart * 60} s in the optimizer's schedule");
            t = start + task.ServiceSeconds;
            previous = at;
            service += task.ServiceSeconds;
            waiting += start - arrival;
            priority += task.Priority;
            switch (task.Type)
            {
                case VroomTaskType.Job: Add(delivery, q.DeliveryAmount); Add(pickup, q.PickupAmount); break;
                case VroomTaskType.Pickup: Add(pickup, q.PickupAmount); break;
                default: Add(delivery, q.DeliveryAmount); break;
            }
            steps.Add(new OutStep
            {
                Type = TypeName(task.Type), Task = task, Place = task.Place, Arrival = arrival, Duration = travel, Distance = distance,
                Service = task.ServiceSeconds, Waiting = start - arrival, Load = visit.Load,
            });
        }
        if (vehicle.End is { } end)
        {
            travel += problem.DurationSeconds(previous!.Value, end.Index);
            distance += problem.DistanceMeters(previous.Value, end.Index);
            t += problem.DurationSeconds(previous.Value, end.Index);
        }
        if (Math.Abs(t - route.EndArrival * 60) > 0.01)
            throw new InvalidOperationException($"internal: {vehicle.Who} ends at {t} s in whole seconds but at {route.EndArrival * 60} s in the optimizer's schedule");
        steps.Add(new OutStep
        {
            Type = "end", Place = vehicle.End ?? tasks[^1].Place, Arrival = t, Duration = travel, Distance = distance,
            Load = route.Visits[^1].Load,
        });

        // Leave later rather than wait at the first task: the same service times, less waiting.
        var first = steps[1];
        long delay = first.Waiting;
        first.Arrival += delay;
        first.Waiting = 0;
        waiting -= delay;
        steps[0].Arrival = departure + delay;

        double exactCost = vehicle.FixedCost + vehicle.PerHour * travel / 3600.0 + vehicle.PerKm * distance / 1000.0;
        if (Math.Abs(exactCost - route.Cost) > 1e-6 * Math.Max(1, Math.Abs(exactCost)))
            throw new InvalidOperationException($"internal: {vehicle.Who} costs {exactCost} recomputed but {route.Cost} in the optimizer");
        return new OutRoute
        {
            Vehicle = vehicle, Steps = steps, Cost = (long)Math.Round(exactCost, MidpointRounding.AwayFromZero), Duration = travel, Distance = distance,
            Service = service, Waiting = waiting, Priority = priority, Delivery = delivery, Pickup = pickup,
        };
    }

    private static void Add(long[] sum, int[] amount)
    {
        for (int d = 0; d < amount.Length && d < sum.Length; d++) sum[d] += amount[d];
    }

    private static void WriteRoute(Utf8JsonWriter w, OutRoute r, int dims, bool distances)
    {
        w.WriteStartObject();
        w.WriteNumber("vehicle", r.Vehicle.Id);
        w.WriteNumber("cost", r.Cost);
        if (r.Vehicle.Description is { } description) w.WriteString("description", description);
        if (dims > 0)
        {
            WriteArray(w, "delivery", r.Delivery);
            WriteArray(w, "amount", r.Delivery);
            WriteArray(w, "pickup", r.Pickup);
        }
        w.WriteNumber("setup", 0);
        w.WriteNumber("service", r.Service);
        w.WriteNumber("duration", r.Duration);
        w.WriteNumber("waiting_time", r.Waiting);
        w.WriteNumber("priority", r.Priority);
        if (distances) w.WriteNumber("distance", r.Distance);
        w.WriteStartArray("steps");
        foreach (var s in r.Steps)
        {
            w.WriteStartObject();
            w.WriteString("type", s.Type);
            if (s.Task?.Description is { } stepDescription) w.WriteString("description", stepDescription);
            WritePlace(w, s.Place);
            if (s.Task is { } task) w.WriteNumber("id", task.Id);
            w.WriteNumber("setup", 0);
            w.WriteNumber("service", s.Service);
            w.WriteNumber("waiting_time", s.Waiting);
            if (s.Task is { } job) w.WriteNumber("job", job.Id);   // deprecated copy of id, as VROOM writes it
            if (dims > 0)
            {
                w.WriteStartArray("load");
                for (int d = 0; d < dims; d++) w.WriteNumberValue(d < s.Load.Length ? s.Load[d] : 0);
                w.WriteEndArray();
            }
            w.WriteNumber("arrival", s.Arrival);
            w.WriteNumber("duration", s.Duration);
            WriteNoViolations(w);
            if (distances) w.WriteNumber("distance", s.Distance);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteNoViolations(w);
        w.WriteEndObject();
    }

    private static void WritePlace(Utf8JsonWriter w, VroomPlace place)
    {
        if (place.Coordinates is { } c)
        {
            w.WriteStartArray("location");
            w.WriteNumberValue(c[0]);
            w.WriteNumberValue(c[1]);
            w.WriteEndArray();
        }
        if (place.HasUserIndex) w.WriteNumber("location_index", place.Index);
    }

    private static void WriteArray(Utf8JsonWriter w, string name, long[] values)
    {
        w.WriteStartArray(name);
        foreach (long x in values) w.WriteNumberValue(x);
        w.WriteEndArray();
    }

    private static void WriteNoViolations(Utf8JsonWriter w)
    {
        w.WriteStartArray("violations");
        w.WriteEndArray();
    }

    private static string TypeName(VroomTaskType type) => type switch
    {
        VroomTaskType.Job => "job",
        VroomTaskType.Pickup => "pickup",
        _ => "delivery",
    };

    private static string ReasonDetail(VroomRequest q, UnassignedReason reason)
    {
        static string Win(VroomTask t) => t.Window is { } x ? $"[{x.Start}, {x.End}]" : "(none)";
        string amount = string.Join(", ", (q.IsShipment ? q.DeliveryAmount : q.DeliveryAmount.Any(x => x != 0) ? q.DeliveryAmount : q.PickupAmount)
            .Select(x => x.ToString(CultureInfo.InvariantCulture)));
        return reason switch
        {
            UnassignedReason.CapacityExceeded => $"amount [{amount}] exceeds the capacity of every vehicle",
            UnassignedReason.PickupWindowUnreachable when q.Job is { } job =>
                $"no vehicle can start it within its time window {Win(job)} and its own time_window",
            UnassignedReason.PickupWindowUnreachable =>
                $"no vehicle can start the pickup within its time window {Win(q.Pickup!)} and its own time_window",
            UnassignedReason.DeliveryWindowUnreachable when q.Job is { } job =>
                $"no vehicle can start it within its time window {Win(job)} and its own time_window",
            UnassignedReason.DeliveryWindowUnreachable =>
                $"no vehicle can start the delivery within its time window {Win(q.Delivery!)} after the pickup",
            UnassignedReason.ShiftTooShort => "no vehicle can serve it and still reach its end within its time_window",
            UnassignedReason.FleetExhausted => "a vehicle could serve it alone, but the vehicles given cannot fit it beside the other tasks",
            _ => reason.ToString(),
        };
    }

    private static void CreateFolderOf(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }
}
