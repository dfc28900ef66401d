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

    /// <summary>Where the region is and how far its journal goes (operations and tests).</summary>
    Task<RegionStatus> Status();
}
