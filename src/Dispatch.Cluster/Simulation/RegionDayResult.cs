namespace Dispatch.Cluster.Simulation;

/// <summary>What a day played through the regions gave: service quality, hand-offs, and the exactly-one-region audits.</summary>
public sealed record RegionDayResult
{
    /// <summary>Regions the day was split into.</summary>
    public int Regions { get; init; }

    /// <summary>Orders placed.</summary>
    public int Orders { get; init; }

    /// <summary>Click-to-door minutes (drop-off minus placement) of each delivered order.</summary>
    public required double[] ClickToDoor { get; init; }

    /// <summary>Orders whose drop-off lies in another region than their site.</summary>
    public int CrossBorderOrders { get; init; }

    /// <summary>Hand-offs by position completed (courier adopted by the destination).</summary>
    public int PositionHandoffs { get; init; }

    /// <summary>Hand-offs by border borrowing completed.</summary>
    public int BorrowHandoffs { get; init; }

    /// <summary>Hand-offs refused by the destination and rolled back into the source.</summary>
    public int RolledBack { get; init; }

    /// <summary>Hand-off steps that failed and were finished by a later round.</summary>
    public int Retried { get; init; }

    /// <summary>Audits run (hourly and at the end).</summary>
    public int Audits { get; init; }

    /// <summary>Most couriers found in two or more regions at one audit (must be 0).</summary>
    public int DuplicatedCouriers { get; init; }

    /// <summary>Most couriers whose shift still ran found in no region at one audit (must be 0).</summary>
    public int MissingCouriers { get; init; }

    /// <summary>Couriers found in another region than the one the world last heard they belong to (must be 0).</summary>
    public int MisplacedCouriers { get; init; }

    /// <summary>Requests a region refused (a confirmation the engine did not accept, say); 0 in a sound run.</summary>
    public int Refusals { get; init; }

    /// <summary>The first few refusals, for the report.</summary>
    public required IReadOnlyList<string> RefusalSamples { get; init; }

    /// <summary>Wall-clock seconds of the replay.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Delivered share of the orders, percent.</summary>
    public double DeliveredPercent => Orders == 0 ? 0 : 100.0 * ClickToDoor.Length / Orders;

    /// <summary>Mean click-to-door, minutes.</summary>
    public double Mean => ClickToDoor.Length == 0 ? double.NaN : ClickToDoor.Average();

    /// <summary>90th percentile click-to-door (nearest rank), minutes.</summary>
    public double P90
    {
        get
        {
            if (ClickToDoor.Length == 0) return double.NaN;
            var sorted = ClickToDoor.Order().ToArray();
            return sorted[Math.Max(0, (int)Math.Ceiling(0.9 * sorted.Length) - 1)];
        }
    }

    /// <summary>Share of delivered orders over 40 minutes click-to-door, percent.</summary>
    public double Over40Percent => ClickToDoor.Length == 0 ? double.NaN : 100.0 * ClickToDoor.Count(m => m > 40) / ClickToDoor.Length;
}
