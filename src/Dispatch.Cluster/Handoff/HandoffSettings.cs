namespace Dispatch.Cluster.Handoff;

/// <summary>
/// Hand-off rounds run by the silos themselves (<c>Cluster:Handoff</c>): every <see cref="EverySeconds"/> each silo runs one
/// <see cref="HandoffCoordinator"/> round over every region. Off by default (0): the caller runs rounds, as the simulation
/// does after each minute. Several silos running rounds at once is safe: every step is keyed by its hand-off id.
/// </summary>
public sealed class HandoffSettings
{
    /// <summary>Seconds between a silo's rounds; 0: none.</summary>
    public double EverySeconds { get; set; }

    /// <summary>Border borrowing (<see cref="HandoffOptions.Borrowing"/>).</summary>
    public bool Borrowing { get; set; }

    /// <summary><see cref="HandoffOptions.BorrowRadiusMeters"/>.</summary>
    public double BorrowRadiusMeters { get; set; } = 2_000;

    /// <summary><see cref="HandoffOptions.PositionMarginMeters"/>.</summary>
    public double PositionMarginMeters { get; set; }

    /// <summary>The options of a round.</summary>
    public HandoffOptions Round => new() { Borrowing = Borrowing, BorrowRadiusMeters = BorrowRadiusMeters, PositionMarginMeters = PositionMarginMeters };

    /// <summary>Throws <see cref="ArgumentException"/> naming the key (<paramref name="section"/>:Name) of the first bad setting.</summary>
    public void Validate(string section = "Cluster:Handoff")
    {
        if (!(EverySeconds >= 0 && EverySeconds <= 86_400)) throw new ArgumentException($"{section}:EverySeconds: {EverySeconds} is not 0 (off) to 86400 seconds");
        if (!(BorrowRadiusMeters >= 0)) throw new ArgumentException($"{section}:BorrowRadiusMeters: {BorrowRadiusMeters} must be 0 or more metres");
        if (!(PositionMarginMeters >= 0)) throw new ArgumentException($"{section}:PositionMarginMeters: {PositionMarginMeters} must be 0 or more metres");
    }
}
