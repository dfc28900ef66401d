namespace Dispatch.Cluster.Handoff;

/// <summary>What a hand-off round (<see cref="HandoffCoordinator"/>) does besides moving couriers whose position lies in another region.</summary>
public sealed record HandoffOptions
{
    /// <summary>
    /// Border borrowing: a region short of couriers (more orders waiting for a courier than idle couriers on shift,
    /// <see cref="RegionShortage"/>) borrows idle couriers near its border from regions that can spare them, through the
    /// same hand-off. Off by default.
    /// </summary>
    public bool Borrowing { get; init; }

    /// <summary>How far from the borrower's area a lent courier may be, metres (in the engine's coordinates).</summary>
    public double BorrowRadiusMeters { get; init; } = 2_000;

    /// <summary>
    /// A courier is handed over by position only when it is more than this far outside its region, metres (0, the default:
    /// as soon as it is in another region). With borrowing, <see cref="BorrowRadiusMeters"/> here keeps a borrowed courier,
    /// which stands in the lender's area, from being handed straight back when the borrower does not plan with it at once.
    /// </summary>
    public double PositionMarginMeters { get; init; }
}
