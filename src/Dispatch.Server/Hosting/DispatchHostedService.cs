using Dispatch.Server.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Hosting;

/// <summary>
/// Runs a <see cref="DispatchServer"/> inside the generic host: started with the host, drained on
/// SIGTERM / Ctrl+C (the host's console lifetime calls <see cref="StopAsync"/>), and the host is
/// stopped with a non-zero exit code if the engine fails (for instance a journal write error).
/// </summary>
internal sealed class DispatchHostedService(IOptions<ServerOptions> options, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : IHostedService
{
    private readonly ILogger _log = loggers.CreateLogger("Dispatch.Server.Host");
    private DispatchServer? _server;
    private volatile bool _stopping;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new DispatchServer(options.Value, loggers);
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        double host = ProcessStartClock.SinceMainMilliseconds; // first: the port is open now
        if (!double.IsNaN(host))
        {
            double toMain = ProcessStartClock.ToMainMilliseconds;
            _log.LogInformation("Serving {Total:F0} ms after the process started: {ToMain:F0} ms to Main, then {Host:F0} ms to the open port (recovery {Recovery:F0} ms of it)",
                toMain + host, toMain, host, _server.Recovery?.Milliseconds ?? 0);
        }
        _ = _server.Completion.ContinueWith(t =>
        {
            if (_stopping) return;
            _log.LogCritical(t.Exception, "The engine stopped unexpectedly; stopping the host");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }
}
