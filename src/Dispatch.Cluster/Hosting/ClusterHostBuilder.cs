using System.Net;
using Dispatch.Server;
using Dispatch.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Dispatch.Cluster.Hosting;

/// <summary>
/// Builds a silo's generic host from command-line arguments, configured as the server is (docs/cluster.md): lowest to
/// highest precedence appsettings.json, appsettings.{Environment}.json, <c>--config &lt;file&gt;</c>, environment
/// variables (<c>Cluster__Redis=...</c>, <c>Dispatch__Travel=...</c>), the command line (<c>--redis</c>, <c>--silo-port</c>, or
/// any key as <c>--Cluster:SnapshotEveryRecords=500</c>). The "Cluster" section is <see cref="DispatchClusterOptions"/>; the
/// "Dispatch" section the server's engine settings. Membership lives in Redis (Microsoft.Orleans.Clustering.Redis).
/// </summary>
public static class ClusterHostBuilder
{
    /// <summary>The command-line short forms and the configuration keys they set.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>
    {
        ["--redis"] = "Cluster:Redis",
        ["--cluster-id"] = "Cluster:ClusterId",
        ["--address"] = "Cluster:Address",
        ["--silo-port"] = "Cluster:SiloPort",
        ["--gateway-port"] = "Cluster:GatewayPort",
        ["--key-prefix"] = "Cluster:KeyPrefix",
        ["--port"] = "Dispatch:Port",
        ["--default-region"] = "Cluster:DefaultRegion",
        ["--travel"] = "Dispatch:Travel",
        ["--speed"] = "Dispatch:MetersPerMinute",
    };

    /// <summary>A host builder with the silo's configuration sources, Orleans and the region grains.</summary>
    public static HostApplicationBuilder Create(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        if (ServerHostBuilder.ConfigFileArgument(args) is { } file) ServerHostBuilder.AddConfigFile(builder.Configuration, file);
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(SwitchMappings));

        var engine = builder.Configuration.GetSection(ServerOptions.Section);
        builder.Services.Configure<ServerOptions>(engine);
        builder.Services.Configure<ServerOptions>(o => o.Engine = EngineConfiguration.Bind(engine, o.Engine));
        var section = builder.Configuration.GetSection(DispatchClusterOptions.Section);
        builder.Services.Configure<DispatchClusterOptions>(section);
        // Orleans' own settings are read here, before the host exists, so they are validated with a clear message now.
        var cluster = section.Get<DispatchClusterOptions>() ?? new DispatchClusterOptions();
        var address = Validate(cluster);
        builder.Services.AddDispatchRegions();

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            silo.ConfigureEndpoints(address, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: false);
            silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis));
            // Orleans' own failure detection and messaging settings, under their own names (Orleans:Membership:ProbeTimeout,
            // Orleans:Membership:NumMissedProbesLimit, Orleans:Messaging:ResponseTimeout, ...): how fast a killed silo is
            // declared dead, and so how fast its regions come back elsewhere, is Orleans' to decide (docs/cluster.md).
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Orleans:Membership"));
            silo.Services.Configure<SiloMessagingOptions>(builder.Configuration.GetSection("Orleans:Messaging"));
        });
        // After Orleans: hosted services start in order, so the edge opens its port once the silo is up, and stops first.
        if (cluster.Edge)
        {
            builder.Services.AddSingleton<Edge.ClusterEdge>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Edge.ClusterEdge>());
        }
        return builder;
    }

    private static IPAddress Validate(DispatchClusterOptions o)
    {
        if (!IPAddress.TryParse(o.Address, out var address))
            throw new ArgumentException($"Cluster:Address: '{o.Address}' is not an IP address (the address this silo advertises)");
        if (o.SiloPort is <= 0 or > 65535) throw new ArgumentException($"Cluster:SiloPort: {o.SiloPort} is not a TCP port (1..65535)");
        if (o.GatewayPort is <= 0 or > 65535) throw new ArgumentException($"Cluster:GatewayPort: {o.GatewayPort} is not a TCP port (1..65535)");
        if (o.SiloPort == o.GatewayPort) throw new ArgumentException($"Cluster:GatewayPort: {o.GatewayPort} is also Cluster:SiloPort; they must differ");
        if (string.IsNullOrWhiteSpace(o.Redis)) throw new ArgumentException("Cluster:Redis: empty; the silo needs the Redis that holds membership and region state (host:port)");
        o.Handoff.Validate();
        if (o.SnapshotEveryRecords < 0) throw new ArgumentException($"Cluster:SnapshotEveryRecords: {o.SnapshotEveryRecords} is negative (0: snapshots only at deactivation)");
        if (!(o.SubscriptionRefreshSeconds > 0) || double.IsInfinity(o.SubscriptionRefreshSeconds))
            throw new ArgumentException($"Cluster:SubscriptionRefreshSeconds: {o.SubscriptionRefreshSeconds} must be a positive number of seconds");
        // The regions are checked now too, so a typo stops the silo at start instead of at the first request.
        var map = Regions.RegionMap.From(o.Regions);
        if (o.DefaultRegion is { } d && !map.TryGet(d, out _))
            throw new ArgumentException($"Cluster:DefaultRegion: '{d}' is not one of Cluster:Regions ({string.Join(", ", map.Regions.Select(r => r.Id))})");
        return address;
    }
}
