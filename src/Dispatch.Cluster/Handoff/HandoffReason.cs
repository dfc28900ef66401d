namespace Dispatch.Cluster.Handoff;

/// <summary>Why a region let an idle courier go.</summary>
public enum HandoffReason
{
    /// <summary>Its position (or the start of its next shift) lies in another region's area.</summary>
    Position = 0,

    /// <summary>A neighbouring region short of couriers borrowed it (border borrowing, <see cref="HandoffOptions.Borrowing"/>).</summary>
    Borrow = 1,
}
