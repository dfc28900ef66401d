using Xunit.Abstractions;

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

    /// <summary>
    /// The folder of one shared instance, or null when the shared folder is absent on a developer
    /// machine (the test should then return early; a note goes to <paramref name="output"/>).
    /// In CI a missing folder fails the test: silently skipping there would hide lost coverage.
    /// </summary>
    public static string? SharedMdrpInstanceOrSkip(string name, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(output);
        string dir = Path.Combine(SharedMdrpInstances, name);
        if (Directory.Exists(dir)) return dir;
        string message = $"shared MDRP instance '{name}' not found at {dir}";
        if (IsCi) throw new DirectoryNotFoundException(message + " (CI=true: the shared traces must be present)");
        output.WriteLine("SKIPPED: " + message);
        return null;
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
