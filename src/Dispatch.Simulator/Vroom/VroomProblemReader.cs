using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dispatch.Routing;

namespace Dispatch.Simulator.Vroom;

/// <summary>
/// A VROOM problem file that cannot be solved as given: malformed JSON, a bad value, or a VROOM
/// feature this reader refuses. The message names the JSON item (<c>jobs[3] (id 17)</c>,
/// <c>matrices.car.durations[2][5]</c>) and the field at fault. VROOM reports these with code 2.
/// </summary>
public sealed class VroomInputException : Exception
{
    /// <summary>Creates the exception with a message that names the item and field.</summary>
    public VroomInputException(string message) : base(message) { }

    /// <summary>Creates the exception around the error that caused it.</summary>
    public VroomInputException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>How <see cref="VroomProblemReader"/> fills in what VROOM would ask a router for.</summary>
public sealed record VroomReaderOptions
{
    /// <summary>
    /// Speed (km/h) over the straight-line (great-circle) distance, used only when the problem gives
    /// coordinates and no matrix. VROOM would ask a road router (OSRM, Valhalla, ORS) for the
    /// matrix; this reader has no network, so the straight line at this speed stands in for it.
    /// 30 km/h is a cautious urban figure that partly absorbs the detours of real streets.
    /// </summary>
    public double StraightLineSpeedKmh { get; init; } = 30;
}

/// <summary>What a task is in VROOM's output: a single-location <c>job</c>, or one side of a <c>shipment</c>.</summary>
public enum VroomTaskType
{
    /// <summary>A <c>jobs</c> entry.</summary>
    Job,
    /// <summary>The <c>pickup</c> of a <c>shipments</c> entry.</summary>
    Pickup,
    /// <summary>The <c>delivery</c> of a <c>shipments</c> entry.</summary>
    Delivery,
}

/// <summary>A place as the input gave it: the matrix index used, plus what to echo in the output.</summary>
/// <param name="Index">Row/column in the travel matrix.</param>
/// <param name="Coordinates"><c>[lon, lat]</c> when the input gave them (echoed as <c>location</c>).</param>
/// <param name="HasUserIndex">True when the input gave the index (echoed as <c>location_index</c>).</param>
public sealed record VroomPlace(int Index, double[]? Coordinates, bool HasUserIndex);

/// <summary>A time window in seconds, both ends inclusive, as VROOM defines it.</summary>
public readonly record struct VroomWindow(long Start, long End);

/// <summary>One task: a job, a shipment's pickup or a shipment's delivery, in VROOM units (seconds).</summary>
/// <param name="Type">Job, pickup or delivery.</param>
/// <param name="Id">The task's VROOM id (unique among tasks of the same type).</param>
/// <param name="Description">The input's <c>description</c>, echoed in the output.</param>
/// <param name="Place">Where it happens.</param>
/// <param name="ServiceSeconds">Service duration in seconds.</param>
/// <param name="Window">The window for service start, or null (any time).</param>
/// <param name="Priority">The input's priority (0..100): what to serve first when not everything fits; summed in the output.</param>
/// <param name="Who">The JSON item, for messages: <c>jobs[3] (id 17)</c>, <c>shipments[0].pickup (id 4)</c>.</param>
public sealed record VroomTask(VroomTaskType Type, ulong Id, string? Description, VroomPlace Place, long ServiceSeconds, VroomWindow? Window, int Priority, string Who);

/// <summary>One optimizer request and the VROOM tasks it stands for (a job, or a shipment's two steps).</summary>
/// <param name="Index">Index of the request in <see cref="VroomProblem.Problem"/> (jobs first, then shipments).</param>
/// <param name="Job">The job, or null for a shipment.</param>
/// <param name="Pickup">A shipment's pickup, or null for a job.</param>
/// <param name="Delivery">A shipment's delivery, or null for a job.</param>
/// <param name="DeliveryAmount">Amount delivered (a job's <c>delivery</c>, a shipment's <c>amount</c>), one entry per dimension.</param>
/// <param name="PickupAmount">Amount picked up (a job's <c>pickup</c>, a shipment's <c>amount</c>), one entry per dimension.</param>
/// <param name="Who">The JSON item, for messages.</param>
public sealed record VroomRequest(int Index, VroomTask? Job, VroomTask? Pickup, VroomTask? Delivery, int[] DeliveryAmount, int[] PickupAmount, string Who)
{
    /// <summary>True for a shipment.</summary>
    public bool IsShipment => Job is null;
    /// <summary>The task the optimizer's visit stands for.</summary>
    public VroomTask TaskOf(bool isPickupVisit) => Job ?? (isPickupVisit ? Pickup! : Delivery!);
    /// <summary>The job, or the shipment's pickup then delivery.</summary>
    public IEnumerable<VroomTask> Tasks => Job is not null ? [Job] : [Pickup!, Delivery!];
}

/// <summary>One vehicle in VROOM units.</summary>
/// <param name="Id">The vehicle's VROOM id.</param>
/// <param name="Description">The input's <c>description</c>, echoed in its route.</param>
/// <param name="Start">Where it starts, or null (the route starts at its first task).</param>
/// <param name="End">Where it ends, or null (the route ends at its last task).</param>
/// <param name="Window">Working hours in seconds, or null (any time).</param>
/// <param name="Capacity">Capacity per dimension (empty: unlimited).</param>
/// <param name="FixedCost"><c>costs.fixed</c>.</param>
/// <param name="PerHour"><c>costs.per_hour</c> (cost of one hour of travel; VROOM's default 3600).</param>
/// <param name="PerKm"><c>costs.per_km</c>.</param>
/// <param name="Who">The JSON item, for messages.</param>
public sealed record VroomVehicle(ulong Id, string? Description, VroomPlace? Start, VroomPlace? End, VroomWindow? Window, int[] Capacity, double FixedCost, double PerHour, double PerKm, string Who);

/// <summary>
/// A VROOM problem read into the optimizer's model, with everything needed to answer in VROOM's
/// format: the ids, the places as given, times in seconds and the matrices in seconds and meters.
/// </summary>
public sealed class VroomProblem
{
    private readonly long[] _durations;
    private readonly long[]? _distances;

    internal VroomProblem(RoutingProblem problem, IReadOnlyList<VroomRequest> requests, IReadOnlyList<VroomVehicle> vehicles, int dimensions,
        int locations, long[] durations, long[]? distances, bool fromCoordinates, IReadOnlyList<string> warnings)
    {
        Problem = problem;
        Requests = requests;
        Vehicles = vehicles;
        Dimensions = dimensions;
        Locations = locations;
        _durations = durations;
        _distances = distances;
        FromCoordinates = fromCoordinates;
        Warnings = warnings;
    }

    /// <summary>
    /// The problem for <see cref="RouteOptimizer"/>: times in minutes (seconds / 60), distances in
    /// meters, per-minute cost = per_hour / 60 and per-meter cost = per_km / 1000, so that route
    /// costs come out in VROOM's cost units.
    /// </summary>
    public RoutingProblem Problem { get; }
    /// <summary>Requests by index in <see cref="Problem"/>: the jobs in input order, then the shipments.</summary>
    public IReadOnlyList<VroomRequest> Requests { get; }
    /// <summary>Vehicles by index in <see cref="Problem"/> (input order).</summary>
    public IReadOnlyList<VroomVehicle> Vehicles { get; }
    /// <summary>Amount dimensions (0 when no task has an amount and no vehicle a capacity).</summary>
    public int Dimensions { get; }
    /// <summary>Rows (and columns) of the travel matrix.</summary>
    public int Locations { get; }
    /// <summary>True when distances are known (a distances matrix, or coordinates); VROOM then reports <c>distance</c>.</summary>
    public bool HasDistances => _distances is not null;
    /// <summary>True when the matrix was computed from coordinates (straight line), not given.</summary>
    public bool FromCoordinates { get; }
    /// <summary>Keys ignored and stand-ins used, one sentence each, for the log.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Travel seconds from one matrix index to another.</summary>
    public long DurationSeconds(int from, int to) => _durations[from * Locations + to];

    /// <summary>Meters from one matrix index to another (0 when distances are unknown).</summary>
    public long DistanceMeters(int from, int to) => _distances is null ? 0 : _distances[from * Locations + to];
}

/// <summary>
/// Reads VROOM's problem JSON (docs/API.md of VROOM-Project/vroom) into a <see cref="VroomProblem"/>.
/// Supported: <c>vehicles</c>, <c>jobs</c>, <c>shipments</c>, <c>matrices.car</c> (durations,
/// distances) and the older top-level <c>matrix</c>, or coordinates alone (straight-line stand-in
/// for a router, see <see cref="VroomReaderOptions.StraightLineSpeedKmh"/>). Job and shipment
/// <c>priority</c> decides, as in VROOM, which tasks are left out when not all fit (the highest
/// total priority served first, then the most tasks). Features the optimizer cannot honour (skills, breaks,
/// several time windows, max_tasks, ...) are refused with an error naming the item and key, never
/// silently dropped; unknown keys are ignored as VROOM does, with a warning. Full list:
/// samples/vroom/README.md.
/// </summary>
public static partial class VroomProblemReader
{
    /// <summary>Largest time, duration or distance VROOM accepts (unsigned 32-bit).</summary>
    public const long MaxValue = uint.MaxValue;

    // Windows get this much slack (minutes) in the optimizer: seconds / 60 is inexact in binary, and
    // a sum of such quotients can land an ulp past a window end that the same sum in whole seconds
    // meets exactly. 1e-6 min (60 microseconds) is far below one second, so no whole-second schedule
    // that misses a window is let in.
    private const double WindowSlackMinutes = 1e-6;

    /// <summary>Reads a problem file; I/O errors are reported as input errors naming the path.</summary>
    public static VroomProblem Read(string path, VroomReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new VroomInputException($"cannot read the problem file {path}: {ex.Message}", ex);
        }
        return Parse(bytes, options);
    }

    /// <summary>Reads a problem from JSON text.</summary>
    public static VroomProblem Parse(string json, VroomReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json), options);
    }

    /// <summary>Reads a problem from UTF-8 JSON.</summary>
    public static VroomProblem Parse(ReadOnlyMemory<byte> utf8Json, VroomReaderOptions? options = null)
    {
        options ??= new VroomReaderOptions();
        if (!(options.StraightLineSpeedKmh > 0) || !double.IsFinite(options.StraightLineSpeedKmh))
            throw new ArgumentException($"StraightLineSpeedKmh must be positive and finite, got {options.StraightLineSpeedKmh}", nameof(options));
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new VroomInputException($"the problem is not valid JSON: {ex.Message}", ex);
        }
        using (doc) return new Builder(options).Build(doc.RootElement);
    }

    private sealed class Builder(VroomReaderOptions options)
    {
        private readonly List<string> _warnings = [];
        private int _n;                   // matrix size (matrix mode) or locations so far (coordinates mode)
        private bool _matrixMode;
        private string _matrixName = "";
        private long[] _durations = [];
        private long[]? _distances;
        private readonly List<(double Lon, double Lat)> _points = [];
        private readonly Dictionary<(double, double), int> _pointIndex = [];
        private int _dims;
        private string _dimsWho = "";
        private readonly List<VroomVehicle> _vehicles = [];
        private readonly List<VroomRequest> _requests = [];

        public VroomProblem Build(JsonElement rootElement)
        {
            var root = new Obj(rootElement, "the problem");
            var matrices = root.Get("matrices");
            var matrix = root.Get("matrix");
            var vehicles = root.Get("vehicles");
            var jobs = root.Get("jobs");
            var shipments = root.Get("shipments");
            root.WarnUnused(_warnings);

            if (matrices is not null && matrix is not null)
                throw Err("give either 'matrices' or the older 'matrix', not both");
            if (matrices is { } ms) ReadMatrices(ms);
            else if (matrix is { } m)
            {
                _matrixMode = true;
                _matrixName = "matrix";
                _durations = ReadMatrix(m, "matrix", null, "seconds");
            }

            if (vehicles is not { ValueKind: JsonValueKind.Array } va)
                throw Err(vehicles is null ? "'vehicles' is required" : $"'vehicles' must be an array, got {Show(vehicles.Value)}");
            if (va.GetArrayLength() == 0) throw Err("'vehicles' is empty: at least one vehicle is needed");
            var vehicleIds = new Dictionary<ulong, int>();
            int v = 0;
            foreach (var e in va.EnumerateArray())
            {
                var vehicle = ReadVehicle(e, v);
                if (!vehicleIds.TryAdd(vehicle.Id, v)) throw Err($"{vehicle.Who}: id {vehicle.Id} appears twice (also vehicles[{vehicleIds[vehicle.Id]}])");
                _vehicles.Add(vehicle);
                v++;
            }

            var jobIds = new Dictionary<ulong, int>();
            if (jobs is { } ja)
            {
                if (ja.ValueKind != JsonValueKind.Array) throw Err($"'jobs' must be an array, got {Show(ja)}");
                int j = 0;
                foreach (var e in ja.EnumerateArray())
                {
                    var request = ReadJob(e, j);
                    if (!jobIds.TryAdd(request.Job!.Id, j)) throw Err($"{request.Who}: id {request.Job.Id} appears twice (also jobs[{jobIds[request.Job.Id]}])");
                    _requests.Add(request);
                    j++;
                }
            }
            if (shipments is { } sa)
            {
                if (sa.ValueKind != JsonValueKind.Array) throw Err($"'shipments' must be an array, got {Show(sa)}");
                var pickupIds = new Dictionary<ulong, int>();
                var deliveryIds = new Dictionary<ulong, int>();
                int s = 0;
                foreach (var e in sa.EnumerateArray())
                {
                    var request = ReadShipment(e, s);
                    if (!pickupIds.TryAdd(request.Pickup!.Id, s)) throw Err($"{request.Pickup.Who}: pickup id {request.Pickup.Id} appears twice (also shipments[{pickupIds[request.Pickup.Id]}].pickup)");
                    if (!deliveryIds.TryAdd(request.Delivery!.Id, s)) throw Err($"{request.Delivery.Who}: delivery id {request.Delivery.Id} appears twice (also shipments[{deliveryIds[request.Delivery.Id]}].delivery)");
                    _requests.Add(request);
                    s++;
                }
            }

            if (!_matrixMode) BuildStraightLineMatrix();
            return new VroomProblem(ToRoutingProblem(), _requests, _vehicles, _dims, _n, _durations, _distances, !_matrixMode, _warnings);
        }

        // ---- matrices ------------------------------------------------------------------------

        private void ReadMatrices(JsonElement e)
        {
            var ms = new Obj(e, "matrices");
            foreach (string profile in ms.Keys)
            {
                if (profile != "car")
                    throw Err($"matrices.{profile}: profile '{profile}' is not supported: only the 'car' profile (one matrix for every vehicle); several profiles are not supported");
            }
            var car = ms.Get("car") ?? throw Err("matrices: the 'car' profile is missing");
            var c = new Obj(car, "matrices.car");
            if (c.Get("costs") is not null) throw Err("matrices.car: 'costs' (a custom cost matrix) is not supported; costs come from the vehicles' 'costs' (per_hour, per_km, fixed)");
            var durations = c.Get("durations") ?? throw Err("matrices.car: 'durations' is required (a 'distances' matrix alone is not enough)");
            var distances = c.Get("distances");
            c.WarnUnused(_warnings);
            _matrixMode = true;
            _matrixName = "matrices.car.durations";
            _durations = ReadMatrix(durations, "matrices.car.durations", null, "seconds");
            if (distances is { } d) _distances = ReadMatrix(d, "matrices.car.distances", _n, "meters");
        }

        private long[] ReadMatrix(JsonElement e, string name, int? expectedRows, string unit)
        {
            if (e.ValueKind != JsonValueKind.Array) throw Err($"{name} must be an array of rows, got {Show(e)}");
            int n = e.GetArrayLength();
            if (n == 0) throw Err($"{name} is empty");
            if (expectedRows is { } x && n != x) throw Err($"{name} has {n} rows, expected {x} (the size of {_matrixName})");
            var m = new long[(long)n * n];
            int i = 0;
            foreach (var row in e.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Array) throw Err($"{name} row {i} must be an array, got {Show(row)}");
                int len = row.GetArrayLength();
                if (len != n) throw Err($"{name} row {i} has {len} entries, expected {n}");
                int j = 0;
                foreach (var cell in row.EnumerateArray())
                {
                    m[(long)i * n + j] = Whole(cell, $"{name}[{i}][{j}]", unit);
                    j++;
                }
                i++;
            }
            _n = n;
            return m;
        }

        private static long Whole(JsonElement cell, string where, string unit)
        {
            if (cell.ValueKind != JsonValueKind.Number) throw Err($"{where} must be a number ({unit}), got {Show(cell)}");
            if (cell.TryGetDouble(out double d) && d < 0) throw Err($"{where} is negative ({Show(cell)})");
            if (!cell.TryGetInt64(out long value)) throw Err($"{where} must be a whole number of {unit}, got {Show(cell)}");
            if (value > MaxValue) throw Err($"{where} = {value} is above VROOM's maximum {MaxValue}");
            return value;
        }

        // ---- vehicles ------------------------------------------------------------------------

        private VroomVehicle ReadVehicle(JsonElement e, int v)
        {
            var o = new Obj(e, $"vehicles[{v}]");
            ulong id = ReadId(o);
            o.Who = $"vehicles[{v}] (id {id})";
            string? description = ReadString(o, "description");
            if (o.Get("profile") is { } profile && !(profile.ValueKind == JsonValueKind.String && profile.GetString() == "car"))
                throw Err($"{o.Who}: profile {Show(profile)} is not supported: only 'car' (several profiles are not supported)");
            foreach (string key in new[] { "max_tasks", "max_travel_time", "max_distance" })
                if (o.Get(key) is not null) throw Err($"{o.Who}: '{key}' is not supported");
            RefuseNonEmpty(o, "breaks");
            RefuseNonEmpty(o, "steps", " (vehicle plans: the optimizer builds routes from scratch)");
            if (o.Get("speed_factor") is { } sf && !(sf.ValueKind == JsonValueKind.Number && sf.GetDouble() == 1))
                throw Err($"{o.Who}: 'speed_factor' {Show(sf)} is not supported (only 1: every vehicle uses the same matrix)");
            // No task may require skills (refused below), so vehicle skills constrain nothing.
            if (o.Get("skills") is { } skills && skills.ValueKind != JsonValueKind.Array) throw Err($"{o.Who}: 'skills' must be an array, got {Show(skills)}");
            o.Get("type");   // only matters with tasks' *_per_type, which are refused

            var start = ReadPlace(o, "start", "start_index");
            var end = ReadPlace(o, "end", "end_index");
            if (start is null && end is null) throw Err($"{o.Who}: needs a 'start' or an 'end' ({(_matrixMode ? "start_index / end_index" : "coordinates")})");
            var window = o.Get("time_window") is { } tw ? ReadWindow(tw, o.Who, "time_window") : (VroomWindow?)null;
            int[] capacity = ReadAmount(o, "capacity") ?? [];
            double fixedCost = 0, perHour = 3600, perKm = 0;
            if (o.Get("costs") is { } ce)
            {
                var costs = new Obj(ce, $"{o.Who}: costs");
                fixedCost = ReadCost(costs, "fixed", 0, o.Who);
                perHour = ReadCost(costs, "per_hour", 3600, o.Who);
                perKm = ReadCost(costs, "per_km", 0, o.Who);
                if (ReadCost(costs, "per_task_hour", 0, o.Who) != 0) throw Err($"{o.Who}: 'costs.per_task_hour' is not supported (only 0)");
                costs.WarnUnused(_warnings, $"{o.Who}: costs");
            }
            if (perKm != 0 && _matrixMode && _distances is null)
                throw Err($"{o.Who}: 'costs.per_km' needs distances: give 'matrices.car.distances' (there is no router to ask)");
            o.WarnUnused(_warnings);
            return new VroomVehicle(id, description, start, end, window, capacity, fixedCost, perHour, perKm, o.Who);
        }

        private double ReadCost(Obj o, string key, double fallback, string who)
        {
            if (o.Get(key) is not { } e) return fallback;
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double d) || !double.IsFinite(d))
                throw Err($"{who}: 'costs.{key}' must be a number, got {Show(e)}");
            if (d < 0) throw Err($"{who}: 'costs.{key}' {Show(e)} is negative");
            return d;
        }

        // ---- jobs and shipments --------------------------------------------------------------

        private VroomRequest ReadJob(JsonElement e, int j)
        {
            var o = new Obj(e, $"jobs[{j}]");
            ulong id = ReadId(o);
            o.Who = $"jobs[{j}] (id {id})";
            RefuseTaskExtras(o);
            RefuseNonEmpty(o, "skills");
            if (o.Get("amount") is not null) throw Err($"{o.Who}: 'amount' (deprecated by VROOM for jobs) is not supported: use 'delivery' or 'pickup'");
            int priority = ReadPriority(o);
            var delivery = ReadAmount(o, "delivery");
            var pickup = ReadAmount(o, "pickup");
            if (delivery is not null && pickup is not null && delivery.Any(x => x != 0) && pickup.Any(x => x != 0))
                throw Err($"{o.Who}: both 'delivery' and 'pickup' amounts are non-zero: a job that drops off and collects at once is not supported (make it two jobs)");
            var task = ReadTask(o, VroomTaskType.Job, id, priority);
            o.WarnUnused(_warnings);
            var deliveryAmount = Pad(delivery);
            var pickupAmount = Pad(pickup);
            return new VroomRequest(_requests.Count, task, null, null, deliveryAmount, pickupAmount, o.Who);
        }

        private VroomRequest ReadShipment(JsonElement e, int s)
        {
            var o = new Obj(e, $"shipments[{s}]");
            var pe = o.Get("pickup") ?? throw Err($"shipments[{s}]: 'pickup' is required");
            var de = o.Get("delivery") ?? throw Err($"shipments[{s}]: 'delivery' is required");
            var po = new Obj(pe, $"shipments[{s}].pickup");
            ulong pid = ReadId(po);
            po.Who = $"shipments[{s}].pickup (id {pid})";
            var dobj = new Obj(de, $"shipments[{s}].delivery");
            ulong did = ReadId(dobj);
            dobj.Who = $"shipments[{s}].delivery (id {did})";
            o.Who = $"shipments[{s}] (pickup id {pid}, delivery id {did})";
            RefuseNonEmpty(o, "skills");
            int priority = ReadPriority(o);
            var amount = ReadAmount(o, "amount");
            foreach (var step in new[] { po, dobj })
            {
                RefuseTaskExtras(step);
                foreach (string key in new[] { "amount", "delivery", "pickup", "skills", "priority" })
                    if (step.Get(key) is not null) throw Err($"{step.Who}: '{key}' belongs on the shipment, not on its {(step == po ? "pickup" : "delivery")}");
            }
            var pickup = ReadTask(po, VroomTaskType.Pickup, pid, priority);
            var delivery = ReadTask(dobj, VroomTaskType.Delivery, did, priority);
            po.WarnUnused(_warnings);
            dobj.WarnUnused(_warnings);
            o.WarnUnused(_warnings);
            if (pickup.Window is { } pw && delivery.Window is { } dw && pw.Start > dw.End)
                throw Err($"{o.Who}: the pickup time window opens at {pw.Start}, after the delivery time window closes at {dw.End}");
            var a = Pad(amount);
            return new VroomRequest(_requests.Count, null, pickup, delivery, a, a, o.Who);
        }

        private static void RefuseTaskExtras(Obj o)
        {
            if (o.Get("setup") is { } setup && !(setup.ValueKind == JsonValueKind.Number && setup.TryGetInt64(out long sv) && sv == 0))
                throw Err($"{o.Who}: 'setup' is not supported (only 0; fold it into 'service')");
            foreach (string key in new[] { "setup_per_type", "service_per_type" })
                if (o.Get(key) is not null) throw Err($"{o.Who}: '{key}' is not supported");
        }

        private VroomTask ReadTask(Obj o, VroomTaskType type, ulong id, int priority)
        {
            string? description = ReadString(o, "description");
            var place = ReadPlace(o, "location", "location_index")
                ?? throw Err($"{o.Who}: {(_matrixMode ? "'location_index' is required (a matrix is given)" : "'location' is required (no matrix is given)")}");
            long service = o.Get("service") is { } se ? Whole(se, $"{o.Who}: 'service'", "seconds") : 0;
            VroomWindow? window = null;
            if (o.Get("time_windows") is { } tws)
            {
                if (tws.ValueKind != JsonValueKind.Array) throw Err($"{o.Who}: 'time_windows' must be an array of [start, end] pairs, got {Show(tws)}");
                int count = tws.GetArrayLength();
                if (count == 0) throw Err($"{o.Who}: 'time_windows' is empty (leave it out for no time constraint)");
                if (count > 1) throw Err($"{o.Who}: 'time_windows' has {count} windows: only one time window per task is supported");
                window = ReadWindow(tws[0], o.Who, "time_windows[0]");
            }
            return new VroomTask(type, id, description, place, service, window, priority, o.Who);
        }

        private static int ReadPriority(Obj o)
        {
            if (o.Get("priority") is not { } e) return 0;
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int p) || p < 0 || p > 100)
                throw Err($"{o.Who}: 'priority' must be a whole number from 0 to 100, got {Show(e)}");
            return p;
        }

        // ---- shared fields -------------------------------------------------------------------

        private static ulong ReadId(Obj o)
        {
            var e = o.Get("id") ?? throw Err($"{o.Who}: 'id' is required");
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetUInt64(out ulong id))
                throw Err($"{o.Who}: 'id' must be a non-negative whole number, got {Show(e)}");
            return id;
        }

        private static string? ReadString(Obj o, string key)
        {
            if (o.Get(key) is not { } e) return null;
            if (e.ValueKind != JsonValueKind.String) throw Err($"{o.Who}: '{key}' must be a string, got {Show(e)}");
            return e.GetString();
        }

        private static void RefuseNonEmpty(Obj o, string key, string why = "")
        {
            if (o.Get(key) is not { } e) return;
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() > 0) throw Err($"{o.Who}: '{key}' is not supported{why}");
        }

        private static VroomWindow ReadWindow(JsonElement e, string who, string field)
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2) throw Err($"{who}: {field} must be a [start, end] pair, got {Show(e)}");
            long start = Whole(e[0], $"{who}: {field} start", "seconds");
            long end = Whole(e[1], $"{who}: {field} end", "seconds");
            if (end < start) throw Err($"{who}: {field} end {end} is before start {start}");
            return new VroomWindow(start, end);
        }

        private int[]? ReadAmount(Obj o, string key)
        {
            if (o.Get(key) is not { } e) return null;
            if (e.ValueKind != JsonValueKind.Array) throw Err($"{o.Who}: '{key}' must be an array of whole numbers, got {Show(e)}");
            var a = new int[e.GetArrayLength()];
            for (int d = 0; d < a.Length; d++)
            {
                var x = e[d];
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out long value)) throw Err($"{o.Who}: '{key}'[{d}] must be a whole number, got {Show(x)}");
                if (value < 0) throw Err($"{o.Who}: '{key}'[{d}] = {value} is negative");
                if (value > int.MaxValue) throw Err($"{o.Who}: '{key}'[{d}] = {value} is above {int.MaxValue}");
                a[d] = (int)value;
            }
            if (a.Length > 0)
            {
                if (_dims == 0) { _dims = a.Length; _dimsWho = $"{o.Who} '{key}'"; }
                else if (a.Length != _dims)
                    throw Err($"{o.Who}: '{key}' has {a.Length} dimensions, but {_dimsWho} has {_dims}: every amount and capacity must have the same length");
            }
            return a;
        }

        private static int[] Pad(int[]? a) => a is { Length: > 0 } ? a : [];

        private VroomPlace? ReadPlace(Obj o, string coordKey, string indexKey)
        {
            var ce = o.Get(coordKey);
            var ie = o.Get(indexKey);
            double[]? coords = null;
            if (ce is { } c)
            {
                if (c.ValueKind != JsonValueKind.Array || c.GetArrayLength() != 2 || c[0].ValueKind != JsonValueKind.Number || c[1].ValueKind != JsonValueKind.Number)
                    throw Err($"{o.Who}: '{coordKey}' must be a [lon, lat] pair of numbers, got {Show(c)}");
                double lon = c[0].GetDouble(), lat = c[1].GetDouble();
                if (!(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90))
                    throw Err($"{o.Who}: '{coordKey}' [{lon.ToString(CultureInfo.InvariantCulture)}, {lat.ToString(CultureInfo.InvariantCulture)}] is not a [lon, lat] pair (lon in -180..180, lat in -90..90)");
                coords = [lon, lat];
            }
            if (_matrixMode)
            {
                if (ie is not { } i)
                {
                    if (coords is not null) throw Err($"{o.Who}: '{coordKey}' coordinates need '{indexKey}' when a matrix is given");
                    return null;
                }
                if (i.ValueKind != JsonValueKind.Number || !i.TryGetInt64(out long index) || index < 0)
                    throw Err($"{o.Who}: '{indexKey}' must be a non-negative whole number, got {Show(i)}");
                if (index >= _n) throw Err($"{o.Who}: {indexKey} {index} is not in the {_n}x{_n} matrix");
                return new VroomPlace((int)index, coords, true);
            }
            if (coords is null)
            {
                if (ie is not null) throw Err($"{o.Who}: '{indexKey}' needs a matrix ('matrices.car.durations' or 'matrix'), and none is given");
                return null;
            }
            if (ie is not null) _warnings.Add($"{o.Who}: '{indexKey}' ignored: no matrix is given, so '{coordKey}' is used");
            var key = (coords[0], coords[1]);
            if (!_pointIndex.TryGetValue(key, out int at))
            {
                at = _points.Count;
                _points.Add(key);
                _pointIndex.Add(key, at);
            }
            return new VroomPlace(at, coords, false);
        }

        // ---- coordinates without a matrix ----------------------------------------------------

        private void BuildStraightLineMatrix()
        {
            int n = _points.Count;
            if (n == 0) throw Err("no locations: give coordinates ('location', 'start', 'end') or a matrix");
            double metersPerSecond = options.StraightLineSpeedKmh / 3.6;
            _n = n;
            _durations = new long[n * n];
            _distances = new long[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double meters = HaversineMeters(_points[i].Lon, _points[i].Lat, _points[j].Lon, _points[j].Lat);
                    _distances[i * n + j] = (long)Math.Round(meters);
                    _durations[i * n + j] = (long)Math.Round(meters / metersPerSecond);
                }
            }
            _warnings.Add($"no matrix given: travel is the straight-line (great-circle) distance at {options.StraightLineSpeedKmh.ToString(CultureInfo.InvariantCulture)} km/h, a stand-in for the road router VROOM would ask; give 'matrices.car.durations' (and 'distances') from your router for road times");
        }

        // ---- to the optimizer's model --------------------------------------------------------

        private RoutingProblem ToRoutingProblem()
        {
            var dur = new double[_durations.Length];
            for (int k = 0; k < dur.Length; k++) dur[k] = _durations[k] / 60.0;
            TravelMatrix matrix;
            if (_distances is null) matrix = TravelMatrix.FromMatrices(_n, dur);
            else
            {
                var dist = new double[_distances.Length];
                for (int k = 0; k < dist.Length; k++) dist[k] = _distances[k];
                matrix = TravelMatrix.FromMatrices(_n, dur, dist);
            }

            var requests = new List<RoutingRequest>(_requests.Count);
            foreach (var q in _requests)
            {
                if (q.Job is { } job)
                {
                    // VROOM: delivery amounts are loaded at the start, pickup amounts carried to the end.
                    bool pickup = q.PickupAmount.Any(x => x != 0);
                    requests.Add(pickup
                        ? new RoutingRequest(q.Index, job.Place.Index, -1) { PickupWindow = Window(job.Window), PickupServiceMinutes = job.ServiceSeconds / 60.0, Amount = q.PickupAmount, Priority = job.Priority }
                        : new RoutingRequest(q.Index, -1, job.Place.Index) { DeliveryWindow = Window(job.Window), DeliveryServiceMinutes = job.ServiceSeconds / 60.0, Amount = q.DeliveryAmount, Priority = job.Priority });
                }
                else
                {
                    requests.Add(new RoutingRequest(q.Index, q.Pickup!.Place.Index, q.Delivery!.Place.Index)
                    {
                        PickupWindow = Window(q.Pickup.Window),
                        DeliveryWindow = Window(q.Delivery.Window),
                        PickupServiceMinutes = q.Pickup.ServiceSeconds / 60.0,
                        DeliveryServiceMinutes = q.Delivery.ServiceSeconds / 60.0,
                        Amount = q.DeliveryAmount,
                        // VROOM sums priority per task, so a shipment's counts at both of its steps.
                        Priority = 2 * q.Pickup.Priority,
                    });
                }
            }
            var vehicles = new List<RoutingVehicle>(_vehicles.Count);
            for (int v = 0; v < _vehicles.Count; v++)
            {
                var k = _vehicles[v];
                vehicles.Add(new RoutingVehicle(v)
                {
                    StartLocation = k.Start?.Index ?? -1,
                    EndLocation = k.End?.Index ?? -1,
                    Shift = Window(k.Window),
                    Capacity = k.Capacity,
                    FixedCost = k.FixedCost,
                    CostPerMinute = k.PerHour / 60,
                    CostPerDistance = k.PerKm / 1000,
                });
            }
            try
            {
                return new RoutingProblem(matrix, requests, vehicles);
            }
            catch (DispatchException ex)
            {
                // Everything Core checks is checked above; should one slip through, name the JSON item.
                string message = RequestRef().Replace(ex.Message, m => _requests[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)].Who);
                message = VehicleRef().Replace(message, m => _vehicles[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)].Who);
                throw new VroomInputException(message + " (times in minutes)", ex);
            }
        }

        private static TimeWindow Window(VroomWindow? w) =>
            w is { } x ? new TimeWindow(x.Start / 60.0, x.End / 60.0 + WindowSlackMinutes) : TimeWindow.Always;
    }

    /// <summary>Great-circle distance in meters between two points given in degrees (mean Earth radius 6,371,008.8 m).</summary>
    public static double HaversineMeters(double lon1, double lat1, double lon2, double lat2)
    {
        const double R = 6_371_008.8;
        const double toRad = Math.PI / 180;
        double dLat = (lat2 - lat1) * toRad, dLon = (lon2 - lon1) * toRad;
        double h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1 * toRad) * Math.Cos(lat2 * toRad) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    [GeneratedRegex(@"request -?\d+ \(index (\d+)\)")]
    private static partial Regex RequestRef();

    [GeneratedRegex(@"vehicle -?\d+ \(index (\d+)\)")]
    private static partial Regex VehicleRef();

    private static VroomInputException Err(string message) => new(message);

    private static string Show(JsonElement e)
    {
        string raw = e.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => e.GetArrayLength() <= 4 ? e.GetRawText() : $"an array of {e.GetArrayLength()}",
            _ => e.GetRawText(),
        };
        return raw.Length <= 60 ? raw : raw[..57] + "...";
    }

    /// <summary>A JSON object read key by key: duplicate keys refused, unread keys reported.</summary>
    private sealed class Obj
    {
        private readonly Dictionary<string, JsonElement> _props = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public Obj(JsonElement e, string who)
        {
            Who = who;
            if (e.ValueKind != JsonValueKind.Object) throw Err($"{who} must be an object, got {Show(e)}");
            foreach (var p in e.EnumerateObject())
            {
                if (!_props.TryAdd(p.Name, p.Value)) throw Err($"{who}: key '{p.Name}' appears twice");
                _order.Add(p.Name);
            }
        }

        public string Who { get; set; }

        public IReadOnlyList<string> Keys => _order;

        public JsonElement? Get(string key)
        {
            if (!_props.TryGetValue(key, out var v)) return null;
            _used.Add(key);
            return v;
        }

        public void WarnUnused(List<string> warnings, string? who = null)
        {
            foreach (string key in _order)
                if (!_used.Contains(key)) warnings.Add($"{who ?? Who}: unknown key '{key}' ignored");
        }
    }
}
