using NetTopologySuite.Geometries;

namespace Dispatch.Traffic;

/// <summary>
/// A road or area that routes must go around for a window of time. A straight leg that crosses it
/// pays <see cref="TrafficModel.ClosureDetourMinutes"/> per crossing: the detour, approximated.
/// </summary>
/// <param name="Where">A line (a closed road) or a polygon (a closed area) in the engine's coordinates.</param>
/// <param name="From">First minute the closure applies.</param>
/// <param name="To">Minute it is lifted (exclusive); +infinity for open-ended.</param>
/// <param name="Name">For logs and reports.</param>
public sealed record RoadClosure(Geometry Where, double From, double To, string Name = "");
