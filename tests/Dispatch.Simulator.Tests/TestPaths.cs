namespace Dispatch.Simulator.Tests;

/// <summary>
/// Where the tests find the repository and the shared, read-only MDRP traces
/// (../shared/mdrp/instances beside the repository).
/// </summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The folder holding Dispatch.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shared MDRP instance folders (168 recorded traces).</summary>
    public static string SharedMdrpInstances => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "mdrp", "instances"));

    /// <summary>True on a CI runner (environment variable CI = "true"), where missing test data is an error.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder of one shared instance; when it is absent, see <see cref="Require"/>.</summary>
    public static string SharedMdrpInstance(string name)
    {
        string dir = Path.Combine(SharedMdrpInstances, name);
        Require(Directory.Exists(dir), $"shared MDRP instance '{name}' not found at {dir}");
        return dir;
    }

    /// <summary>
    /// What a test needs from this machine (shared data, a browser) and may lack: when
    /// <paramref name="present"/> is false the test is skipped with <paramref name="missing"/> as the
    /// reason (it must be a <c>[SkippableFact]</c> or <c>[SkippableTheory]</c>), except in CI, where the
    /// test fails: .ci/run provides all of it, and a skip there would hide lost coverage.
    /// </summary>
    public static void Require(bool present, string missing)
    {
        if (present) return;
        if (IsCi) throw new InvalidOperationException(missing + " (CI=true: it must be present)");
        Skip.If(true, missing);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Dispatch.sln not found above {AppContext.BaseDirectory}");
    }
}
