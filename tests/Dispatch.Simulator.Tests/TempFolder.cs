namespace Dispatch.Simulator.Tests;

/// <summary>
/// A fresh folder path under the temp directory for one test's output, deleted with everything in it on
/// dispose, so a test that fails half-way leaves nothing behind. The folder is not created here: the
/// command under test creates it, as a user's run would.
/// </summary>
public sealed class TempFolder(string prefix) : IDisposable
{
    /// <summary>The folder: <c>prefix-</c> and a new GUID under <see cref="System.IO.Path.GetTempPath"/>.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
