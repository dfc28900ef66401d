using System.Text.Json;

namespace Dispatch.Simulator.Tests.Vroom;

/// <summary>
/// An independent check of a solution JSON against VROOM's documented output (docs/API.md,
/// "Output") and against the problem JSON it answers, read here without the project's reader:
/// required keys and types at every level, steps from "start" to "end", times and loads that add
/// up along each route, windows and capacities kept, every task exactly once, shipments picked up
/// before they are delivered on the same route. Returns every violation found (empty: valid).
/// </summary>
internal static class VroomOutputValidator
{
    private sealed record TaskInfo(string Type, ulong Id, int? Location, long Service, long[]? Window, long[] Delivery, long[] Pickup, int ShipmentIndex);

    private sealed record Vehicle(ulong Id, int? Start, int? End, long[]? Window, long[]? Capacity, double Fixed, double PerHour, double PerKm);

    public static List<string> Validate(string problemJson, string solutionJson)
    {
        var errors = new List<string>();
        using var input = JsonDocument.Parse(problemJson);
        using var output = JsonDocument.Parse(solutionJson);
        var p = input.RootElement;
        var o = output.RootElement;

        // ---- the problem, read independently ----
        JsonElement? durations = null, distances = null;
        if (p.TryGetProperty("matrices", out var ms))
        {
            durations = ms.GetProperty("car").GetProperty("durations");
            if (ms.GetProperty("car").TryGetProperty("distances", out var d)) distances = d;
        }
        else if (p.TryGetProperty("matrix", out var m)) durations = m;
        bool distancesKnown = distances is not null || durations is null;   // coordinates only: straight-line distances
        var vehicles = new Dictionary<ulong, Vehicle>();
        foreach (var v in p.GetProperty("vehicles").EnumerateArray())
        {
            double fixedCost = 0, perHour = 3600, perKm = 0;
            if (v.TryGetProperty("costs", out var c))
            {
                if (c.TryGetProperty("fixed", out var f)) fixedCost = f.GetDouble();
                if (c.TryGetProperty("per_hour", out var h)) perHour = h.GetDouble();
                if (c.TryGetProperty("per_km", out var k)) perKm = k.GetDouble();
            }
            vehicles.Add(v.GetProperty("id").GetUInt64(), new Vehicle(v.GetProperty("id").GetUInt64(), OptInt(v, "start_index"), OptInt(v, "end_index"),
                OptLongs(v, "time_window"), OptLongs(v, "capacity"), fixedCost, perHour, perKm));
        }
        int dims = 0;
        foreach (var v in vehicles.Values) dims = Math.Max(dims, v.Capacity?.Length ?? 0);
        var tasks = new Dictionary<(string, ulong), TaskInfo>();
        if (p.TryGetProperty("jobs", out var jobs))
        {
            foreach (var j in jobs.EnumerateArray())
            {
                var delivery = OptLongs(j, "delivery") ?? [];
                var pickup = OptLongs(j, "pickup") ?? [];
                dims = Math.Max(dims, Math.Max(delivery.Length, pickup.Length));
                tasks.Add(("job", j.GetProperty("id").GetUInt64()), new TaskInfo("job", j.GetProperty("id").GetUInt64(), OptInt(j, "location_index"),
                    OptLong(j, "service") ?? 0, Window(j), delivery, pickup, -1));
            }
        }
        int shipmentCount = 0;
        if (p.TryGetProperty("shipments", out var shipments))
        {
            foreach (var s in shipments.EnumerateArray())
            {
                var amount = OptLongs(s, "amount") ?? [];
                dims = Math.Max(dims, amount.Length);
                var pu = s.GetProperty("pickup");
                var de = s.GetProperty("delivery");
                tasks.Add(("pickup", pu.GetProperty("id").GetUInt64()), new TaskInfo("pickup", pu.GetProperty("id").GetUInt64(), OptInt(pu, "location_index"),
                    OptLong(pu, "service") ?? 0, Window(pu), [], amount, shipmentCount));
                tasks.Add(("delivery", de.GetProperty("id").GetUInt64()), new TaskInfo("delivery", de.GetProperty("id").GetUInt64(), OptInt(de, "location_index"),
                    OptLong(de, "service") ?? 0, Window(de), amount, [], shipmentCount));
                shipmentCount++;
            }
        }

        // ---- top level ----
        if (!Int(o, "code", "solution", errors, out long code) || code != 0) errors.Add($"solution: code is not 0");
        if (!Obj(o, "summary", "solution", errors, out var summary)) return errors;
        if (!Arr(o, "unassigned", "solution", errors, out var unassigned)) return errors;
        if (!Arr(o, "routes", "solution", errors, out var routes)) return errors;

        var seen = new Dictionary<(string, ulong), int>();
        void See(string type, ulong id, string where)
        {
            if (!tasks.ContainsKey((type, id))) errors.Add($"{where}: {type} {id} is not in the problem");
            seen[(type, id)] = seen.GetValueOrDefault((type, id)) + 1;
        }

        // ---- unassigned ----
        int u = 0;
        var unassignedShipments = new Dictionary<int, int>();
        foreach (var x in unassigned.EnumerateArray())
        {
            string where = $"unassigned[{u++}]";
            Int(x, "id", where, errors, out long id);
            if (!Str(x, "type", where, errors, out string type) || type is not ("job" or "pickup" or "delivery")) errors.Add($"{where}: type '{type}' is not job, pickup or delivery");
            if (!Str(x, "reason", where, errors, out string reason) || reason.Length == 0) errors.Add($"{where}: no reason");
            See(type, (ulong)id, where);
            if (tasks.TryGetValue((type, (ulong)id), out var t) && t.ShipmentIndex >= 0)
                unassignedShipments[t.ShipmentIndex] = unassignedShipments.GetValueOrDefault(t.ShipmentIndex) + 1;
        }
        foreach (var (shipment, count) in unassignedShipments)
            if (count != 2) errors.Add($"shipment {shipment}: only one of its pickup and delivery is unassigned");

        // ---- routes and steps ----
        long sumCost = 0, sumDuration = 0, sumService = 0, sumWaiting = 0, sumDistance = 0;
        var sumDelivery = new long[dims];
        var sumPickup = new long[dims];
        var usedVehicles = new HashSet<ulong>();
        int r = 0;
        foreach (var route in routes.EnumerateArray())
        {
            string rw = $"routes[{r++}]";
            Int(route, "vehicle", rw, errors, out long vid);
            if (!vehicles.TryGetValue((ulong)vid, out var vehicle)) { errors.Add($"{rw}: vehicle {vid} is not in the problem"); continue; }
            if (!usedVehicles.Add(vehicle.Id)) errors.Add($"{rw}: vehicle {vid} has two routes");
            foreach (string key in new[] { "cost", "setup", "service", "duration", "waiting_time", "priority" }) Int(route, key, rw, errors, out _);
            Arr(route, "violations", rw, errors, out _);
            if (distancesKnown) Int(route, "distance", rw, errors, out _);
            if (!Arr(route, "steps", rw, errors, out var steps)) continue;
            var list = steps.EnumerateArray().ToList();
            if (list.Count < 3) errors.Add($"{rw}: {list.Count} steps, expected start, at least one task, end");
            if (list.Count == 0) continue;

            long[] routeDelivery = new long[dims], routePickup = new long[dims];
            long[] load = new long[dims];
            var pickedOnRoute = new HashSet<int>();
            long prevArrival = long.MinValue, prevDuration = 0, prevDistance = 0, prevLeave = 0, service = 0, waiting = 0;
            int? prevLocation = vehicle.Start;
            // Start load: every job delivery on the route.
            foreach (var s in list)
            {
                if (s.TryGetProperty("type", out var ty) && ty.GetString() == "job" && s.TryGetProperty("id", out var sid) && tasks.TryGetValue(("job", sid.GetUInt64()), out var jt))
                    for (int d = 0; d < jt.Delivery.Length; d++) load[d] += jt.Delivery[d];
            }
            for (int k = 0; k < list.Count; k++)
            {
                var s = list[k];
                string sw = $"{rw}.steps[{k}]";
                if (!Str(s, "type", sw, errors, out string type)) continue;
                bool isStart = type == "start", isEnd = type == "end";
                if (k == 0 && !isStart) errors.Add($"{sw}: the first step is '{type}', not 'start'");
                if (k == list.Count - 1 && !isEnd) errors.Add($"{sw}: the last step is '{type}', not 'end'");
                if (k > 0 && k < list.Count - 1 && type is not ("job" or "pickup" or "delivery")) errors.Add($"{sw}: type '{type}' in the middle of the route");
                Int(s, "arrival", sw, errors, out long arrival);
                Int(s, "duration", sw, errors, out long duration);
                Int(s, "setup", sw, errors, out _);
                Int(s, "service", sw, errors, out long stepService);
                Int(s, "waiting_time", sw, errors, out long wait);
                Arr(s, "violations", sw, errors, out _);
                long stepDistance = 0;
                if (distancesKnown) Int(s, "distance", sw, errors, out stepDistance);
                if (arrival < prevArrival) errors.Add($"{sw}: arrival {arrival} is before the previous step's {prevArrival}");
                if (duration < prevDuration) errors.Add($"{sw}: cumulative duration {duration} went down from {prevDuration}");
                if (wait < 0) errors.Add($"{sw}: negative waiting_time {wait}");

                TaskInfo? task = null;
                if (!isStart && !isEnd && Int(s, "id", sw, errors, out long id))
                {
                    See(type, (ulong)id, sw);
                    tasks.TryGetValue((type, (ulong)id), out task);
                }
                int? location = isStart ? vehicle.Start : isEnd ? vehicle.End : task?.Location;
                if (durations is { } dm)
                {
                    // Travel from the previous place; a route without a start (end) begins (ends) at its first (last) task.
                    bool noTravel = isStart || (isEnd && vehicle.End is null) || prevLocation is null || location is null;
                    long travel = noTravel ? 0 : dm[prevLocation!.Value][location!.Value].GetInt64();
                    if (duration - prevDuration != travel) errors.Add($"{sw}: duration grew by {duration - prevDuration}, the matrix says {travel}");
                    if (distances is { } dd && distancesKnown)
                    {
                        long leg = noTravel ? 0 : dd[prevLocation!.Value][location!.Value].GetInt64();
                        if (stepDistance - prevDistance != leg) errors.Add($"{sw}: distance grew by {stepDistance - prevDistance}, the matrix says {leg}");
                    }
                    if (!isStart && arrival != prevLeave + travel) errors.Add($"{sw}: arrival {arrival}, expected {prevLeave} + travel {travel}");
                    if (location is int li && s.TryGetProperty("location_index", out var oli) && oli.GetInt32() != li)
                        errors.Add($"{sw}: location_index {oli.GetInt32()}, expected {li}");
                }
                if (isStart && vehicle.Window is { } vs && arrival < vs[0]) errors.Add($"{sw}: leaves at {arrival}, before the vehicle's time_window opens at {vs[0]}");
                if (isEnd && vehicle.Window is { } ve && arrival > ve[1]) errors.Add($"{sw}: ends at {arrival}, after the vehicle's time_window closes at {ve[1]}");
                long serviceStart = arrival + wait;
                if (task is not null)
                {
                    if (stepService != task.Service) errors.Add($"{sw}: service {stepService}, the problem says {task.Service}");
                    if (task.Window is { } tw)
                    {
                        if (serviceStart < tw[0] || serviceStart > tw[1]) errors.Add($"{sw}: service starts at {serviceStart}, outside its time window [{tw[0]}, {tw[1]}]");
                        if (serviceStart != Math.Max(arrival, tw[0])) errors.Add($"{sw}: waits {wait} after arriving at {arrival} for a window opening at {tw[0]}");
                    }
                    else if (wait != 0) errors.Add($"{sw}: waits {wait} with no time window");
                    for (int d = 0; d < dims; d++)
                    {
                        long add = d < task.Pickup.Length ? task.Pickup[d] : 0, sub = d < task.Delivery.Length ? task.Delivery[d] : 0;
                        load[d] += add - sub;
                        routePickup[d] += add;
                        routeDelivery[d] += sub;
                    }
                    if (task.Type == "pickup") pickedOnRoute.Add(task.ShipmentIndex);
                    if (task.Type == "delivery" && !pickedOnRoute.Contains(task.ShipmentIndex))
                        errors.Add($"{sw}: delivery {task.Id} before (or without) its pickup on this route");
                }
                if (dims > 0)
                {
                    if (!s.TryGetProperty("load", out var le) || le.ValueKind != JsonValueKind.Array || le.GetArrayLength() != dims)
                        errors.Add($"{sw}: 'load' missing or not {dims} numbers");
                    else
                    {
                        for (int d = 0; d < dims; d++)
                        {
                            long value = le[d].GetInt64();
                            if (value != load[d]) errors.Add($"{sw}: load[{d}] = {value}, expected {load[d]}");
                            if (value < 0) errors.Add($"{sw}: load[{d}] = {value} is negative");
                            if (vehicle.Capacity is { Length: > 0 } cap && value > cap[d]) errors.Add($"{sw}: load[{d}] = {value} exceeds the capacity {cap[d]}");
                        }
                    }
                }
                prevArrival = arrival;
                prevDuration = duration;
                prevDistance = stepDistance;
                prevLeave = isStart ? arrival : serviceStart + stepService;
                if (location is not null) prevLocation = location;
                service += stepService;
                waiting += wait;
            }
            if (list.Count > 0)
            {
                long lastDuration = list[^1].GetProperty("duration").GetInt64();
                if (route.GetProperty("duration").GetInt64() != lastDuration) errors.Add($"{rw}: duration {route.GetProperty("duration")} is not the last step's {lastDuration}");
                if (route.GetProperty("service").GetInt64() != service) errors.Add($"{rw}: service {route.GetProperty("service")} is not the steps' sum {service}");
                if (route.GetProperty("waiting_time").GetInt64() != waiting) errors.Add($"{rw}: waiting_time {route.GetProperty("waiting_time")} is not the steps' sum {waiting}");
                long routeDistance = distancesKnown ? route.GetProperty("distance").GetInt64() : 0;
                if (distancesKnown && list[^1].GetProperty("distance").GetInt64() != routeDistance) errors.Add($"{rw}: distance is not the last step's");
                double expectedCost = vehicle.Fixed + vehicle.PerHour * lastDuration / 3600.0 + vehicle.PerKm * routeDistance / 1000.0;
                long cost = route.GetProperty("cost").GetInt64();
                if (Math.Abs(cost - expectedCost) > 1) errors.Add($"{rw}: cost {cost}, expected {expectedCost} from the vehicle's costs");
                sumCost += cost;
                sumDuration += lastDuration;
                sumService += service;
                sumWaiting += waiting;
                sumDistance += routeDistance;
            }
            if (dims > 0)
            {
                CheckAmounts(route, "delivery", routeDelivery, rw, errors);
                CheckAmounts(route, "pickup", routePickup, rw, errors);
                for (int d = 0; d < dims; d++) { sumDelivery[d] += routeDelivery[d]; sumPickup[d] += routePickup[d]; }
            }
        }

        // ---- coverage ----
        foreach (var key in tasks.Keys)
        {
            int n = seen.GetValueOrDefault(key);
            if (n != 1) errors.Add($"{key.Item1} {key.Item2} appears {n} times across routes and unassigned, expected once");
        }

        // ---- summary ----
        foreach (string key in new[] { "cost", "routes", "unassigned", "setup", "service", "duration", "waiting_time", "priority" }) Int(summary, key, "summary", errors, out _);
        Arr(summary, "violations", "summary", errors, out _);
        if (Obj(summary, "computing_times", "summary", errors, out var ct))
        {
            Int(ct, "loading", "summary.computing_times", errors, out _);
            Int(ct, "solving", "summary.computing_times", errors, out _);
        }
        Expect(summary, "cost", sumCost, errors);
        Expect(summary, "routes", routes.GetArrayLength(), errors);
        Expect(summary, "unassigned", unassigned.GetArrayLength(), errors);
        Expect(summary, "duration", sumDuration, errors);
        Expect(summary, "service", sumService, errors);
        Expect(summary, "waiting_time", sumWaiting, errors);
        if (distancesKnown) Expect(summary, "distance", sumDistance, errors);
        else if (summary.TryGetProperty("distance", out _)) errors.Add("summary: distance given though no distances are known");
        if (dims > 0)
        {
            CheckAmounts(summary, "delivery", sumDelivery, "summary", errors);
            CheckAmounts(summary, "pickup", sumPickup, "summary", errors);
        }
        return errors;
    }

    private static void CheckAmounts(JsonElement e, string key, long[] expected, string where, List<string> errors)
    {
        if (!e.TryGetProperty(key, out var a) || a.ValueKind != JsonValueKind.Array) { errors.Add($"{where}: '{key}' missing"); return; }
        var got = a.EnumerateArray().Select(x => x.GetInt64()).ToArray();
        if (!got.SequenceEqual(expected)) errors.Add($"{where}: {key} [{string.Join(", ", got)}], expected [{string.Join(", ", expected)}]");
    }

    private static void Expect(JsonElement e, string key, long expected, List<string> errors)
    {
        if (e.TryGetProperty(key, out var x) && x.ValueKind == JsonValueKind.Number && x.GetInt64() != expected)
            errors.Add($"summary: {key} {x.GetInt64()}, expected {expected} (the routes' total)");
    }

    private static bool Int(JsonElement e, string key, string where, List<string> errors, out long value)
    {
        value = 0;
        if (!e.TryGetProperty(key, out var x)) { errors.Add($"{where}: '{key}' missing"); return false; }
        if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out value)) { errors.Add($"{where}: '{key}' is not an integer: {x.GetRawText()}"); return false; }
        return true;
    }

    private static bool Str(JsonElement e, string key, string where, List<string> errors, out string value)
    {
        value = "";
        if (!e.TryGetProperty(key, out var x) || x.ValueKind != JsonValueKind.String) { errors.Add($"{where}: '{key}' missing or not a string"); return false; }
        value = x.GetString()!;
        return true;
    }

    private static bool Arr(JsonElement e, string key, string where, List<string> errors, out JsonElement value)
    {
        if (!e.TryGetProperty(key, out value) || value.ValueKind != JsonValueKind.Array) { errors.Add($"{where}: '{key}' missing or not an array"); return false; }
        return true;
    }

    private static bool Obj(JsonElement e, string key, string where, List<string> errors, out JsonElement value)
    {
        if (!e.TryGetProperty(key, out value) || value.ValueKind != JsonValueKind.Object) { errors.Add($"{where}: '{key}' missing or not an object"); return false; }
        return true;
    }

    private static int? OptInt(JsonElement e, string key) => e.TryGetProperty(key, out var x) ? x.GetInt32() : null;
    private static long? OptLong(JsonElement e, string key) => e.TryGetProperty(key, out var x) ? x.GetInt64() : null;
    private static long[]? OptLongs(JsonElement e, string key) => e.TryGetProperty(key, out var x) ? x.EnumerateArray().Select(y => y.GetInt64()).ToArray() : null;
    private static long[]? Window(JsonElement e) => e.TryGetProperty("time_windows", out var x) ? x[0].EnumerateArray().Select(y => y.GetInt64()).ToArray() : null;
}
