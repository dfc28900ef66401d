using System.Net;
using System.Net.Sockets;
using Dispatch.Cluster.Grains;
using Dispatch.Cluster.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>
/// Silos built by the product's own <see cref="ClusterHostBuilder"/> from command-line arguments (Redis membership, the
/// Redis store, the regions of <see cref="Scenario.Regions"/>), in this process on loopback ports, and an Orleans client
/// that finds them through the same Redis. What the TestingHost cannot show: the real host's configuration and membership.
/// </summary>
internal sealed class RedisSilos : IAsyncDisposable
{
    private readonly string _clusterId;
    private readonly string _prefix;
    private readonly long _snapshotEvery;
    private readonly List<IHost> _silos = [];
    private IHost? _client;

    private readonly string? _defaultRegion;
    private readonly string[] _extraArgs;

    /// <param name="extraArgs">More silo arguments (<c>--Dispatch:MaxOutboundBytes=16384</c>), after the others.</param>
    public RedisSilos(string clusterId, string keyPrefix, long snapshotEveryRecords, string? defaultRegion = null, params string[] extraArgs)
    {
        _extraArgs = extraArgs;
        _defaultRegion = defaultRegion;
        _clusterId = clusterId;
        _prefix = keyPrefix;
        _snapshotEvery = snapshotEveryRecords;
    }

    /// <summary>
    /// Silos of a cluster of their own on the test Redis (skipped, or under CI failed, without one): a fresh cluster id and
    /// key prefix, so no other test's regions, journals or members are seen.
    /// </summary>
    public static RedisSilos Fresh(string? defaultRegion = null, params string[] extraArgs)
    {
        TestRedis.Require();
        string prefix = TestRedis.UniquePrefix();
        return new RedisSilos(prefix, prefix, snapshotEveryRecords: 0, defaultRegion, extraArgs);
    }

    public IReadOnlyList<IHost> Silos => _silos;

    public IClusterClient Client => _client?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("no client yet");

    public async Task<IHost> StartSiloAsync()
    {
        var args = new List<string>
        {
            "--redis", TestRedis.Address, "--cluster-id", _clusterId, "--key-prefix", _prefix,
            "--silo-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"--Cluster:SnapshotEveryRecords={_snapshotEvery}",
            "--Logging:LogLevel:Default=Warning",
            "--port", "0", // the TCP edge on a free port (Edge())
        };
        if (_defaultRegion is not null) args.AddRange(["--default-region", _defaultRegion]);
        for (int i = 0; i < Scenario.Regions.Length; i++)
        {
            args.Add($"--Cluster:Regions:{i}:Id={Scenario.Regions[i].Id}");
            args.Add($"--Cluster:Regions:{i}:Area={Scenario.Regions[i].Area}");
        }
        args.AddRange(_extraArgs);
        var host = ClusterHostBuilder.Create([.. args]).Build();
        await host.StartAsync();
        _silos.Add(host);
        await WaitUntilEverySiloSeesEveryOtherAsync();
        return host;
    }

    /// <summary>
    /// Waits until every running silo's membership view holds every running silo as active. A silo that has just started
    /// is not yet in the others' views, and while the views differ the silos may disagree on which one owns a grain's
    /// directory entry: a region's grain can then briefly have a second activation, and a subscription made through it
    /// would miss the pushes of the ticks that follow. That is the likely cause (not reproduced) of one CI run where
    /// ClusterPushTests' remote subscriber got "0 of 6 pushes" while the ticking connection got all six. Tests start
    /// their clients on a formed cluster, as an operator's clients meet one.
    /// </summary>
    private async Task WaitUntilEverySiloSeesEveryOtherAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var addresses = _silos.Select(h => h.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress).ToArray();
        foreach (var viewer in _silos)
        {
            var membership = viewer.Services.GetRequiredService<IClusterMembershipService>();
            while (!addresses.All(a => membership.CurrentSnapshot.Members.TryGetValue(a, out var m) && m.Status == SiloStatus.Active))
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"silo {viewer.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress} does not see all {addresses.Length} silos active within 30 s");
                await membership.Refresh();
                await Task.Delay(20);
            }
        }
    }

    public async Task StartClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(c =>
        {
            c.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = _clusterId; o.ServiceId = "dispatch"; });
            c.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(TestRedis.Address));
        });
        _client = builder.Build();
        await _client.StartAsync();
    }

    /// <summary>Where <paramref name="silo"/>'s TCP edge listens.</summary>
    public static IPEndPoint Edge(IHost silo) => silo.Services.GetRequiredService<Dispatch.Cluster.Edge.ClusterEdge>().EndPoint ?? throw new InvalidOperationException("edge not started");

    public IRegionGrain Region(string id) => Client.GetGrain<IRegionGrain>(id);

    /// <summary>The silo hosting <paramref name="region"/> now.</summary>
    public async Task<IHost> HostOf(string region)
    {
        string silo = (await Region(region).Status()).Silo;
        return _silos.Single(h => silo.Contains(h.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint.ToString(), StringComparison.Ordinal));
    }

    public async Task StopAsync(IHost silo)
    {
        await silo.StopAsync();
        silo.Dispose();
        _silos.Remove(silo);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync();
            _client.Dispose();
        }
        foreach (var s in _silos.ToList()) await StopAsync(s);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
