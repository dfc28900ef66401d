namespace Dispatch.Cluster.Handoff;

/// <summary>What one <see cref="HandoffCoordinator.RunAsync"/> did.</summary>
public sealed class HandoffRound
{
    /// <summary>Hand-offs finished with the courier adopted by the destination (its region now).</summary>
    public List<HandoffTicket> Adopted { get; } = [];

    /// <summary>Hand-offs finished with the destination refusing: the courier is back in the source.</summary>
    public List<HandoffTicket> RolledBack { get; } = [];

    /// <summary>Hand-offs left pending because a step failed (its outcome unknown); the next round finishes them.</summary>
    public List<(HandoffTicket Ticket, string Why)> Unfinished { get; } = [];
}
