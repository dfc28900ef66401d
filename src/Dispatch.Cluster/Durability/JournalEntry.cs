namespace Dispatch.Cluster.Durability;

/// <summary>
/// One accepted command of a region's journal: its sequence number (1, 2, ... with no gap), the engine time it was
/// applied at (a Tick's own time for a Tick), and the request payload exactly as received (MessagePack
/// <c>[type, requestId, ...]</c>, docs/protocol.md), not re-encoded.
/// </summary>
public readonly record struct JournalEntry(long Sequence, double Now, ReadOnlyMemory<byte> Command);
