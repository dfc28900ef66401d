namespace Dispatch.Simulator.Tests.LiLim;

/// <summary>
/// A hand-made Li &amp; Lim instance small enough to check by hand, and where the shared benchmark
/// lives (../shared/lilim beside the repository).
/// </summary>
public static class LiLimTestData
{
    /// <summary>
    /// Two vehicles of capacity 7, depot at the origin open until 75, three requests:
    /// 1 -> 2 (load 4), 3 -> 4 (load 4, pickup window [20, 40]) and 5 -> 6 (load 3, 10 minutes of
    /// service at 6). Coordinates are picked so that most legs are whole numbers; requests 1 and 3
    /// carry the same load so that their deliveries can be swapped without the load going below 0.
    /// </summary>
    public const string TinyInstanceText = """
        2 7 1
        0   0   0   0   0   75   0   0   0
        1   3   4   4   0   50   1   0   2
        2   6   8  -4   0   60   1   1   0
        3   0  10   4  20   40   2   0   4
        4   0  20  -4   0   80   2   3   0
        5  -3   4   3   0  100   1   0   6
        6  -6   8  -3   0  100  10   5   0
        """;

    public static LiLimInstance TinyInstance() => LiLimInstance.Parse("tiny", new StringReader(TinyInstanceText));

    /// <summary>
    /// Route 1 = 1 2 5 6: service at 5, 11, 21.85 (after sqrt(97) from 2 to 5), 27.85, back at 47.85;
    /// load 4 0 3 0. Route 2 = 3 4: arrives at 3 at 10 and waits for 20, serves 4 at 32, back at 54;
    /// load 4 0.
    /// </summary>
    public static int[][] TinyFeasibleRoutes() => [[1, 2, 5, 6], [3, 4]];

    /// <summary>Length of <see cref="TinyFeasibleRoutes"/>: 5 + 5 + sqrt(97) + 5 + 10 on route 1, 10 + 10 + 20 on route 2.</summary>
    public static readonly double TinyFeasibleDistance = 65 + Math.Sqrt(97);

    public static string SharedLiLim => Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "lilim"));
    public static string SharedInstances => Path.Combine(SharedLiLim, "instances");
    public static string SharedBestKnown => Path.Combine(SharedLiLim, "bks.csv");

    /// <summary>The shared benchmark folder; when it is absent, the test is skipped (failed in CI), see <see cref="TestPaths.Require"/>.</summary>
    public static string RequireSharedLiLim()
    {
        TestPaths.Require(Directory.Exists(SharedInstances) && File.Exists(SharedBestKnown),
            $"the shared Li & Lim benchmark (instances/ and bks.csv) is not at {SharedLiLim}");
        return SharedLiLim;
    }
}
