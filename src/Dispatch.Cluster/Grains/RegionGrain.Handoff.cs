using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Handoff;
using Dispatch.Cluster.Regions;
using Dispatch.Engine;
using Dispatch.Hosting;
using Dispatch.Model;
using Microsoft.Extensions.Logging;
using NetTopologySuite.Geometries;

namespace Dispatch.Cluster.Grains;

/// <summary>
/// The region grain's hand-off steps (<see cref="IRegionHandoffGrain"/>): each applies its records to the engine and the
/// ledger (<see cref="HandoffSteps"/>), writes them to the journal in one fenced append, and answers only after that. A
/// failed write leaves the activation unusable, as for a command batch: it deactivates, the call fails, and the caller
/// learns nothing, so it must not assume either outcome (the coordinator retries the step later; a retry is harmless).
/// </summary>
internal sealed partial class RegionGrain : IRegionHandoffGrain
{
    public async Task<HandoffTicket[]> ReleaseOutsiders(double marginMeters = 0)
    {
        if (!(marginMeters >= 0)) throw new ArgumentOutOfRangeException(nameof(marginMeters), marginMeters, "ReleaseOutsiders: marginMeters must be 0 or more");
        var engine = Loaded();
        var region = Self();
        var released = new List<JournalEntry>();
        foreach (var c in engine.Driver.ActiveCouriers())
        {
            if (c.PlannedStops > 0 || region.Covers(c.X, c.Y)) continue;
            // A position in no configured region keeps the courier here: it must be in exactly one, never in none.
            if (_regions.Locate(c.X, c.Y) is not { } to || to.Id == RegionId) continue;
            if (marginMeters > 0 && region.Area.Distance(new Point(c.X, c.Y)) <= marginMeters) continue;
            released.Add(Release(engine, c, to.Id, HandoffReason.Position));
        }
        await CommitAsync(engine, released);
        return [.. engine.Handoffs.Pending.OrderBy(t => t.Id, StringComparer.Ordinal)];
    }

    public async Task<HandoffTicket[]> Lend(string borrower, int count, double radiusMeters)
    {
        if (!_regions.TryGet(borrower, out var to) || borrower == RegionId)
            throw new ArgumentException($"Lend: borrower '{borrower}' is not another configured region ({string.Join(", ", _regions.Regions.Select(r => r.Id))})", nameof(borrower));
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Lend: count must be 0 or more");
        if (!(radiusMeters >= 0)) throw new ArgumentOutOfRangeException(nameof(radiusMeters), radiusMeters, "Lend: radiusMeters must be 0 or more");
        var engine = Loaded();
        var spare = Math.Min(count, ShortageOf(engine).Surplus);
        if (spare == 0) return [];
        var candidates = engine.Driver.ActiveCouriers()
            .Where(c => c.OnShift && c.PlannedStops == 0)
            .Select(c => (Courier: c, Distance: to.Area.Distance(new Point(c.X, c.Y))))
            .Where(x => x.Distance <= radiusMeters)
            .OrderBy(x => x.Distance).ThenBy(x => x.Courier.CourierId)
            .Take(spare)
            .ToList();
        var tickets = new List<HandoffTicket>();
        var released = new List<JournalEntry>();
        foreach (var (c, _) in candidates)
        {
            released.Add(Release(engine, c, borrower, HandoffReason.Borrow));
            tickets.Add(engine.Handoffs.Pending.Single(t => t.CourierId == c.CourierId));
        }
        await CommitAsync(engine, released);
        return [.. tickets];
    }

    public async Task<AdoptOutcome> Adopt(HandoffTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        // Not for this region: the same answer every time, so nothing needs remembering.
        if (ticket.To != RegionId) return AdoptOutcome.No($"hand-off {ticket.Id} is for region '{ticket.To}', not '{RegionId}'");
        var engine = Loaded();
        if (engine.Handoffs.TryGetOutcome(ticket.Id, out var known)) return known;
        HandoffRecord record = new(HandoffRecordKind.Adopted, ticket);
        try
        {
            HandoffSteps.Apply(engine, record);
        }
        catch (DispatchException ex)
        {
            record = new HandoffRecord(HandoffRecordKind.Refused, ticket, ex.Message);
            HandoffSteps.Apply(engine, record);
        }
        await CommitAsync(engine, [engine.Journal(record)]);
        _log.LogInformation("Region {Region}: hand-off {Id} of courier {Courier} from {From}: {Outcome}", RegionId, ticket.Id, ticket.CourierId, ticket.From,
            record.Kind == HandoffRecordKind.Adopted ? "adopted" : "refused: " + record.Refusal);
        return record.Kind == HandoffRecordKind.Adopted ? AdoptOutcome.Yes : AdoptOutcome.No(record.Refusal ?? "");
    }

    public async Task Complete(string handoffId, AdoptOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var engine = Loaded();
        if (!engine.Handoffs.TryGetPending(handoffId, out var ticket)) return;
        var record = new HandoffRecord(outcome.Adopted ? HandoffRecordKind.Completed : HandoffRecordKind.RolledBack, ticket, outcome.Refusal);
        HandoffSteps.Apply(engine, record);
        await CommitAsync(engine, [engine.Journal(record)]);
    }

    public Task<RegionShortage> Shortage() => Task.FromResult(ShortageOf(Loaded()));

    public Task<RegionCouriers> Couriers(string[] askAbout)
    {
        ArgumentNullException.ThrowIfNull(askAbout);
        var engine = Loaded();
        return Task.FromResult(new RegionCouriers
        {
            Region = RegionId,
            Active = [.. engine.Driver.ActiveCouriers().Select(c => c.CourierId)],
            Pending = [.. engine.Handoffs.Pending],
            Adopted = [.. askAbout.Where(id => engine.Handoffs.TryGetOutcome(id, out var o) && o.Adopted)],
        });
    }

    private RegionShortage ShortageOf(RegionEngine engine) => new()
    {
        Region = RegionId,
        WaitingOrders = engine.Driver.Counts.Open,
        IdleCouriers = engine.Driver.ActiveCouriers().Count(c => c.OnShift && c.PlannedStops == 0),
    };

    /// <summary>Applies the release of <paramref name="c"/> (off shift here, ticket pending); its journal record, to commit.</summary>
    private JournalEntry Release(RegionEngine engine, in ActiveCourier c, string to, HandoffReason reason)
    {
        var ticket = new HandoffTicket
        {
            // The record's own sequence number: written once (fenced), so the id is unique for ever.
            Id = $"{RegionId}/{engine.NextSequence}",
            From = RegionId,
            To = to,
            CourierId = c.CourierId,
            X = c.X,
            Y = c.Y,
            ShiftStart = c.ShiftStart,
            ShiftEnd = c.ShiftEnd,
            Capacity = c.Capacity,
            ReleasedAt = engine.Now,
            Reason = reason,
        };
        var record = new HandoffRecord(HandoffRecordKind.Released, ticket);
        HandoffSteps.Apply(engine, record);
        // Numbered now, so the next release's id (NextSequence) is the next number.
        return engine.Journal(record);
    }

    /// <summary>
    /// Writes the journal records of steps already applied, in one fenced append; the method returns (the step is
    /// acknowledged) only after it. Called in the same turn as the steps, so no command comes between.
    /// </summary>
    private async Task CommitAsync(RegionEngine engine, IReadOnlyList<JournalEntry> entries)
    {
        if (entries.Count == 0) return;
        try
        {
            await _store.AppendAsync(RegionId, entries);
        }
        catch (Exception ex)
        {
            _unavailable = $"region '{RegionId}' is reloading from the store: a hand-off write failed ({ex.Message})";
            _log.LogError(ex, "Region {Region}: hand-off records {First}..{Last} could not be written; the activation deactivates", RegionId, entries[0].Sequence, entries[^1].Sequence);
            DeactivateOnIdle();
            throw new InvalidOperationException($"region '{RegionId}': the hand-off step is not durable and was not done ({ex.Message}); repeat it", ex);
        }
        engine.Committed(entries[^1]);
        if (engine.SnapshotDue(_options.SnapshotEveryRecords)) await TrySnapshot();
    }

    /// <summary>The engine, or an exception naming why the region cannot take hand-off steps now.</summary>
    private RegionEngine Loaded() =>
        _unavailable is null && _engine is not null ? _engine
            : throw new InvalidOperationException(_unavailable ?? $"region '{RegionId}' is not loaded");

    private Region Self() => _regions.TryGet(RegionId, out var r) ? r : throw new InvalidOperationException($"region '{RegionId}' is not configured");
}
