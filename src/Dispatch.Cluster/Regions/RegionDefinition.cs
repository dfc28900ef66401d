namespace Dispatch.Cluster.Regions;

/// <summary>
/// One dispatch region as configured (<c>Cluster:Regions:N</c>): its id, the grain key and the prefix of its keys in the
/// store, and its area as WKT in the engine's coordinates (metres for the Euclidean travel rule, lon/lat for Haversine).
/// Validated into a <see cref="RegionMap"/>.
/// </summary>
public sealed class RegionDefinition
{
    /// <summary>The region id: 1 to 64 of <c>A-Z a-z 0-9 . _ -</c> (it becomes a grain key and part of Redis keys).</summary>
    public string Id { get; set; } = "";

    /// <summary>The region's area: a WKT polygon, e.g. <c>POLYGON ((0 0, 5000 0, 5000 5000, 0 5000, 0 0))</c>.</summary>
    public string Area { get; set; } = "";
}
