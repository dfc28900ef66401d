namespace Dispatch.Protocol;

/// <summary>A decoded server-to-client frame: a reply (RequestId echoes the request) or a push (RequestId 0).</summary>
public abstract record ServerMessage(MessageType Type, uint RequestId);

/// <summary>The command was journaled and applied at engine time <paramref name="Now"/>.</summary>
public sealed record AckMessage(uint RequestId, double Now) : ServerMessage(MessageType.Ack, RequestId);

/// <summary>The request was refused (or the connection is about to close, for codes that close).</summary>
public sealed record ErrorMessage(uint RequestId, ErrorCode Code, string Message) : ServerMessage(MessageType.Error, RequestId);

/// <summary>The handshake reply.</summary>
public sealed record HelloOkMessage(uint RequestId, int Version, string ServerName, ClockMode Clock, double Now, int MaxFrameBytes)
    : ServerMessage(MessageType.HelloOk, RequestId);

/// <summary>Health probe reply with the engine's current time.</summary>
public sealed record PongMessage(uint RequestId, double Now) : ServerMessage(MessageType.Pong, RequestId);

/// <summary>What the engine knows of an order; Status Unknown for an id never placed. Times not reached are NaN.</summary>
public sealed record OrderInfoMessage(uint RequestId, long OrderId, WireOrderStatus Status, long CourierId,
    double PlannedPickup, double PlannedDropoff, double PickedUpAt, double DeliveredAt) : ServerMessage(MessageType.OrderInfo, RequestId);

/// <summary>What the engine knows of a courier; Known false for an unknown id.</summary>
public sealed record CourierInfoMessage(uint RequestId, long CourierId, bool Known, bool OnShift, double FreeX, double FreeY, double FreeAt,
    double ShiftStart, double ShiftEnd, int PlannedStops, int Delivered) : ServerMessage(MessageType.CourierInfo, RequestId);

/// <summary>Order and courier counts: <paramref name="Couriers"/> every courier known (gone off shift included),
/// <paramref name="CouriersOnShift"/> those on shift now (-1 from a server that does not report it).</summary>
/// <param name="RequestId">The request answered.</param>
/// <param name="Known">Orders ever placed.</param>
/// <param name="Open">Placed, not committed to a courier.</param>
/// <param name="Assigned">Committed, not picked up.</param>
/// <param name="PickedUp">Picked up, not delivered.</param>
/// <param name="Delivered">Delivered.</param>
/// <param name="Cancelled">Cancelled.</param>
/// <param name="Couriers">Couriers known: every courier id ever given a shift, those gone off shift included.</param>
/// <param name="CouriersOnShift">Couriers whose shift has started and not ended (as of the last tick) and not sent off shift.</param>
/// <param name="Returned">Orders returned after a failed delivery (status Returned): with the status fields above they add up to <paramref name="Known"/>.</param>
public sealed record CountsMessage(uint RequestId, int Known, int Open, int Assigned, int PickedUp, int Delivered, int Cancelled, int Couriers,
    int CouriersOnShift, int Returned = 0)
    : ServerMessage(MessageType.Counts, RequestId);

/// <summary>Server metrics at one instant (totals since start; rates are for the reader to derive).</summary>
/// <param name="Now">Engine time.</param>
/// <param name="UptimeSeconds">Seconds since the server started.</param>
/// <param name="Connections">Open connections.</param>
/// <param name="InboxDepth">Commands waiting for the engine thread.</param>
/// <param name="FramesIn">Frames received.</param>
/// <param name="FramesOut">Frames sent (replies and pushes).</param>
/// <param name="Errors">Error replies sent.</param>
/// <param name="Ticks">Engine ticks run.</param>
/// <param name="LastTickMs">Duration of the last tick in milliseconds.</param>
/// <param name="JournalRecords">Records in the journal (including those replayed at start).</param>
/// <param name="JournalBytes">Journal size in bytes.</param>
/// <param name="OpenOrders">Orders not yet committed to a courier.</param>
public readonly record struct MetricsSnapshot(double Now, double UptimeSeconds, int Connections, int InboxDepth, long FramesIn, long FramesOut,
    long Errors, long Ticks, double LastTickMs, long JournalRecords, long JournalBytes, int OpenOrders);

/// <summary>Metrics reply.</summary>
public sealed record MetricsMessage(uint RequestId, MetricsSnapshot Snapshot) : ServerMessage(MessageType.Metrics, RequestId);

/// <summary>One stop of a pushed plan.</summary>
public readonly record struct WireStop(WireStopKind Kind, long OrderId, long SiteId, double X, double Y, double Departure, double Arrival, double ServiceAt, double Leave);

/// <summary>Push: a courier was committed to a bundle; stops in execution order.</summary>
public sealed record AssignmentMessage(long CourierId, double AssignedAt, bool IsUpdate, WireStop[] Stops)
    : ServerMessage(MessageType.Assignment, ProtocolConstants.PushRequestId);

/// <summary>
/// Push: a committed plan changed (order released, cancelled, reassigned, resequenced, or its ETA moved).
/// For <see cref="WirePlanChangeKind.EtaChanged"/>, <paramref name="PreviousTime"/> and <paramref name="NewTime"/> are the
/// planned drop-off before and after; for <see cref="WirePlanChangeKind.Reassigned"/> PreviousTime is the courier it was
/// released from (as a number) and NewTime the planned drop-off; for <see cref="WirePlanChangeKind.Requoted"/> the promise
/// that broke and the new promise; otherwise both are NaN. <paramref name="Reason"/>: why (None from servers before it).
/// </summary>
public sealed record PlanChangeMessage(WirePlanChangeKind Kind, long OrderId, long CourierId, double At, double PreviousTime = double.NaN, double NewTime = double.NaN,
    WirePlanChangeReason Reason = WirePlanChangeReason.None)
    : ServerMessage(MessageType.PlanChange, ProtocolConstants.PushRequestId);

/// <summary>
/// A promised drop-off time for an order not yet placed (engine minutes), never earlier than the order's
/// own lower bound; NaN when no courier on shift can take it (<see cref="Available"/> false).
/// </summary>
public sealed record QuoteMessage(uint RequestId, double PromisedDropoff) : ServerMessage(MessageType.Quote, RequestId)
{
    /// <summary>False when no courier on shift could take the order (the quote is NaN).</summary>
    public bool Available => !double.IsNaN(PromisedDropoff);
}

/// <summary>
/// The server process at one instant (the GetServerStats reply): what a long run needs watched. Memory and
/// GC figures are the process's own; the snapshot pauses are the time the engine thread spent on snapshots
/// since the process started (NaN before the first); the engine figures are its counts.
/// </summary>
/// <param name="Now">Engine time (minutes).</param>
/// <param name="UptimeSeconds">Seconds since the server process started taking commands.</param>
/// <param name="RssBytes">Resident set size of the process: VmRSS of /proc/self/status on Linux, Environment.WorkingSet elsewhere.</param>
/// <param name="ManagedHeapBytes">GC heap size at the last collection (GCMemoryInfo.HeapSizeBytes: live objects plus fragmentation, every generation).</param>
/// <param name="Gen0Collections">Gen-0 collections since start (GC.CollectionCount(0); includes the gen-1 and gen-2 ones).</param>
/// <param name="Gen1Collections">Gen-1 collections since start (includes the gen-2 ones).</param>
/// <param name="Gen2Collections">Gen-2 (full) collections since start.</param>
/// <param name="JournalBytesOnDisk">Bytes of the journal files in the data directory.</param>
/// <param name="SnapshotBytesOnDisk">Bytes of the snapshot files in the data directory.</param>
/// <param name="SnapshotsWritten">Snapshots written since start.</param>
/// <param name="LastSnapshotPauseMs">Engine-thread time of the last snapshot, milliseconds; NaN before the first.</param>
/// <param name="SnapshotPauseP99Ms">99th percentile of the engine-thread snapshot pauses since start (nearest rank), milliseconds; NaN before the first.</param>
/// <param name="SnapshotPauseMaxMs">Longest engine-thread snapshot pause since start, milliseconds; NaN before the first.</param>
/// <param name="KnownOrders">Orders the engine holds, finished ones included (Counts.known).</param>
/// <param name="OpenOrders">Orders not finished: open, assigned or picked up.</param>
/// <param name="Couriers">Couriers the engine holds (Counts.couriers).</param>
/// <param name="LiveHeapBytes">
/// Bytes of the GC heap still in use after the last full (gen-2) collection, every generation, fragmentation not
/// counted: the live data, which is what grows if the server keeps what it should let go (0 before the first full
/// collection; -1 from a server that does not send it).
/// </param>
public readonly record struct ServerStats(double Now, double UptimeSeconds, long RssBytes, long ManagedHeapBytes,
    int Gen0Collections, int Gen1Collections, int Gen2Collections, long JournalBytesOnDisk, long SnapshotBytesOnDisk,
    long SnapshotsWritten, double LastSnapshotPauseMs, double SnapshotPauseP99Ms, double SnapshotPauseMaxMs,
    int KnownOrders, int OpenOrders, int Couriers, long LiveHeapBytes = -1);

/// <summary>ServerStats reply.</summary>
public sealed record ServerStatsMessage(uint RequestId, ServerStats Stats) : ServerMessage(MessageType.ServerStats, RequestId);
