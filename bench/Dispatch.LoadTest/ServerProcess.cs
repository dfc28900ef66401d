using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Dispatch.LoadTest;

/// <summary>
/// The real server (Release build of src/Dispatch.Server) as a child process on 127.0.0.1 and an
/// ephemeral port. Killed by its own PID only (Process.Kill(entireProcessTree: true) = SIGKILL on Linux).
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    private readonly StringBuilder _log = new();

    private ServerProcess(Process process) => Process = process;

    public Process Process { get; }

    public int Port { get; private set; }

    public int Pid => Process.Id;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the driver saw the server's listening line (0 before).</summary>
    public long ListeningSeenTimestamp { get; private set; }

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Finds src/Dispatch.Server/bin/Release/net10.0/Dispatch.Server.dll above the current directory or this program.</summary>
    public static string LocateServerDll(string? given)
    {
        if (given is not null)
        {
            if (!File.Exists(given)) throw new FileNotFoundException($"server dll not found: {given}");
            return Path.GetFullPath(given);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "Dispatch.sln"))) continue;
                string dll = Path.Combine(dir.FullName, "src", "Dispatch.Server", "bin", "Release", "net10.0", "Dispatch.Server.dll");
                if (File.Exists(dll)) return dll;
                throw new FileNotFoundException($"{dll} not found: build it first (dotnet build src/Dispatch.Server -c Release) or pass --server-dll");
            }
        }
        throw new FileNotFoundException("Dispatch.sln not found above the current directory; pass --server-dll");
    }

    public static async Task<ServerProcess> StartAsync(string dll, string dataDir, string clock, string fsync, int port = 0, IEnumerable<string>? extra = null)
    {
        Directory.CreateDirectory(dataDir);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir, // no stray appsettings.json
        };
        foreach (var a in new[] { dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--address", "127.0.0.1", "--data", dataDir, "--clock", clock, "--fsync", fsync })
            psi.ArgumentList.Add(a);
        if (extra is not null) foreach (var a in extra) psi.ArgumentList.Add(a);
        // Info-level logs only at start and stop: nothing per command, so logging costs nothing under load.
        psi.Environment["Logging__LogLevel__Default"] = "Information";
        // The generator's own socket setting is not the server's (InlineSocketCompletions): the server chooses for itself.
        psi.Environment.Remove(InlineSocketCompletions.Variable);
        // DISPATCH_SERVER_ENV="K=V;K2=V2": runtime knobs for the server process only (GC, thread pool, sockets experiments).
        if (Environment.GetEnvironmentVariable("DISPATCH_SERVER_ENV") is { Length: > 0 } env)
            foreach (var kv in env.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (kv.Split('=', 2) is [var k, var v]) psi.Environment[k] = v;
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new ServerProcess(p);
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null) return;
            lock (server._log) server._log.AppendLine(e.Data);
            var m = Listening().Match(e.Data);
            if (m.Success && server.ListeningSeenTimestamp == 0) server.ListeningSeenTimestamp = Stopwatch.GetTimestamp();
            if (m.Success) ready.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        };
        p.OutputDataReceived += onLine;
        p.ErrorDataReceived += onLine;
        p.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("server exited before listening:\n" + server.Log));
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            server.Port = await ready.Task.WaitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Kill();
            server.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL to this process (and its children) by PID: no shutdown code runs.</summary>
    public void Kill()
    {
        try { if (!Process.HasExited) Process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already gone */ }
    }

    public async Task WaitForExitAsync(TimeSpan timeout) => await Process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);

    public void Dispose()
    {
        Kill();
        bool exited = false;
        try { exited = Process.WaitForExit(10_000); } catch (InvalidOperationException) { exited = true; }
        if (exited) RemoveDiagnosticSocket(Pid);
        Process.Dispose();
    }

    /// <summary>
    /// The runtime of every .NET process makes a diagnostics socket in the temporary folder
    /// (<c>dotnet-diagnostic-PID-…-socket</c>, for dotnet-trace and the like) and removes it when it exits normally; a
    /// process killed by SIGKILL leaves it behind. The soak and the restart bench kill hundreds of servers: without this,
    /// each left one more file in /tmp.
    /// </summary>
    private static void RemoveDiagnosticSocket(int pid)
    {
        try
        {
            foreach (string f in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket"))
                File.Delete(f);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* best effort: a stale socket harms nothing */ }
    }
}
