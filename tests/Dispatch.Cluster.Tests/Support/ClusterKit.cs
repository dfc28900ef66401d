using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Grains;
using Dispatch.Cluster.Hosting;
using Dispatch.Cluster.Regions;
using Dispatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>
/// An in-process Orleans cluster (Orleans.TestingHost) of <c>silos</c> silos hosting the region grains of
/// <see cref="Scenario.Regions"/> over one shared store, membership in memory (the TestingHost's; RedisSilos runs the
/// real host with Redis membership).
/// </summary>
internal sealed class ClusterKit : IAsyncDisposable
{
    private ClusterKit(InProcessTestCluster cluster, IRegionStore store)
    {
        Cluster = cluster;
        Store = store;
    }

    public InProcessTestCluster Cluster { get; }

    public IRegionStore Store { get; }

    public static async Task<ClusterKit> StartAsync(IRegionStore store, short silos = 2, long snapshotEveryRecords = 0, Action<DispatchClusterOptions>? configure = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.Configure<DispatchClusterOptions>(o =>
            {
                o.SnapshotEveryRecords = snapshotEveryRecords;
                o.Regions = Scenario.Regions.Select(r => new RegionDefinition { Id = r.Id, Area = r.Area }).ToList();
                configure?.Invoke(o);
            });
            silo.Services.AddSingleton(store);
            silo.Services.AddDispatchRegions();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ClusterKit(cluster, store);
    }

    public IRegionGrain Region(string id) => Cluster.Client.GetGrain<IRegionGrain>(id);

    /// <summary>Sends one request to a region; its answer's frames, decoded.</summary>
    public async Task<List<ServerMessage>> Send(string region, Command c) => Frames.Read(await Region(region).Execute(Frames.Payload(c)));

    /// <summary>The in-process silo that hosts <paramref name="region"/>'s activation now.</summary>
    public async Task<InProcessSiloHandle> HostOf(string region)
    {
        var status = await Region(region).Status();
        var silos = Cluster.Silos.Where(s => s.IsActive).ToList();
        return silos.SingleOrDefault(s => status.Silo.Contains(s.SiloAddress.ToString(), StringComparison.Ordinal)
                                           || s.SiloAddress.ToString().Contains(status.Silo, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no active silo matches '{status.Silo}' ({string.Join(", ", silos.Select(s => s.SiloAddress))})");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
        }
    }
}
