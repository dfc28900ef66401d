using System.Globalization;

namespace Dispatch.Simulator.Generation;

/// <summary>
/// Generates a multi-region day: <see cref="SideBySideOptions.Regions"/> cities from the wave generator
/// (<see cref="WaveGenerator"/>, each with its own seed), moved so city k's centre sits in the middle of strip k
/// (<c>x in [k W, (k + 1) W]</c>, W = <see cref="SideBySideOptions.WidthShare"/> city radii), all at y = 0, ids prefixed
/// <c>c{k}-</c>. The first and last strips reach past every coordinate, so each point of the day lies in one region (or on
/// a shared border). Deterministic: the same options give the same day.
/// </summary>
public static class SideBySideGenerator
{
    /// <summary>The day described by <paramref name="options"/>; throws <see cref="ArgumentOutOfRangeException"/> for invalid options.</summary>
    public static SideBySideDay Generate(SideBySideOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var restaurants = new List<MdrpRestaurant>();
        var orders = new List<MdrpOrder>();
        var couriers = new List<MdrpCourier>();
        MdrpParameters? parameters = null;
        double width = 0;
        for (int k = 0; k < options.Regions; k++)
        {
            var wave = new WaveOptions { Seed = options.Seed * 1000 + k, OrdersPerDay = options.OrdersPerRegion, CourierSupplyFactor = options.CourierSupplyFactor };
            var city = WaveGenerator.Generate(wave);
            parameters ??= city.Parameters;
            // The generator centres its city in a square of side 2 (radius + longest delivery + 1 km).
            double radius = wave.ResolvedCityRadiusMeters;
            double centre = Math.Round(radius + wave.MaxDeliveryMeters + 1_000);
            width = Math.Round(options.WidthShare * radius);
            double dx = k * width + width / 2 - centre, dy = -centre;
            string p = string.Create(CultureInfo.InvariantCulture, $"c{k}-");
            restaurants.AddRange(city.Restaurants.Select(r => r with { Id = p + r.Id, X = r.X + dx, Y = r.Y + dy }));
            orders.AddRange(city.Orders.Select(o => o with { Id = p + o.Id, Restaurant = p + o.Restaurant, X = o.X + dx, Y = o.Y + dy }));
            couriers.AddRange(city.Couriers.Select(c => c with { Id = p + c.Id, X = c.X + dx, Y = c.Y + dy }));
        }
        // Orders in placement order across the cities (a stable sort keeps each city's own order for equal minutes).
        var sorted = orders.OrderBy(o => o.PlacementTime).ToArray();
        string name = string.Create(CultureInfo.InvariantCulture, $"side-by-side-{options.Regions}x{options.OrdersPerRegion}-s{options.Seed}");
        var day = new MdrpInstance(name, parameters!, [.. restaurants], sorted, [.. couriers]);

        double far = 10 * width * options.Regions + 1_000_000;
        var strips = new List<StripRegion>(options.Regions);
        for (int k = 0; k < options.Regions; k++)
        {
            double left = k == 0 ? -far : k * width, right = k == options.Regions - 1 ? far : (k + 1) * width;
            strips.Add(new StripRegion(string.Create(CultureInfo.InvariantCulture, $"r{k}"),
                string.Create(CultureInfo.InvariantCulture, $"POLYGON (({left} {-far}, {right} {-far}, {right} {far}, {left} {far}, {left} {-far}))")));
        }
        return new SideBySideDay(day, strips, width);
    }
}
