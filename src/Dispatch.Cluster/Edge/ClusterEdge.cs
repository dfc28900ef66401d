using System.Net;
using Dispatch.Cluster.Hosting;
using Dispatch.Cluster.Pushes;
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
    private RegionPushHub? _pushes;

    /// <summary>The bound address once started (the real port when 0 was asked for).</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = serverOptions.Value;
        var cluster = clusterOptions.Value;
        _pushes = new RegionPushHub(grains, TimeSpan.FromSeconds(cluster.SubscriptionRefreshSeconds), loggerFactory.CreateLogger<RegionPushHub>());
        _pushes.Start();
        var pushes = _pushes;
        _server = new DispatchServer(options, (_, lf) => new RegionCommandHost(grains, pushes, regions, cluster.DefaultRegion, options.ServerName, options.MaxFrameBytes,
            options.InboxCapacity, TimeProvider.System, lf.CreateLogger("Dispatch.Cluster.Edge")), loggerFactory);
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_pushes is not null) await _pushes.DisposeAsync().ConfigureAwait(false);
        _pushes = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        if (_pushes is not null) await _pushes.DisposeAsync().ConfigureAwait(false);
    }
}
