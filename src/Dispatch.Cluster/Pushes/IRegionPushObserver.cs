using Orleans.Concurrency;

namespace Dispatch.Cluster.Pushes;

/// <summary>
/// A silo's edge, as a region grain sees it: where the region sends a Tick's decisions for the edge's subscribed
/// connections. One observer per silo (not per connection), so a region sends each tick's pushes once per silo and the
/// silo fans them out to its own connections with the server's slow-consumer rule (<see cref="RegionPushHub"/>).
/// </summary>
public interface IRegionPushObserver : IGrainObserver
{
    /// <summary>
    /// <paramref name="frames"/> are <paramref name="count"/> whole push frames (Assignment, PlanChange; 4-byte prefix each)
    /// of <paramref name="region"/>, in the order the region decided them, after the Tick that made them was durable.
    /// One-way: the region never waits for a silo, so a slow or dead silo costs it nothing.
    /// </summary>
    [OneWay]
    Task Pushed(string region, byte[] frames, int count);
}
