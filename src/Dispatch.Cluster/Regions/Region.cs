using NetTopologySuite.Geometries;

namespace Dispatch.Cluster.Regions;

/// <summary>A validated region: its id and its area, with a prepared point-in-polygon test.</summary>
public sealed class Region
{
    private readonly NetTopologySuite.Geometries.Prepared.IPreparedGeometry _prepared;

    internal Region(string id, Polygon area)
    {
        Id = id;
        Area = area;
        _prepared = NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(area);
    }

    /// <summary>The region id.</summary>
    public string Id { get; }

    /// <summary>The region's area.</summary>
    public Polygon Area { get; }

    /// <summary>True when (x, y) lies in the area or on its border (a point on a shared border belongs to both: <see cref="RegionMap.Locate"/> picks one).</summary>
    public bool Covers(double x, double y) => _prepared.Covers(new Point(x, y));
}
