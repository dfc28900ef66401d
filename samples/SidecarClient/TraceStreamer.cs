using System.Collections.Concurrent;
using System.Diagnostics;
using Dispatch.Client;
using Dispatch.Client.Following;
using Dispatch.Protocol;

namespace SidecarClient;

/// <summary>
/// Streams a trace to a manual-clock server in accelerated time and plays the courier fleet: every
/// simulated minute it confirms the pickups and drop-offs that fall due (at the times the pushed
/// plans say; MDRP couriers follow instructions), places the orders of that minute, then sends
/// Tick(minute) and waits for its Ack, by which time every assignment of that tick has arrived.
/// Events are pipelined; only the tick is a round trip. Which stops fall due when is the client library's
/// <see cref="PlanFollower"/> (a stop at the time of the latest plan that names it; an order released or cancelled loses
/// its stops). The other plan changes (reassigned, resequenced, ETA changed, re-quoted) leave the order with its courier,
/// and this fleet keeps the assignment's drop-off time through an ETA change (a fleet that follows those calls
/// <see cref="PlanFollower.Retime"/>).
/// </summary>
internal sealed class TraceStreamer(MdrpTrace trace, DispatchClient client, double speed, TextWriter output)
{
    private readonly ConcurrentQueue<ServerMessage> _pushes = new();
    private readonly PlanFollower _plans = new();
    private readonly HashSet<long> _assigned = new();
    private readonly List<Task<ServerMessage>> _requests = new();
    private readonly Dictionary<long, string> _orderNames = trace.Orders.ToDictionary(o => o.Id, o => o.Name);
    private readonly Dictionary<long, string> _courierNames = trace.Couriers.ToDictionary(c => c.Id, c => c.Name);
    private readonly Dictionary<long, string> _siteNames = trace.Restaurants.ToDictionary(s => s.Id, s => s.Name);
    private int _inFlight, _assignments, _delivered;

    public async Task<int> RunAsync()
    {
        var wall = Stopwatch.StartNew();
        client.PushReceived += _pushes.Enqueue;
        var orders = trace.Orders.OrderBy(o => o.Placement).ThenBy(o => o.Id).ToArray();
        double start = Math.Min(orders.Length == 0 ? 0 : orders[0].Placement, trace.Couriers.Length == 0 ? 0 : trace.Couriers.Min(c => c.OnTime));
        double lastPlacement = orders.Length == 0 ? start : orders[^1].Placement;
        double lastShiftEnd = trace.Couriers.Length == 0 ? start : trace.Couriers.Max(c => c.OffTime);
        start = Math.Floor(start);

        foreach (var s in trace.Restaurants) Send(Command.AddSite(0, s.Id, s.X, s.Y));
        foreach (var c in trace.Couriers) Send(Command.CourierOnShift(0, c.Id, c.X, c.Y, c.OnTime, c.OffTime));

        int next = 0;
        int tickErrors = 0;
        for (double t = start; ; t += 1)
        {
            DrainPushes(t);
            // Stops done since the last tick: a confirmation carries the time it happened, which may not be later
            // than the server's now (the last tick), so those of the minute ending at t follow Tick(t) below.
            ConfirmDue(t - 1);
            for (; next < orders.Length && orders[next].Placement <= t; next++)
            {
                var o = orders[next];
                Send(Command.PlaceOrder(0, o.Id, o.SiteId, o.X, o.Y, o.Placement, o.Ready));
            }

            var tick = await client.RequestAsync(Command.Tick(0, t));
            if (tick is ErrorMessage e)
            {
                output.WriteLine($"tick {t} refused: {e.Code}: {e.Message}");
                if (++tickErrors >= 3) break;
            }
            DrainPushes(t);

            int open = next - _assigned.Count; // _assigned keeps delivered orders; released ones left it
            bool allPlaced = next == orders.Length && t >= lastPlacement;
            bool nothingInFlight = _inFlight == 0 && _plans.Queued == 0;
            if (allPlaced && nothingInFlight && (open <= 0 || t >= lastShiftEnd)) break;
            if (t > lastShiftEnd + 24 * 60) { output.WriteLine("giving up: a day past the last shift end"); break; }
            if (speed > 0)
            {
                // --speed N: N simulated minutes per wall second.
                var target = TimeSpan.FromSeconds((t - start + 1) / speed);
                if (target > wall.Elapsed) await Task.Delay(target - wall.Elapsed);
            }
        }

        // Exit only once every command has its reply.
        await Task.WhenAll(_requests);
        int errors = 0;
        foreach (var r in _requests)
        {
            if (r.Result is ErrorMessage err)
            {
                errors++;
                if (errors <= 20) output.WriteLine($"error: {err.Code}: {err.Message}");
            }
        }
        output.WriteLine($"done in {wall.Elapsed.TotalSeconds:F1} s: {_requests.Count} commands acknowledged ({errors} refused), {_assignments} assignments, {_delivered} orders delivered of {orders.Length}");
        return errors == 0 ? 0 : 1;
    }

    private void Send(in Command command) => _requests.Add(client.RequestAsync(command));

    /// <summary>Confirms every planned stop due at or before <paramref name="upTo"/> at its planned time.</summary>
    private void ConfirmDue(double upTo)
    {
        while (_plans.TryTakeDue(upTo, out var stop))
        {
            if (stop.Kind == WireStopKind.Pickup) Send(Command.ConfirmPickup(0, stop.OrderId, stop.At));
            else
            {
                Send(Command.ConfirmDropoff(0, stop.OrderId, stop.At));
                _inFlight--;
                _delivered++;
            }
        }
    }

    private void DrainPushes(double t)
    {
        while (_pushes.TryDequeue(out var m))
        {
            switch (m)
            {
                case AssignmentMessage a:
                {
                    _assignments++;
                    var pickups = a.Stops.Where(s => s.Kind == WireStopKind.Pickup).ToArray();
                    var drops = a.Stops.Where(s => s.Kind == WireStopKind.Dropoff).ToArray();
                    _plans.Follow(a);
                    foreach (var s in pickups)
                        if (_assigned.Add(s.OrderId)) _inFlight++;
                    string site = pickups.Length > 0 ? Name(_siteNames, pickups[0].SiteId) : "?";
                    output.WriteLine($"[{a.AssignedAt,7:F1}] courier {Name(_courierNames, a.CourierId)} <- {site}: " +
                        string.Join(", ", drops.Select(d => Name(_orderNames, d.OrderId))) +
                        (pickups.Length > 0 ? $" (pickup {pickups[0].ServiceAt:F1}" : " (") + (drops.Length > 0 ? $", last drop-off {drops[^1].ServiceAt:F1})" : ")"));
                    break;
                }
                case PlanChangeMessage p:
                    output.WriteLine($"[{p.At,7:F1}] plan change: order {Name(_orderNames, p.OrderId)} {p.Kind} ({p.Reason}) from courier {Name(_courierNames, p.CourierId)}");
                    // Only a release or a cancel takes the order from its courier; a reassignment arrives as the new
                    // courier's assignment, and ETA changes, re-quotes and resequencing leave it where it is.
                    if (p.Kind is WirePlanChangeKind.Released or WirePlanChangeKind.Cancelled && _assigned.Remove(p.OrderId))
                    {
                        _inFlight--;
                        _plans.Release(p.OrderId, p.CourierId);
                    }
                    break;
            }
        }
    }

    private static string Name(Dictionary<long, string> names, long id) => names.TryGetValue(id, out var n) ? n : id.ToString();
}
