namespace Dispatch.Cluster.Durability;

/// <summary>
/// A region's state as of journal record <paramref name="Sequence"/>: the engine time then, the engine settings it was
/// taken under (text, as the server's snapshot header carries them) and the body in the server's snapshot body format
/// (traffic picture section, then the engine's own snapshot: Dispatch.Server.Snapshots.SnapshotBody), and the region's
/// hand-off ledger (<c>Handoff/HandoffLedger.cs</c>; null or empty: none, as in snapshots written before hand-offs existed).
/// </summary>
public sealed record RegionSnapshot(long Sequence, double Now, string Settings, byte[] Body, byte[]? Handoffs = null);
