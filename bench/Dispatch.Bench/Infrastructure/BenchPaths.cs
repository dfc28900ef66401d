namespace Dispatch.Bench.Infrastructure;

/// <summary>Where the bench finds the repository, the shared MDRP traces and its results folder.</summary>
internal static class BenchPaths
{
    /// <summary>The trace the peer comparison and the busiest-minute benchmarks use: seed 5 is the largest (2,724 orders).</summary>
    public const string LargestTrace = "5o100t100s1p100";

    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The folder holding Dispatch.sln, found by walking up from the working directory or the binaries
    /// (BenchmarkDotNet runs benchmarks from a generated folder below bin/).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shared MDRP instance folders; DISPATCH_MDRP_INSTANCES overrides.</summary>
    public static string SharedInstances =>
        Environment.GetEnvironmentVariable("DISPATCH_MDRP_INSTANCES") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "mdrp", "instances"));

    public static string Instance(string name) => Path.Combine(SharedInstances, name);

    public static string ResultsDir => Path.Combine(RepoRoot, "bench", "results");

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Dispatch.sln not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}");
    }
}
