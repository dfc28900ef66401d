namespace Dispatch.Simulator.Staffing;

/// <summary>
/// Restaurant clusters (areas) by k-means on restaurant coordinates. Deterministic: the first centre is
/// the restaurant nearest the centroid, each next one the restaurant farthest from the centres so far
/// (so the same restaurants always give the same areas), then Lloyd iterations until nothing moves.
/// </summary>
public sealed class RestaurantAreas
{
    private RestaurantAreas(int[] areaOf, double[] centreX, double[] centreY)
    {
        AreaOf = areaOf;
        CentreX = centreX;
        CentreY = centreY;
    }

    /// <summary>Area index of each restaurant (same order as the input).</summary>
    public int[] AreaOf { get; }

    /// <summary>x of each area's centre, metres.</summary>
    public double[] CentreX { get; }

    /// <summary>y of each area's centre, metres.</summary>
    public double[] CentreY { get; }

    /// <summary>Number of areas (at most the number of distinct restaurants asked for).</summary>
    public int Count => CentreX.Length;

    /// <summary>Clusters <paramref name="xs"/>/<paramref name="ys"/> into at most <paramref name="areas"/> areas.</summary>
    public static RestaurantAreas Cluster(IReadOnlyList<double> xs, IReadOnlyList<double> ys, int areas)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count != ys.Count) throw new ArgumentException($"xs has {xs.Count} values and ys {ys.Count}", nameof(ys));
        if (areas < 1) throw new ArgumentOutOfRangeException(nameof(areas), areas, "areas must be at least 1");
        int n = xs.Count;
        if (n == 0) return new RestaurantAreas([], [], []);
        int k = Math.Min(areas, n);

        double mx = xs.Average(), my = ys.Average();
        var cx = new List<double>(k);
        var cy = new List<double>(k);
        int first = 0;
        for (int i = 1; i < n; i++)
            if (Sq(xs[i] - mx, ys[i] - my) < Sq(xs[first] - mx, ys[first] - my)) first = i;
        cx.Add(xs[first]);
        cy.Add(ys[first]);
        var nearest = new double[n];
        for (int i = 0; i < n; i++) nearest[i] = Sq(xs[i] - cx[0], ys[i] - cy[0]);
        while (cx.Count < k)
        {
            int far = 0;
            for (int i = 1; i < n; i++) if (nearest[i] > nearest[far]) far = i;
            if (nearest[far] == 0) break; // every restaurant sits on a centre: fewer distinct points than areas
            cx.Add(xs[far]);
            cy.Add(ys[far]);
            for (int i = 0; i < n; i++) nearest[i] = Math.Min(nearest[i], Sq(xs[i] - xs[far], ys[i] - ys[far]));
        }

        k = cx.Count;
        var areaOf = new int[n];
        for (int iteration = 0; iteration < 100; iteration++)
        {
            bool moved = false;
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                for (int c = 1; c < k; c++)
                    if (Sq(xs[i] - cx[c], ys[i] - cy[c]) < Sq(xs[i] - cx[best], ys[i] - cy[best])) best = c;
                if (iteration == 0 || best != areaOf[i]) moved = true;
                areaOf[i] = best;
            }
            if (!moved) break;
            var sx = new double[k];
            var sy = new double[k];
            var count = new int[k];
            for (int i = 0; i < n; i++)
            {
                sx[areaOf[i]] += xs[i];
                sy[areaOf[i]] += ys[i];
                count[areaOf[i]]++;
            }
            for (int c = 0; c < k; c++)
            {
                if (count[c] == 0) continue; // an emptied centre stays where it was
                cx[c] = sx[c] / count[c];
                cy[c] = sy[c] / count[c];
            }
        }
        return new RestaurantAreas(areaOf, cx.ToArray(), cy.ToArray());
    }

    /// <summary>The area whose centre is nearest to (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public int NearestArea(double x, double y)
    {
        if (Count == 0) throw new InvalidOperationException("no areas: there were no restaurants to cluster");
        int best = 0;
        for (int c = 1; c < Count; c++)
            if (Sq(x - CentreX[c], y - CentreY[c]) < Sq(x - CentreX[best], y - CentreY[best])) best = c;
        return best;
    }

    private static double Sq(double dx, double dy) => dx * dx + dy * dy;
}
