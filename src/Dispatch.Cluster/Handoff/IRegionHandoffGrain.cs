namespace Dispatch.Cluster.Handoff;

/// <summary>
/// The hand-off side of a region grain (the same activation as <see cref="Grains.IRegionGrain"/>: one grain class, same
/// key). Each method is one turn of the region and calls no other grain, so two regions handing couriers to each other
/// never wait on each other; <see cref="HandoffCoordinator"/> carries a ticket from one to the other. Every step is
/// journaled (fenced, durable before the answer) and keyed by the hand-off id, so a step repeated after a crash, a lost
/// answer or a timeout changes nothing the first one did not (docs/cluster.md, Courier hand-off).
/// </summary>
public interface IRegionHandoffGrain : IGrainWithStringKey
{
    /// <summary>
    /// Step 1 (source): releases every idle courier (on shift or scheduled, no planned stop) whose position lies in another
    /// configured region, more than <paramref name="marginMeters"/> outside this one (0: any distance), journaled as
    /// <see cref="HandoffRecordKind.Released"/> (off shift here, ticket pending), and returns the new tickets together
    /// with every ticket still pending from before (a move a crash interrupted), so the caller finishes those too.
    /// </summary>
    Task<HandoffTicket[]> ReleaseOutsiders(double marginMeters = 0);

    /// <summary>
    /// Step 1 for border borrowing (source): releases to <paramref name="borrower"/> up to <paramref name="count"/> idle
    /// couriers on shift within <paramref name="radiusMeters"/> of its area, nearest first, and never more than this region
    /// can spare (<see cref="RegionShortage.Surplus"/>). Returns the new tickets.
    /// </summary>
    Task<HandoffTicket[]> Lend(string borrower, int count, double radiusMeters);

    /// <summary>
    /// Step 2 (destination): puts the ticket's courier on shift here and remembers the hand-off id as adopted, or, when
    /// the engine refuses (the id is on shift here already), remembers it as refused; either durably before answering.
    /// A hand-off id answered before gets the same answer again and changes nothing.
    /// </summary>
    Task<AdoptOutcome> Adopt(HandoffTicket ticket);

    /// <summary>
    /// Step 3 (source): the destination's answer to ticket <paramref name="handoffId"/>: adopted, the ticket is done; refused,
    /// the courier goes back on shift here. Does nothing when the ticket is not pending (completed before).
    /// </summary>
    Task Complete(string handoffId, AdoptOutcome outcome);

    /// <summary>Waiting orders against idle couriers now (border borrowing).</summary>
    Task<RegionShortage> Shortage();

    /// <summary>Who the region holds, and which of <paramref name="askAbout"/> it adopted (the exactly-one-region check).</summary>
    Task<RegionCouriers> Couriers(string[] askAbout);
}
