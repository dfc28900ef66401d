namespace Dispatch.Cluster.Handoff;

/// <summary>
/// The "every courier in exactly one region" check, over the regions' own durable state: a courier belongs to each region
/// whose engine has it on shift or scheduled, and, while a hand-off of it is pending at its source, to the source unless
/// the destination has adopted it already (then it is the destination's, counted there). Run it while no hand-off step
/// runs (between rounds): the regions are read one after another, not at one instant.
/// </summary>
public static class CourierAudit
{
    /// <summary>Each courier any region holds, with the regions it belongs to (exactly one each when all is well).</summary>
    public static async Task<Dictionary<long, List<string>>> OwnersAsync(IGrainFactory grains, IReadOnlyList<string> regions)
    {
        var first = new List<RegionCouriers>(regions.Count);
        foreach (string id in regions) first.Add(await grains.GetGrain<IRegionHandoffGrain>(id).Couriers([]));
        var pending = first.SelectMany(r => r.Pending).ToList();
        var adopted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in pending.GroupBy(t => t.To, StringComparer.Ordinal))
        {
            var answer = await grains.GetGrain<IRegionHandoffGrain>(group.Key).Couriers([.. group.Select(t => t.Id)]);
            adopted.UnionWith(answer.Adopted);
        }
        var owners = new Dictionary<long, List<string>>();
        void Add(long courier, string region)
        {
            if (!owners.TryGetValue(courier, out var list)) owners[courier] = list = [];
            list.Add(region);
        }
        foreach (var r in first)
            foreach (long c in r.Active) Add(c, r.Region);
        foreach (var t in pending.Where(t => !adopted.Contains(t.Id))) Add(t.CourierId, t.From);
        return owners;
    }
}
