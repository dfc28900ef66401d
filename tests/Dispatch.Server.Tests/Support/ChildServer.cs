using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Dispatch.Server.Tests;

/// <summary>
/// The real server as a child process (`dotnet Dispatch.Server.dll`) on 127.0.0.1 with an ephemeral
/// port and the manual clock, for the tests that kill it (-9) or stop it (SIGTERM) and restart it on
/// the same data directory.
/// </summary>
internal sealed partial class ChildServer : IDisposable
{
    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public required Process Process { get; init; }
    public required int Port { get; init; }
    public required StringWriter Log { get; init; }

    /// <summary>Everything the server logged so far.</summary>
    public string Text { get { lock (Log) return Log.ToString(); } }

    /// <summary>Starts the server on <paramref name="dataDir"/> with <paramref name="extraArgs"/> and waits until it listens.</summary>
    public static async Task<ChildServer> StartAsync(string dataDir, params string[] extraArgs)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Dispatch.Server.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir, // no stray appsettings.json
        };
        foreach (var a in new[] { dll, "--port", "0", "--address", "127.0.0.1", "--data", dataDir, "--clock", "Manual" }.Concat(extraArgs))
            psi.ArgumentList.Add(a);
        var log = new StringWriter();
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var p = new Process { StartInfo = psi };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.WriteLine(e.Data);
            var m = Listening().Match(e.Data);
            if (m.Success) port.TrySetResult(int.Parse(m.Groups[1].Value));
        };
        p.OutputDataReceived += onLine;
        p.ErrorDataReceived += onLine;
        p.Exited += (_, _) => port.TrySetException(new Xunit.Sdk.XunitException("server exited early:\n" + log));
        p.EnableRaisingEvents = true;
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            return new ChildServer { Process = p, Port = await port.Task.WaitAsync(TimeSpan.FromSeconds(60)), Log = log };
        }
        catch
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            throw;
        }
    }

    /// <summary>SIGTERM (graceful: drain, flush, snapshot) and wait for the exit.</summary>
    public async Task StopGracefullyAsync()
    {
        if (OperatingSystem.IsWindows()) Process.Kill(); // no SIGTERM there; the test then only checks what a kill keeps
        else Assert.Equal(0, kill(Process.Id, 15 /* SIGTERM */));
        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGKILL (no shutdown code runs) and wait for the exit.</summary>
    public async Task KillAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        try { if (!Process.HasExited) Process.Kill(); } catch (InvalidOperationException) { }
        Process.WaitForExit(10_000);
        Process.Dispose();
    }
}
