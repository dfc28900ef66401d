namespace Dispatch.Cluster.Handoff;

/// <summary>The hand-off records a region's journal can hold beside the protocol's commands.</summary>
public enum HandoffRecordKind
{
    /// <summary>Source: the courier is released (off shift here) and the ticket pending.</summary>
    Released = 1,

    /// <summary>Source: the destination adopted it; the ticket is done.</summary>
    Completed = 2,

    /// <summary>Source: the destination refused it; the courier is back on shift here, the ticket done.</summary>
    RolledBack = 3,

    /// <summary>Destination: the courier is on shift here; the hand-off id is remembered as adopted.</summary>
    Adopted = 4,

    /// <summary>Destination: it refused the hand-off; the id is remembered as refused.</summary>
    Refused = 5,
}
