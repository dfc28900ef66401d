using Dispatch.Cluster.Pushes;

namespace Dispatch.Cluster.Grains;

/// <summary>
/// One dispatch region (grain key: the region id of <c>Cluster:Regions</c>): one engine, its journal and snapshots in
/// the shared store. Requests and answers are the sidecar protocol's own bytes (docs/protocol.md), so the edge copies
/// frames and no second message model exists.
/// </summary>
public interface IRegionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Carries out one request: <paramref name="request"/> is one frame's payload (MessagePack
    /// <c>[type, requestId, ...]</c>, no length prefix). Returns whole frames (4-byte length prefix each), in wire order:
    /// for an accepted Tick its decisions as push frames, then the Ack; otherwise the one reply (Ack, query answer,
    /// Pong, or Error naming the field). An event or Tick is acknowledged only once the store has its journal record.
    /// </summary>
    Task<byte[]> Execute(byte[] request);

    /// <summary>
    /// Carries out <paramref name="requests"/> in order, as <see cref="Execute"/> would one by one, and answers all their
    /// frames in that order; the journal records of the accepted ones go to the store in one write (group commit: one round
    /// trip, one fsync), and nothing is acknowledged before it. When that write fails every request of the batch is
    /// answered with an error (none acknowledged) and the region reloads from the store.
    /// </summary>
    Task<byte[]> ExecuteBatch(byte[][] requests);

    /// <summary>
    /// <see cref="ExecuteBatch"/> for a silo's edge: the push frames of the batch's Ticks go in the answer as always and to every
    /// subscribed silo but <paramref name="origin"/> (the caller's own, which fans them out from the answer to its connections).
    /// <paramref name="courierApp"/> is the courier a courier-app connection speaks for (-1: any other role): its
    /// ConfirmPickup, ConfirmDropoff and DeliveryFailed are applied only for an order that courier carries, checked in the
    /// same turn as the apply (the sidecar checks on its engine thread), else answered Forbidden with nothing journaled.
    /// </summary>
    Task<byte[]> ExecuteBatchFrom(byte[][] requests, IRegionPushObserver? origin, long courierApp);

    /// <summary>
    /// Several connections' batches in one turn (a silo's edge merges what its connections queued for this region): carried
    /// out in order, group after group, journaled in <b>one</b> store write, and answered one answer per group, as
    /// <see cref="ExecuteBatchFrom"/> would answer that group alone (<paramref name="courierApps"/>: each group's courier-app
    /// courier, or -1; null: none). A failed write fails every request of every group.
    /// </summary>
    Task<byte[][]> ExecuteGroupsFrom(byte[][][] groups, IRegionPushObserver? origin, long[]? courierApps);

    /// <summary>
    /// Subscribes (or renews) a silo's edge to the region's pushes for one lease (three <c>Cluster:SubscriptionRefreshSeconds</c>):
    /// the decisions of every Tick acknowledged after this call returns, whoever sent the Tick.
    /// </summary>
    Task Subscribe(IRegionPushObserver observer);

    /// <summary>Ends a silo's subscription (its last local subscriber left).</summary>
    Task Unsubscribe(IRegionPushObserver observer);

    /// <summary>The region's figures for a silo's GetMetrics and GetServerStats.</summary>
    Task<RegionFigures> Figures();

    /// <summary>Where the region is and how far its journal goes (operations and tests).</summary>
    Task<RegionStatus> Status();
}
