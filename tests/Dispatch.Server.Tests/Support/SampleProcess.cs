using System.Diagnostics;

namespace Dispatch.Server.Tests.Support;

/// <summary>A sample client (Python script or .NET program) run as its own process against a test server.</summary>
internal static class SampleProcess
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; its exit code and stdout + stderr, or -1 once <paramref name="timeout"/> passes (the process is killed).</summary>
    public static async Task<(int Code, string Output)> Run(TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalSeconds:0} s\n" + await stdout + await stderr);
        }
        return (p.ExitCode, await stdout + await stderr);
    }

    /// <summary>The repository's root: the first folder above the test binaries that holds Dispatch.sln.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Dispatch.sln not found above {AppContext.BaseDirectory}");
    }
}
