using System.Net;
using System.Net.Sockets;
using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Hosting;
using Dispatch.Cluster.Regions;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatch.ClusterSim;

/// <summary>
/// A real Orleans silo in this process (the product's region grains, <see cref="RegionServices.AddDispatchRegions"/>,
/// localhost membership on free ports) with the given regions, engine settings and store: the cluster code path without
/// processes or sockets between client and silo, so the figures are the grains' decisions.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessCluster(IHost host, RegionMap map)
    {
        _host = host;
        Map = map;
    }

    public RegionMap Map { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<InProcessCluster> StartAsync(IReadOnlyList<RegionDefinition> regions, double metersPerMinute, DispatchOptions engine, IRegionStore store)
    {
        var map = RegionMap.From(regions, "--regions");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ServerOptions>(o =>
        {
            o.Travel = TravelMode.Euclidean;
            o.MetersPerMinute = metersPerMinute;
            o.Engine = engine;
        });
        builder.Services.Configure<DispatchClusterOptions>(o => o.Regions = [.. regions]);
        builder.Services.AddSingleton(store);
        builder.Services.AddDispatchRegions();
        string id = "sim-" + Guid.NewGuid().ToString("N")[..8];
        builder.UseOrleans(silo => silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: id, clusterId: id));
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessCluster(host, map);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
