using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Regions;
using Dispatch.Protocol;
using Dispatch.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dispatch.Cluster.Hosting;

/// <summary>
/// What a silo needs to host region grains: the validated region map, the engine settings on a manual clock, and the
/// store (Redis unless one was registered before: the in-process tests register their own). Shared by the host
/// (<see cref="ClusterHostBuilder"/>) and the tests, so both run the same grains the same way.
/// </summary>
public static class RegionServices
{
    /// <summary>Registers the region grains' services on <paramref name="services"/>.</summary>
    public static IServiceCollection AddDispatchRegions(this IServiceCollection services)
    {
        services.TryAddSingleton<Metrics.ClusterMetrics>();
        services.TryAddSingleton(sp => RegionMap.From(sp.GetRequiredService<IOptions<DispatchClusterOptions>>().Value.Regions));
        // This increment's regions run on the caller's clock (the sidecar's manual mode): a Tick moves a region's time.
        services.PostConfigure<ServerOptions>(o => o.Clock = ClockMode.Manual);
        services.TryAddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(sp.GetRequiredService<IOptions<DispatchClusterOptions>>().Value.Redis));
        services.TryAddSingleton<IRegionStore>(sp =>
            new RedisRegionStore(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<IOptions<DispatchClusterOptions>>().Value.KeyPrefix));
        // Runs hand-off rounds only when Cluster:Handoff:EverySeconds is set.
        services.AddHostedService<Handoff.HandoffPump>();
        return services;
    }
}
