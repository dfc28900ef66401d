using System.Globalization;
using System.Text;
using Dispatch.Cluster.Simulation;
using Dispatch.Simulator.Generation;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Dispatch.ClusterSim;

/// <summary>
/// The region map of a multi-region day, as an SVG the results page embeds: each region's area with its id, orders placed
/// and couriers starting there, the restaurants, and the deliveries that cross a border (restaurant to drop-off), which
/// are what splitting into regions costs. Drawn in the engine's own coordinates (metres), as the operator report is.
/// </summary>
internal static class RegionMapSvg
{
    private const double Width = 1200, Margin = 30;

    public static string Draw(SideBySideDay generated, RegionDay day)
    {
        var ci = CultureInfo.InvariantCulture;
        var reader = new WKTReader();
        var areas = generated.Regions.Select(r => (r.Id, Area: reader.Read(r.AreaWkt))).ToList();
        // The drawing covers the day's points (the outer strips reach far past them).
        var points = day.Sites.Select(s => (s.X, s.Y)).Concat(day.Orders.Select(o => (o.DropX, o.DropY))).Concat(day.Couriers.Select(c => (c.X, c.Y))).ToList();
        double minX = points.Min(p => p.Item1), maxX = points.Max(p => p.Item1), minY = points.Min(p => p.Item2), maxY = points.Max(p => p.Item2);
        double scale = (Width - 2 * Margin) / Math.Max(1, maxX - minX);
        double height = (maxY - minY) * scale + 2 * Margin + 40;
        string X(double x) => ((x - minX) * scale + Margin).ToString("F1", ci);
        string Y(double y) => ((maxY - y) * scale + Margin).ToString("F1", ci); // north up
        int RegionOf(double x, double y)
        {
            var p = new Point(x, y);
            for (int i = 0; i < areas.Count; i++) if (areas[i].Area.Covers(p)) return i;
            return -1;
        }
        var sites = day.Sites.ToDictionary(s => s.Id);
        string[] fills = ["#dbeafe", "#dcfce7", "#fef3c7", "#fce7f3", "#e0e7ff", "#ccfbf1", "#fee2e2", "#f3e8ff"];

        var b = new StringBuilder();
        b.AppendLine(ci, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width:F0}" height="{height:F0}" viewBox="0 0 {Width:F0} {height:F0}" font-family="sans-serif" font-size="13">""");
        b.AppendLine(ci, $"""<rect width="{Width:F0}" height="{height:F0}" fill="#ffffff"/>""");
        var clip = new Envelope(minX, maxX, minY, maxY);
        for (int i = 0; i < areas.Count; i++)
        {
            var shown = areas[i].Area.Intersection(new GeometryFactory().ToGeometry(clip));
            foreach (var polygon in Polygons(shown))
                b.AppendLine(ci, $"""<polygon points="{string.Join(' ', polygon.ExteriorRing.Coordinates.Select(c => X(c.X) + "," + Y(c.Y)))}" fill="{fills[i % fills.Length]}" stroke="#475569" stroke-width="1.5"/>""");
        }
        foreach (var o in day.Orders)
        {
            var s = sites[o.Site];
            if (RegionOf(s.X, s.Y) == RegionOf(o.DropX, o.DropY)) continue;
            b.AppendLine(ci, $"""<line x1="{X(s.X)}" y1="{Y(s.Y)}" x2="{X(o.DropX)}" y2="{Y(o.DropY)}" stroke="#dc2626" stroke-opacity="0.35" stroke-width="1"/>""");
        }
        foreach (var s in day.Sites) b.AppendLine(ci, $"""<circle cx="{X(s.X)}" cy="{Y(s.Y)}" r="1.8" fill="#1e293b"/>""");
        for (int i = 0; i < areas.Count; i++)
        {
            var c = areas[i].Area.Intersection(new GeometryFactory().ToGeometry(clip)).Centroid;
            int orders = day.Orders.Count(o => RegionOf(sites[o.Site].X, sites[o.Site].Y) == i);
            int couriers = day.Couriers.Count(k => RegionOf(k.X, k.Y) == i);
            b.AppendLine(ci, $"""<text x="{X(c.X)}" y="{Margin + 16:F0}" text-anchor="middle" font-weight="bold">{areas[i].Id}</text>""");
            b.AppendLine(ci, $"""<text x="{X(c.X)}" y="{Margin + 32:F0}" text-anchor="middle">{orders} orders, {couriers} shifts start here</text>""");
        }
        int crossing = day.Orders.Count(o => RegionOf(sites[o.Site].X, sites[o.Site].Y) != RegionOf(o.DropX, o.DropY));
        b.AppendLine(ci, $"""<text x="{Margin:F0}" y="{height - 14:F0}">{generated.Day.Name}: {areas.Count} regions; dots restaurants; red lines the {crossing} deliveries that cross a border (restaurant to drop-off); {1000 * scale:F1} px per km</text>""");
        b.AppendLine("</svg>");
        return b.ToString();
    }

    private static IEnumerable<Polygon> Polygons(Geometry g) => g switch
    {
        Polygon p => [p],
        MultiPolygon m => m.Geometries.OfType<Polygon>(),
        _ => [],
    };
}
