using System.Net;
using Dispatch.Cluster.Hosting;
using Dispatch.Cluster.Regions;
using Dispatch.Server;
using Dispatch.Server.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Cluster.Edge;

/// <summary>
/// A silo's TCP edge: the server's front end (<see cref="DispatchServer"/>, configured by the "Dispatch" section as the
/// sidecar is: <c>--port</c>, <c>--address</c>, TLS, tokens, limits) in front of a <see cref="RegionCommandHost"/>. Started
/// after Orleans (registered after it), so the grains it calls exist; stopped before it.
/// </summary>
internal sealed class ClusterEdge(IGrainFactory grains, RegionMap regions, IOptions<ServerOptions> serverOptions, IOptions<DispatchClusterOptions> clusterOptions,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private DispatchServer? _server;

    /// <summary>The bound address once started (the real port when 0 was asked for).</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = serverOptions.Value;
        var cluster = clusterOptions.Value;
        _server = new DispatchServer(options, (_, lf) => new RegionCommandHost(grains, regions, cluster.DefaultRegion, options.ServerName, options.MaxFrameBytes,
            options.InboxCapacity, TimeProvider.System, lf.CreateLogger("Dispatch.Cluster.Edge")), loggerFactory);
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }
}
