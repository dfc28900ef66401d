namespace Dispatch.Core.Tests.Support;

/// <summary>
/// Uniformly random sites and orders in a square city, for tests that check a rule over many small
/// instances. The draws come in a fixed order (per order: placement, site, drop-off x, y, ready delay), so a
/// seed gives the same instance as long as this order stays.
/// </summary>
internal static class RandomSpecs
{
    /// <summary>Sites 1..<paramref name="count"/> at uniform points of the square [0, <paramref name="extent"/>) metres.</summary>
    public static SiteSpec[] Sites(Random rng, int count, int extent) =>
        Enumerable.Range(1, count).Select(i => new SiteSpec(i, rng.Next(0, extent), rng.Next(0, extent))).ToArray();

    /// <summary>Orders 1001..1000 + <paramref name="count"/>: placed at a whole minute below
    /// <paramref name="placedWithin"/>, at one of sites 1..<paramref name="sites"/>, to a uniform point of the square,
    /// ready less than <paramref name="readyWithin"/> minutes after placement.</summary>
    public static OrderSpec[] Orders(Random rng, int count, int sites, int extent, int placedWithin, int readyWithin) =>
        Enumerable.Range(1, count).Select(i =>
        {
            int placed = rng.Next(0, placedWithin);
            return new OrderSpec(1000 + i, rng.Next(1, sites + 1), rng.Next(0, extent), rng.Next(0, extent), placed, placed + rng.Next(0, readyWithin));
        }).ToArray();
}
