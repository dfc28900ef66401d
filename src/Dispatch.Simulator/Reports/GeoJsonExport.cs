using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace Dispatch.Simulator.Reports;

/// <summary>
/// routes.geojson: restaurants and drop-offs as points, every courier's day of moves as one
/// polyline (plus a start point), as NetTopologySuite features written by the GeoJSON4STJ converter.
/// Coordinates are the trace's planar metres (x east, y north), not longitude/latitude: the MDRP
/// traces are anonymized, so load the file in a GIS as a local projected CRS.
/// </summary>
public static class GeoJsonExport
{
    public const string FileName = "routes.geojson";

    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 0);

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        Converters = { new GeoJsonConverterFactory() },
    };

    /// <summary>The features: kind = restaurant | dropoff | courier_start | route.</summary>
    public static FeatureCollection Build(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var inst = data.Instance;
        var fc = new FeatureCollection();
        foreach (var r in inst.Restaurants)
            fc.Add(new Feature(Factory.CreatePoint(new Coordinate(r.X, r.Y)), new AttributesTable { { "kind", "restaurant" }, { "id", r.Id } }));

        var delivered = new Dictionary<string, Mdrp.MdrpOrderRecord>(StringComparer.Ordinal);
        foreach (var (_, line) in data.Delivered) delivered[line.Order] = line;
        foreach (var o in inst.Orders)
        {
            var a = new AttributesTable { { "kind", "dropoff" }, { "id", o.Id }, { "restaurant", o.Restaurant }, { "placement_time", o.PlacementTime }, { "ready_time", o.ReadyTime } };
            if (delivered.TryGetValue(o.Id, out var line))
            {
                a.Add("delivered", true);
                a.Add("courier", line.Courier);
                a.Add("pickup_time", line.PickupTime);
                a.Add("dropoff_time", line.DropoffTime);
                a.Add("click_to_door", line.DropoffTime - o.PlacementTime);
            }
            else a.Add("delivered", false);
            fc.Add(new Feature(Factory.CreatePoint(new Coordinate(o.X, o.Y)), a));
        }

        foreach (var c in data.Couriers.Zip(inst.Couriers))
        {
            fc.Add(new Feature(Factory.CreatePoint(new Coordinate(c.Second.X, c.Second.Y)), new AttributesTable
            {
                { "kind", "courier_start" }, { "courier", c.First.Courier }, { "on_time", c.First.OnTime }, { "off_time", c.First.OffTime },
                { "delivered", c.First.Delivered }, { "utilization", Math.Round(c.First.Utilization, 4) },
            }));
        }

        foreach (var g in data.Legs.GroupBy(l => l.Courier, StringComparer.Ordinal))
        {
            var legs = g.ToList();
            var coords = new List<Coordinate> { new(legs[0].X1, legs[0].Y1) };
            foreach (var l in legs)
            {
                // A leg starts where the previous one ended; if not (a gap in the files), jump there.
                var start = new Coordinate(l.X1, l.Y1);
                if (!coords[^1].Equals2D(start)) coords.Add(start);
                coords.Add(new Coordinate(l.X2, l.Y2));
            }
            if (coords.Count < 2) coords.Add(coords[0].Copy());
            fc.Add(new Feature(Factory.CreateLineString(coords.ToArray()), new AttributesTable
            {
                { "kind", "route" }, { "courier", g.Key }, { "moves", legs.Count },
                { "first_departure", legs[0].Departure }, { "last_arrival", legs[^1].Arrival },
                { "stops", string.Join(' ', legs.Select(l => l.Destination)) },
                { "departures", legs.Select(l => l.Departure).ToArray() },
            }));
        }
        return fc;
    }

    public static string ToJson(FeatureCollection features) => JsonSerializer.Serialize(features, Options);

    /// <summary>Writes routes.geojson into <paramref name="dir"/>; returns its path.</summary>
    public static string Write(string dir, ReportData data)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, FileName);
        using var stream = File.Create(path);
        JsonSerializer.Serialize(stream, Build(data), Options);
        return path;
    }
}
