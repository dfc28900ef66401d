using Dispatch.Cluster.Handoff;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>The two regions of <see cref="Scenario.Regions"/> (north above y = 0, south below) seen through their hand-off side.</summary>
internal static class HandoffKit
{
    public static readonly string[] Regions = ["north", "south"];

    public static IRegionHandoffGrain Handoff(this ClusterKit kit, string region) => kit.Cluster.Client.GetGrain<IRegionHandoffGrain>(region);

    public static HandoffCoordinator Coordinator(this ClusterKit kit, bool borrowing = false) =>
        new(kit.Cluster.Client, Regions, new HandoffOptions { Borrowing = borrowing });

    /// <summary>The regions courier <paramref name="courierId"/> belongs to (exactly one when all is well).</summary>
    public static async Task<List<string>> OwnersOf(this ClusterKit kit, long courierId)
    {
        var owners = await CourierAudit.OwnersAsync(kit.Cluster.Client, Regions);
        return owners.TryGetValue(courierId, out var list) ? list : [];
    }

    /// <summary>Every courier held by one region exactly.</summary>
    public static async Task AssertEachCourierOnce(this ClusterKit kit)
    {
        var owners = await CourierAudit.OwnersAsync(kit.Cluster.Client, Regions);
        var twice = owners.Where(o => o.Value.Count != 1).Select(o => $"{o.Key}: {string.Join(", ", o.Value)}").ToList();
        Assert.True(twice.Count == 0, "couriers in more than one region: " + string.Join("; ", twice));
    }

    /// <summary>What a region's engine says of a courier.</summary>
    public static async Task<CourierInfoMessage> Courier(this ClusterKit kit, string region, long courierId) =>
        Assert.IsType<CourierInfoMessage>(Assert.Single(await kit.Send(region, Command.GetCourier(99, courierId))));

    /// <summary>Sends and expects an Ack.</summary>
    public static async Task Ok(this ClusterKit kit, string region, Command c)
    {
        var answer = await kit.Send(region, c);
        Assert.True(answer[^1] is AckMessage, $"{c.Type} to {region}: {string.Join(", ", answer)}");
    }
}
