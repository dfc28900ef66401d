using System.Buffers;
using System.Diagnostics;
using Dispatch.Client.Following;
using Dispatch.Cluster.Grains;
using Dispatch.Cluster.Handoff;
using Dispatch.Cluster.Regions;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Simulation;

/// <summary>
/// Plays a <see cref="RegionDay"/> through a cluster's region grains, minute by minute, as clients on the caller's clock
/// would: each minute every region gets one <see cref="IRegionGrain.ExecuteBatch"/> holding its Tick, then the events
/// of that minute (placements, and the pickups and drop-offs of couriers who do exactly what their pushed plan says, at
/// its service times: the client library's <see cref="PlanFollower"/>); then one <see cref="HandoffCoordinator"/> round moves idle couriers whose last drop-off left them
/// in another region (and, with borrowing, lends couriers to short regions). Every hour and at the end the
/// exactly-one-region audit (<see cref="CourierAudit"/>) runs. The day is deterministic: each region's answers depend only
/// on what it was sent, and the hand-off round runs between minutes.
/// </summary>
/// <remarks>
/// A region's events apply at its clock, the last Tick (the sidecar's manual mode), and a confirmation may not be later
/// than that clock, so each minute's Tick goes first: an order placed at minute m is planned at the Tick of m + 1, the same
/// one-minute lag for one region holding the whole area and for several, so the comparison is fair.
/// </remarks>
public sealed class RegionDayReplay
{
    private readonly IGrainFactory _grains;
    private readonly RegionMap _map;
    private readonly HandoffOptions _handoff;

    /// <param name="grains">The cluster.</param>
    /// <param name="map">Its regions (the same the silos were given).</param>
    /// <param name="handoff">Border borrowing on or off.</param>
    public RegionDayReplay(IGrainFactory grains, RegionMap map, HandoffOptions? handoff = null)
    {
        _grains = grains;
        _map = map;
        _handoff = handoff ?? new HandoffOptions();
    }

    /// <summary>Plays <paramref name="day"/>; <paramref name="progress"/> hears each simulated hour.</summary>
    public async Task<RegionDayResult> RunAsync(RegionDay day, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(day);
        day.Validate();
        var wall = Stopwatch.StartNew();
        var regions = _map.Regions.Select(r => r.Id).ToList();
        var siteRegion = new Dictionary<long, string>();
        for (int i = 0; i < day.Sites.Count; i++)
            siteRegion[day.Sites[i].Id] = Locate(day.Sites[i].X, day.Sites[i].Y, $"Sites[{i}]: site {day.Sites[i].Id}");
        var owner = new Dictionary<long, string>();
        for (int i = 0; i < day.Couriers.Count; i++)
            owner[day.Couriers[i].Id] = Locate(day.Couriers[i].X, day.Couriers[i].Y, $"Couriers[{i}]: courier {day.Couriers[i].Id}");
        var orders = day.Orders.ToDictionary(o => o.Id);
        int crossBorder = day.Orders.Count(o => _map.Locate(o.DropX, o.DropY)?.Id is { } r && r != siteRegion[o.Site]);

        var refusals = new List<string>();
        int refused = 0;
        void Refused(string what)
        {
            refused++;
            if (refusals.Count < 10) refusals.Add(what);
        }

        // Sites and the published shifts first, each to its region, at the regions' clock 0.
        var setup = regions.ToDictionary(r => r, _ => new List<Command>());
        uint rid = 0;
        foreach (var s in day.Sites) setup[siteRegion[s.Id]].Add(Command.AddSite(++rid, s.Id, s.X, s.Y));
        foreach (var c in day.Couriers) setup[owner[c.Id]].Add(Command.CourierOnShift(++rid, c.Id, c.X, c.Y, c.ShiftStart, c.ShiftEnd, c.Capacity));
        foreach (var (region, commands) in setup)
            foreach (var chunk in commands.Chunk(256))
                foreach (var m in Read(await Region(region).ExecuteBatch([.. chunk.Select(Payload)])))
                    if (m is ErrorMessage e) Refused($"{region} setup request {e.RequestId}: {e.Message}");

        // Placements by time (a stable sort: the day's order among equal times); the couriers' stops from the follower.
        var placements = day.Orders.OrderBy(o => o.PlacedAt).ToArray();
        int nextPlacement = 0;
        var plans = new PlanFollower();
        var due = new List<DueStop>();

        var delivered = new Dictionary<long, double>();
        int positionMoves = 0, borrowMoves = 0, rolledBack = 0, retried = 0, audits = 0, duplicated = 0, missing = 0, misplaced = 0;
        double first = Math.Floor(Math.Min(day.Orders.Count == 0 ? 0 : day.Orders.Min(o => o.PlacedAt), day.Couriers.Count == 0 ? 0 : day.Couriers.Min(c => c.ShiftStart)));
        double lastPlaced = day.Orders.Count == 0 ? first : day.Orders.Max(o => o.PlacedAt);
        double end = Math.Max(lastPlaced, day.Couriers.Count == 0 ? first : day.Couriers.Max(c => c.ShiftEnd)) + 60;
        var coordinator = new HandoffCoordinator(_grains, regions, _handoff);

        async Task Audit(double now)
        {
            audits++;
            var owners = await CourierAudit.OwnersAsync(_grains, regions);
            duplicated = Math.Max(duplicated, owners.Count(o => o.Value.Count > 1));
            misplaced += owners.Count(o => o.Value.Count == 1 && owner.TryGetValue(o.Key, out var w) && w != o.Value[0]);
            missing = Math.Max(missing, day.Couriers.Count(c => c.ShiftEnd > now && !owners.ContainsKey(c.Id)));
        }

        for (double t = first + 1; t <= end; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batches = regions.ToDictionary(r => r, _ => new List<Command>());
            var dropoffs = regions.ToDictionary(r => r, _ => new Dictionary<uint, long>()); // request id -> order, to undo a refused one
            foreach (var r in regions) batches[r].Add(Command.Tick(++rid, t));
            due.Clear();
            while (plans.TryTakeDue(t, out var stop)) due.Add(stop);
            // The minute's events in time order, a placement before a stop of the same time; each to the region holding its
            // order, its site's (a hand-off moves couriers, never orders, so that is the region whose plan named the stop).
            for (int d = 0; ;)
            {
                bool place = nextPlacement < placements.Length && placements[nextPlacement].PlacedAt <= t;
                if (!place && d == due.Count) break;
                if (place && (d == due.Count || placements[nextPlacement].PlacedAt <= due[d].At))
                {
                    var o = placements[nextPlacement++];
                    batches[siteRegion[o.Site]].Add(Command.PlaceOrder(++rid, o.Id, o.Site, o.DropX, o.DropY, o.PlacedAt, o.ReadyAt));
                    continue;
                }
                var stop = due[d++];
                string region = siteRegion[orders[stop.OrderId].Site];
                if (stop.Kind == WireStopKind.Pickup)
                {
                    batches[region].Add(Command.ConfirmPickup(++rid, stop.OrderId, stop.At));
                }
                else
                {
                    batches[region].Add(Command.ConfirmDropoff(++rid, stop.OrderId, stop.At));
                    dropoffs[region][rid] = stop.OrderId;
                    delivered[stop.OrderId] = stop.At;
                }
            }
            var answers = await Task.WhenAll(regions.Select(r => Region(r).ExecuteBatch([.. batches[r].Select(Payload)])));
            for (int i = 0; i < regions.Count; i++)
            {
                string region = regions[i];
                foreach (var m in Read(answers[i]))
                {
                    switch (m)
                    {
                        case AssignmentMessage a:
                            plans.Follow(a, notBefore: t);
                            break;
                        case PlanChangeMessage { Kind: WirePlanChangeKind.Released or WirePlanChangeKind.Cancelled } pc:
                            plans.Release(pc.OrderId, pc.CourierId);
                            break;
                        case PlanChangeMessage { Kind: WirePlanChangeKind.EtaChanged } pc:
                            plans.Retime(pc.OrderId, pc.NewTime, notBefore: t);
                            break;
                        case ErrorMessage e:
                            if (dropoffs[region].TryGetValue(e.RequestId, out long refusedOrder)) delivered.Remove(refusedOrder);
                            Refused($"{region} minute {t}: {e.Code} {e.Message}");
                            break;
                    }
                }
            }

            var round = await coordinator.RunAsync();
            foreach (var ticket in round.Adopted)
            {
                owner[ticket.CourierId] = ticket.To;
                if (ticket.Reason == HandoffReason.Borrow) borrowMoves++;
                else positionMoves++;
            }
            rolledBack += round.RolledBack.Count;
            retried += round.Unfinished.Count;

            if (t % 60 == 0)
            {
                await Audit(t);
                progress?.Invoke($"minute {t}: {delivered.Count}/{day.Orders.Count} delivered, {positionMoves} + {borrowMoves} hand-offs");
            }
            if (t > lastPlaced && delivered.Count == day.Orders.Count && plans.Queued == 0) break;
        }
        await Audit(end);

        return new RegionDayResult
        {
            Regions = regions.Count,
            Orders = day.Orders.Count,
            ClickToDoor = [.. delivered.Select(d => d.Value - orders[d.Key].PlacedAt)],
            CrossBorderOrders = crossBorder,
            PositionHandoffs = positionMoves,
            BorrowHandoffs = borrowMoves,
            RolledBack = rolledBack,
            Retried = retried,
            Audits = audits,
            DuplicatedCouriers = duplicated,
            MissingCouriers = missing,
            MisplacedCouriers = misplaced,
            Refusals = refused,
            RefusalSamples = refusals,
            WallSeconds = wall.Elapsed.TotalSeconds,
        };
    }

    private IRegionGrain Region(string id) => _grains.GetGrain<IRegionGrain>(id);

    private string Locate(double x, double y, string what) =>
        _map.Locate(x, y)?.Id ?? throw new ArgumentException($"{what} at ({x}, {y}) lies in no configured region");

    private static byte[] Payload(Command c)
    {
        var buffer = new FrameBuffer(64);
        CommandCodec.WriteFrame(buffer, c);
        return buffer.WrittenSpan[ProtocolConstants.HeaderBytes..].ToArray();
    }

    private static List<ServerMessage> Read(byte[] frames)
    {
        var list = new List<ServerMessage>();
        var buffer = new ReadOnlySequence<byte>(frames);
        while (FrameReader.TryReadFrame(ref buffer, int.MaxValue, out var payload, out _) == FrameStatus.Frame) list.Add(ReplyCodec.Read(payload));
        return list;
    }
}
