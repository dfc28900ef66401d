using System.Text.RegularExpressions;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Dispatch.Cluster.Regions;

/// <summary>
/// The configured regions, validated: ids well formed and unique, areas valid polygons that do not overlap (they may
/// share borders). The map a silo's region grains and, later, the edge and the courier hand-off read to find which
/// region a point belongs to. Built once at start; an invalid configuration stops the silo with an error naming the key.
/// </summary>
public sealed partial class RegionMap
{
    private readonly Dictionary<string, Region> _byId;
    private readonly List<Region> _ordered;

    private RegionMap(List<Region> regions)
    {
        _ordered = regions;
        _byId = regions.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    /// <summary>The regions in configuration order.</summary>
    public IReadOnlyList<Region> Regions => _ordered;

    /// <summary>The region with id <paramref name="id"/>, if configured.</summary>
    public bool TryGet(string id, out Region region) => _byId.TryGetValue(id, out region!);

    /// <summary>The first region (configuration order) whose area covers (x, y); null when none does.</summary>
    public Region? Locate(double x, double y)
    {
        foreach (var r in _ordered)
            if (r.Covers(x, y)) return r;
        return null;
    }

    /// <summary>True when <paramref name="id"/> is a well-formed region id (it becomes a grain key and part of store keys).</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>
    /// Validates <paramref name="definitions"/> (configured under <paramref name="section"/>, named in errors) into a map.
    /// Throws <see cref="ArgumentException"/> naming the key (<c>Cluster:Regions:2:Area</c>) and what is wrong.
    /// </summary>
    public static RegionMap From(IReadOnlyList<RegionDefinition> definitions, string section = "Cluster:Regions")
    {
        if (definitions.Count == 0) throw new ArgumentException($"{section}: no region is configured; a silo needs at least one");
        var reader = new WKTReader();
        var regions = new List<Region>(definitions.Count);
        for (int i = 0; i < definitions.Count; i++)
        {
            var d = definitions[i];
            string key = $"{section}:{i}";
            if (!IsValidId(d.Id))
                throw new ArgumentException($"{key}:Id: '{d.Id}' is not a region id (1 to 64 of A-Z a-z 0-9 . _ -)");
            if (regions.Any(r => r.Id == d.Id))
                throw new ArgumentException($"{key}:Id: region '{d.Id}' is configured twice");
            Geometry geometry;
            try
            {
                geometry = reader.Read(d.Area);
            }
            catch (Exception ex) when (ex is ParseException or ArgumentException or FormatException)
            {
                throw new ArgumentException($"{key}:Area: region '{d.Id}': '{d.Area}' is not WKT ({ex.Message})", ex);
            }
            if (geometry is not Polygon polygon || polygon.IsEmpty)
                throw new ArgumentException($"{key}:Area: region '{d.Id}': the area must be a non-empty POLYGON, found {geometry.GeometryType}");
            if (!polygon.IsValid || polygon.Area <= 0)
                throw new ArgumentException($"{key}:Area: region '{d.Id}': the polygon is not valid (self-intersecting or without area)");
            foreach (var other in regions)
            {
                // Shared borders are fine (neighbouring regions); a shared area would put a point in two regions.
                if (other.Area.Intersection(polygon).Area > 0)
                    throw new ArgumentException($"{key}:Area: region '{d.Id}' overlaps region '{other.Id}'; regions may share borders, not area");
            }
            regions.Add(new Region(d.Id, polygon));
        }
        return new RegionMap(regions);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();
}
