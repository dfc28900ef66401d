using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// Silos as Dispatch.Cluster runs them (ClusterHostBuilder: membership and region state in a real Redis): a region
/// survives its silo stopping, and a whole new set of silos over the same Redis takes the region over with every
/// acknowledged command and decides as an engine that never stopped.
/// </summary>
public sealed class RedisClusterTests
{
    [SkippableFact]
    public async Task Regions_survive_their_silo_and_a_restart_of_the_whole_cluster_through_redis()
    {
        var redis = TestRedis.Require();
        string prefix = TestRedis.UniquePrefix();
        var commands = Scenario.Hour(0, 0);
        var reference = await ReferenceRegion.CreateAsync("north");
        int third = commands.FindIndex(c => c.Type == MessageType.Tick && c.T1 == 20);
        int twoThirds = commands.FindIndex(c => c.Type == MessageType.Tick && c.T1 == 40);

        await using (var first = new RedisSilos(prefix, prefix, snapshotEveryRecords: 50))
        {
            await first.StartSiloAsync();
            await first.StartSiloAsync();
            await first.StartClientAsync();
            for (int i = 0; i <= third; i++)
                Assert.Equal(reference.Execute(commands[i]), await first.Region("north").Execute(Frames.Payload(commands[i])));
            // Membership is in Redis (Microsoft.Orleans.Clustering.Redis keys name the cluster id).
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            Assert.Contains(server.Keys(pattern: "*members*").Select(k => k.ToString()), k => k.Contains(prefix, StringComparison.Ordinal));

            // The silo hosting the region stops; the region comes back on the other one, rebuilt from Redis.
            var host = await first.HostOf("north");
            var s0 = await first.Region("north").Status();
            await first.StopAsync(host);
            var s1 = await first.Region("north").Status();
            Assert.NotEqual(s0.Silo, s1.Silo);
            Assert.Equal((s0.Sequence, s0.Orders, s0.Couriers), (s1.Sequence, s1.Orders, s1.Couriers));
            for (int i = third + 1; i <= twoThirds; i++)
                Assert.Equal(reference.Execute(commands[i]), await first.Region("north").Execute(Frames.Payload(commands[i])));
        }

        // Every silo is gone; new ones over the same Redis find the region where the first ones left it.
        await using var second = new RedisSilos(prefix, prefix, snapshotEveryRecords: 50);
        await second.StartSiloAsync();
        await second.StartSiloAsync();
        await second.StartClientAsync();
        var s2 = await second.Region("north").Status();
        Assert.Equal(commands.Take(twoThirds + 1).Count(c => c.IsEngineEvent), s2.Sequence);
        for (int i = twoThirds + 1; i < commands.Count; i++)
            Assert.Equal(reference.Execute(commands[i]), await second.Region("north").Execute(Frames.Payload(commands[i])));
    }
}
