namespace Dispatch.Simulator.Generation;

/// <summary>One strip-shaped region of a <see cref="SideBySideDay"/>: its id and its area as a WKT polygon (metres).</summary>
public sealed record StripRegion(string Id, string AreaWkt);

/// <summary>
/// A generated multi-region day: the whole area's restaurants, orders and courier shifts as one instance (what one engine
/// holding the whole area replays), and the strips that split it into regions, left to right, sharing borders.
/// </summary>
public sealed record SideBySideDay(MdrpInstance Day, IReadOnlyList<StripRegion> Regions, double RegionWidthMeters);
