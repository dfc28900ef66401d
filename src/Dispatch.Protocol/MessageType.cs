namespace Dispatch.Protocol;

/// <summary>
/// The type tag, the first element of every frame's MessagePack array. Requests (client to server)
/// are below 64, replies and pushes (server to client) from 64 on, so a peer can tell a direction
/// error from an unknown type. Values are part of the wire format: never renumber.
/// </summary>
public enum MessageType
{
    // ---- requests: session
    /// <summary>[1, rid, version:int, clientName:str, subscribe:bool]; the first frame of a session.</summary>
    Hello = 1,
    /// <summary>[2, rid]; health probe, allowed before Hello. Reply: Pong.</summary>
    Ping = 2,
    /// <summary>[3, rid, on:bool]; start or stop assignment and plan-change pushes to this connection.</summary>
    Subscribe = 3,

    // ---- requests: engine events (journaled, acknowledged with Ack)
    /// <summary>[10, rid, siteId:int64, x:float, y:float]</summary>
    AddSite = 10,
    /// <summary>[11, rid, orderId, siteId, dropX, dropY, placedAt, readyAt, size:int]</summary>
    PlaceOrder = 11,
    /// <summary>[12, rid, orderId, readyAt]</summary>
    ChangeReadyTime = 12,
    /// <summary>[13, rid, orderId]</summary>
    CancelOrder = 13,
    /// <summary>[14, rid, courierId, x, y, shiftStart, shiftEnd, capacity:int]</summary>
    CourierOnShift = 14,
    /// <summary>[15, rid, courierId]</summary>
    CourierOffShift = 15,
    /// <summary>[16, rid, courierId, x, y]</summary>
    UpdateCourierPosition = 16,
    /// <summary>[17, rid, orderId, at]</summary>
    ConfirmPickup = 17,
    /// <summary>[18, rid, orderId, at]</summary>
    ConfirmDropoff = 18,
    /// <summary>[19, rid, now]; manual-clock servers only: advance the clock and run the engine's tick.</summary>
    Tick = 19,
    /// <summary>[20, rid, zoneId:int64, speedFactor, from, to, [x0, y0, x1, y1, ...]]: a congestion zone (polygon) for a time window.</summary>
    AddCongestionZone = 20,
    /// <summary>[21, rid, closureId:int64, from, to, kind:int (0 line, 1 polygon), [x0, y0, x1, y1, ...]]: a road closure for a time window.</summary>
    AddClosure = 21,
    /// <summary>[22, rid, speedFactor, from, to]: a citywide speed factor for a time window (rain); overlapping windows multiply.</summary>
    SetCitywideFactor = 22,
    /// <summary>[23, rid, orderId, at, reason:int, returned:bool, remadeReadyAt:float|nil]: a picked-up order could not be
    /// handed over; re-made (ready at remadeReadyAt, nil: estimated) and delivered again, or returned.</summary>
    DeliveryFailed = 23,
    /// <summary>[24, rid, orderId, at, remadeReadyAt:float|nil]: a delivered order went to the wrong customer; re-made and delivered again.</summary>
    WrongOrderDelivered = 24,
    /// <summary>[25, rid, orderId, newReadyAt:float|nil, newSize:int (0: unchanged)]: the kitchen changed an order before pickup (out of stock).</summary>
    OrderChanged = 25,

    // ---- requests: queries (not journaled)
    /// <summary>[30, rid, orderId]. Reply: OrderInfo.</summary>
    GetOrder = 30,
    /// <summary>[31, rid, courierId]. Reply: CourierInfo.</summary>
    GetCourier = 31,
    /// <summary>[32, rid]. Reply: Counts.</summary>
    GetCounts = 32,
    /// <summary>[33, rid]. Reply: Metrics.</summary>
    GetMetrics = 33,
    /// <summary>[34, rid, siteId, dropX, dropY, readyAt]. Reply: Quote.</summary>
    QuoteDropoff = 34,
    /// <summary>[35, rid]. Reply: ServerStats (the server process: memory, GC, disk, snapshot pauses, engine size).</summary>
    GetServerStats = 35,

    // ---- replies
    /// <summary>[64, rid, now]: the command was journaled and applied.</summary>
    Ack = 64,
    /// <summary>[65, rid, code:int, message:str]</summary>
    Error = 65,
    /// <summary>[66, rid, version, serverName, clockMode:int, now, maxFrameBytes:int]</summary>
    HelloOk = 66,
    /// <summary>[67, rid, now]</summary>
    Pong = 67,
    /// <summary>[68, rid, orderId, status:int, courierId, plannedPickup, plannedDropoff, pickedUpAt, deliveredAt]</summary>
    OrderInfo = 68,
    /// <summary>[69, rid, courierId, known:bool, onShift:bool, freeX, freeY, freeAt, shiftStart, shiftEnd, plannedStops:int, delivered:int]</summary>
    CourierInfo = 69,
    /// <summary>[70, rid, known, open, assigned, pickedUp, delivered, cancelled, couriers]</summary>
    Counts = 70,
    /// <summary>[71, rid, now, uptimeSeconds, connections, inboxDepth, framesIn, framesOut, errors, ticks, lastTickMs, journalRecords, journalBytes, openOrders]</summary>
    Metrics = 71,
    /// <summary>[72, rid, promisedDropoff]: NaN when no courier on shift can take the order.</summary>
    Quote = 72,
    /// <summary>[73, rid, now, uptimeSeconds, rssBytes, managedHeapBytes, gen0, gen1, gen2, journalBytesOnDisk, snapshotBytesOnDisk,
    /// snapshotsWritten, lastSnapshotPauseMs, snapshotPauseP99Ms, snapshotPauseMaxMs, knownOrders, openOrders, couriers, liveHeapBytes]</summary>
    ServerStats = 73,

    // ---- pushes (rid 0)
    /// <summary>[80, 0, courierId, assignedAt, isUpdate:bool, [[kind, orderId, siteId, x, y, departure, arrival, serviceAt, leave], ...]]</summary>
    Assignment = 80,
    /// <summary>[81, 0, kind:int, orderId, courierId, at, previousTime, newTime]</summary>
    PlanChange = 81,
}
