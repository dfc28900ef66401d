namespace Dispatch.Simulator.Generation;

/// <summary>
/// A multi-region day (<see cref="SideBySideGenerator"/>): <see cref="Regions"/> wave-generated cities placed side by side
/// along x, each a strip-shaped dispatch region <see cref="WidthShare"/> city radii wide, so a city's outer districts,
/// drop-offs and couriers spill into the neighbouring strips.
/// </summary>
public sealed record SideBySideOptions
{
    /// <summary>Regions (cities) side by side: 1 to 16.</summary>
    public int Regions { get; init; } = 3;

    /// <summary>Orders each city places in the day (<see cref="WaveOptions.OrdersPerDay"/>).</summary>
    public int OrdersPerRegion { get; init; } = 1_000;

    /// <summary>Seed: city k uses the wave generator with seed <c>Seed * 1000 + k</c>.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Strip width as a multiple of the city radius (2: the strips hold the restaurant disks; less: they overlap the borders).</summary>
    public double WidthShare { get; init; } = 1.6;

    /// <summary>Courier supply against demand (<see cref="WaveOptions.CourierSupplyFactor"/>).</summary>
    public double CourierSupplyFactor { get; init; } = 1.0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (Regions is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(Regions), Regions, "Regions: 1 to 16");
        if (OrdersPerRegion is < 1_000 or > 200_000) throw new ArgumentOutOfRangeException(nameof(OrdersPerRegion), OrdersPerRegion, "OrdersPerRegion: 1000 (the wave generator's least) to 200000");
        if (!(WidthShare is >= 0.5 and <= 10)) throw new ArgumentOutOfRangeException(nameof(WidthShare), WidthShare, "WidthShare: 0.5 to 10 city radii");
        if (!(CourierSupplyFactor is > 0 and <= 10)) throw new ArgumentOutOfRangeException(nameof(CourierSupplyFactor), CourierSupplyFactor, "CourierSupplyFactor: above 0, at most 10");
    }
}
