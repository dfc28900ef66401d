namespace Dispatch.Cluster.Durability;

/// <summary>
/// The store refused a write because the region's journal is not where this activation left it: another activation
/// (on another silo, during a membership change) has written since. The activation that gets this must stop serving
/// the region and reload it from the store; it never acknowledges the command it tried to write.
/// </summary>
public sealed class RegionFencedException(string regionId, long expected, long found)
    : Exception($"region '{regionId}': the journal's head is {found}, this activation expected {expected}; another activation has written since")
{
    /// <summary>The region.</summary>
    public string RegionId { get; } = regionId;
}
