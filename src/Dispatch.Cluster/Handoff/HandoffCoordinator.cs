using Dispatch.Cluster.Grains;

namespace Dispatch.Cluster.Handoff;

/// <summary>
/// Carries couriers between regions: for every region, step 1 (release the idle couriers whose position lies in another
/// region, and hand back every ticket still pending), step 2 (the destination adopts or refuses, durably, keyed by the
/// hand-off id), step 3 (the source completes or rolls back, keyed by the same id); then, with borrowing on, the same
/// three steps for couriers lent to short regions. Holds no state of its own: the source's journal holds the pending
/// ticket until step 3 is durable, and the destination's holds its answer, so a round that dies anywhere (its process, a
/// silo, a store write) is finished by any later round, and repeating a step has no effect. Why this is exactly once:
/// docs/cluster.md, Courier hand-off. Run it where the regions' time is driven (the simulation after each minute's ticks;
/// a wall-clock cluster on a timer).
/// </summary>
public sealed class HandoffCoordinator
{
    private readonly IGrainFactory _grains;
    private readonly IReadOnlyList<string> _regions;
    private readonly HandoffOptions _options;

    /// <param name="grains">The cluster (a client or a silo's grain factory).</param>
    /// <param name="regions">The region ids, as configured.</param>
    /// <param name="options">Borrowing on or off, and its radius.</param>
    public HandoffCoordinator(IGrainFactory grains, IReadOnlyList<string> regions, HandoffOptions? options = null)
    {
        _grains = grains;
        _regions = regions;
        _options = options ?? new HandoffOptions();
    }

    private IRegionHandoffGrain Region(string id) => _grains.GetGrain<IRegionHandoffGrain>(id);

    /// <summary>One round over every region.</summary>
    public async Task<HandoffRound> RunAsync()
    {
        var round = new HandoffRound();
        foreach (string id in _regions)
        {
            HandoffTicket[] tickets;
            try
            {
                tickets = await Region(id).ReleaseOutsiders(_options.PositionMarginMeters);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Nothing released by a step that failed (its records were not durable); the next round tries again.
                continue;
            }
            foreach (var t in tickets) await FinishAsync(t, round);
        }
        if (_options.Borrowing) await BorrowAsync(round);
        return round;
    }

    /// <summary>Steps 2 and 3 of one ticket. A failed step leaves the ticket pending at its source, for a later round.</summary>
    public async Task FinishAsync(HandoffTicket ticket, HandoffRound round)
    {
        AdoptOutcome outcome;
        try
        {
            outcome = await Region(ticket.To).Adopt(ticket);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The outcome is unknown (the destination may have adopted before failing to answer): neither complete nor roll
            // back; the retry gets the destination's durable answer.
            round.Unfinished.Add((ticket, ex.Message));
            return;
        }
        try
        {
            await Region(ticket.From).Complete(ticket.Id, outcome);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            round.Unfinished.Add((ticket, ex.Message));
            return;
        }
        (outcome.Adopted ? round.Adopted : round.RolledBack).Add(ticket);
    }

    private async Task BorrowAsync(HandoffRound round)
    {
        var shortages = new List<RegionShortage>(_regions.Count);
        foreach (string id in _regions)
        {
            try
            {
                shortages.Add(await Region(id).Shortage());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A region reloading neither borrows nor lends this round.
            }
        }
        foreach (var borrower in shortages.Where(s => s.Shortfall > 0).OrderByDescending(s => s.Shortfall).ThenBy(s => s.Region, StringComparer.Ordinal))
        {
            int needed = borrower.Shortfall;
            // Lenders with the most to spare first; each lends only what it can spare (Lend checks again, in its own turn).
            foreach (var lender in shortages.Where(s => s.Surplus > 0 && s.Region != borrower.Region).OrderByDescending(s => s.Surplus).ThenBy(s => s.Region, StringComparer.Ordinal))
            {
                if (needed <= 0) break;
                HandoffTicket[] tickets;
                try
                {
                    tickets = await Region(lender.Region).Lend(borrower.Region, needed, _options.BorrowRadiusMeters);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Its release was not durable, so nothing left the lender; try the next one.
                    continue;
                }
                foreach (var t in tickets)
                {
                    await FinishAsync(t, round);
                    needed--;
                }
            }
        }
    }
}
