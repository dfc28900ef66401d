using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>
/// A real silo process (<c>dotnet Dispatch.Cluster.dll</c>, from this test's output folder) on loopback ports, over the test
/// Redis, with the given regions (by default those of <see cref="Scenario.Regions"/>): what <see cref="Kill"/> can end with SIGKILL.
/// </summary>
internal sealed class ChildSilo : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildSilo(Process process, int siloPort, int gatewayPort, int edgePort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        EdgePort = edgePort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int EdgePort { get; }

    public bool Alive => !_process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static Task<ChildSilo> StartAsync(string clusterId, string keyPrefix, params string[] extra) =>
        StartAsync(clusterId, keyPrefix, Scenario.Regions.Select(r => (r.Id, r.Area)).ToList(), extra);

    public static Task<ChildSilo> StartAsync(string clusterId, string keyPrefix, IReadOnlyList<(string Id, string Area)> regions, params string[] extra) =>
        StartAsync(clusterId, keyPrefix, regions, null, extra);

    /// <summary>A silo on <paramref name="ports"/> (a replacement on a killed silo's address, as a restarted machine), else on free ports.</summary>
    public static async Task<ChildSilo> StartAsync(string clusterId, string keyPrefix, IReadOnlyList<(string Id, string Area)> regions,
        (int Silo, int Gateway, int Edge)? ports, params string[] extra)
    {
        int siloPort = ports?.Silo ?? FreePort(), gatewayPort = ports?.Gateway ?? FreePort(), edgePort = ports?.Edge ?? FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Dispatch.Cluster.dll"));
        foreach (var a in new[] { "--redis", TestRedis.Address, "--cluster-id", clusterId, "--key-prefix", keyPrefix,
                     "--silo-port", Text(siloPort), "--gateway-port", Text(gatewayPort), "--port", Text(edgePort),
                     "--Logging:LogLevel:Default=Warning" })
            psi.ArgumentList.Add(a);
        for (int i = 0; i < regions.Count; i++)
        {
            psi.ArgumentList.Add($"--Cluster:Regions:{i}:Id={regions[i].Id}");
            psi.ArgumentList.Add($"--Cluster:Regions:{i}:Area={regions[i].Area}");
        }
        foreach (var a in extra) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        var silo = new ChildSilo(process, siloPort, gatewayPort, edgePort);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Ready once the edge accepts connections: it opens after the silo has joined the cluster.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"silo exited with {process.ExitCode}:\n{silo.Output}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"silo's edge not listening after 60 s:\n{silo.Output}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, edgePort);
                return silo;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>SIGKILL: no deactivation, no snapshot, no goodbye to the cluster.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
