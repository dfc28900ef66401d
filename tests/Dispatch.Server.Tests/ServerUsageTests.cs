using System.Diagnostics;
using Dispatch.Server.Hosting;

namespace Dispatch.Server.Tests;

public class ServerUsageTests
{
    /// <summary>The real executable: --help prints the usage and exits 0 without binding a port or creating ./data.</summary>
    [Fact]
    public async Task Help_prints_usage_and_exits_without_starting()
    {
        string dir = TestServer.NewDataDirectory();
        Directory.CreateDirectory(dir);
        try
        {
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(typeof(ServerUsage).Assembly.Location);
            psi.ArgumentList.Add("--help");
            using var process = Process.Start(psi)!;
            string output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TestServer.Timeout);
            await process.WaitForExitAsync().WaitAsync(TestServer.Timeout);

            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Usage: Dispatch.Server", output);
            foreach (string option in ServerHostBuilder.SwitchMappings.Keys) Assert.Contains(option, output);
            Assert.Empty(Directory.GetFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "--port", "7000", "-h" }, true)]
    [InlineData(new[] { "--port", "7000" }, false)]
    public void Help_is_recognised_anywhere_on_the_line(string[] args, bool expected) =>
        Assert.Equal(expected, ServerUsage.IsRequested(args));
}
