using NetTopologySuite.Geometries;

namespace Dispatch.Traffic;

/// <summary>
/// An area where traffic moves at a fraction of its normal speed for a window of time, e.g. "this
/// district at 40% speed from 18:00 to 19:30" is <c>new CongestionZone(polygon, 0.4, 1080, 1170)</c>.
/// </summary>
/// <param name="Area">A polygon (or multipolygon) in the engine's coordinates.</param>
/// <param name="SpeedFactor">Speed as a fraction of normal, in (0, 4]; 1 is normal, 0.4 is 40%.</param>
/// <param name="From">First minute the zone applies.</param>
/// <param name="To">Minute the zone stops applying (exclusive); +infinity for open-ended.</param>
/// <param name="Name">For logs and reports.</param>
public sealed record CongestionZone(Geometry Area, double SpeedFactor, double From, double To, string Name = "");
