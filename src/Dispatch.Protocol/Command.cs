namespace Dispatch.Protocol;

/// <summary>
/// One request, client to server. A flat struct rather than a class per message type: it travels
/// through the server's bounded channel and its journal without an allocation, and one codec
/// handles every type. Which fields a type uses is fixed by its factory method below (and by
/// docs/protocol.md); unused fields are zero.
/// </summary>
/// <param name="Type">The type tag.</param>
/// <param name="RequestId">Echoed in the reply; 0 is reserved for pushes, clients should start at 1.</param>
/// <param name="Id">Order, courier or site id, or the protocol version for Hello.</param>
/// <param name="Other">Second id: the site of PlaceOrder.</param>
/// <param name="X">X coordinate (drop-off x for PlaceOrder and QuoteDropoff), or the speed factor (AddCongestionZone, SetCitywideFactor).</param>
/// <param name="Y">Y coordinate.</param>
/// <param name="T1">First time: placedAt, readyAt, shiftStart, at, now (Tick), or a traffic window's start.</param>
/// <param name="T2">Second time: readyAt (PlaceOrder), shiftEnd, or a traffic window's end (exclusive; +infinity for open-ended).</param>
/// <param name="Count">Order size, courier capacity, or closure kind (<see cref="WireClosureKind"/>).</param>
/// <param name="Flag">Subscribe flag.</param>
/// <param name="Text">Client name (Hello).</param>
/// <param name="Points">Flat coordinates x0, y0, x1, y1, ... of a congestion zone or closure (the only array-valued field;
/// compared by content, so two commands with equal points are equal).</param>
/// <param name="Terms">PlaceOrder's windows and service minutes; null when it has none (and for every other type).</param>
/// <param name="Token">Hello's bearer token (its optional sixth field); null when none was sent. Never journaled, recorded or logged.</param>
public readonly record struct Command(
    MessageType Type, uint RequestId,
    long Id = 0, long Other = 0, double X = 0, double Y = 0, double T1 = 0, double T2 = 0,
    int Count = 0, bool Flag = false, string? Text = null, double[]? Points = null, OrderTerms? Terms = null,
    string? Token = null)
{
    /// <summary>True for the types that change engine state (journaled, answered with Ack): tags 10..25, traffic and the
    /// delivery exceptions included.</summary>
    public bool IsEngineEvent => Type is >= MessageType.AddSite and <= MessageType.OrderChanged;

    /// <summary>True for the queries (tags 30..35): they read state and change nothing, so they are not journaled.</summary>
    public bool IsQuery => Type is >= MessageType.GetOrder and <= MessageType.GetServerStats;

    /// <summary>True for the traffic picture's events (congestion zone, closure, citywide factor).</summary>
    public bool IsTrafficEvent => Type is MessageType.AddCongestionZone or MessageType.AddClosure or MessageType.SetCitywideFactor;

    /// <summary>Field-by-field equality, <see cref="Points"/> by content.</summary>
    public bool Equals(Command other) =>
        Type == other.Type && RequestId == other.RequestId && Id == other.Id && Other == other.Other &&
        X.Equals(other.X) && Y.Equals(other.Y) && T1.Equals(other.T1) && T2.Equals(other.T2) &&
        Count == other.Count && Flag == other.Flag && Text == other.Text && Nullable.Equals(Terms, other.Terms) && Token == other.Token &&
        (ReferenceEquals(Points, other.Points) || (Points is not null && other.Points is not null && Points.AsSpan().SequenceEqual(other.Points)));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Type); h.Add(RequestId); h.Add(Id); h.Add(Other); h.Add(X); h.Add(Y); h.Add(T1); h.Add(T2);
        h.Add(Count); h.Add(Flag); h.Add(Text); h.Add(Points?.Length ?? -1); h.Add(Terms); h.Add(Token);
        return h.ToHashCode();
    }

    /// <summary>Opens a session; <paramref name="token"/> is the bearer token a server with authentication asks for.</summary>
    public static Command Hello(uint rid, string clientName, bool subscribe, int version = ProtocolConstants.Version, string? token = null) =>
        new(MessageType.Hello, rid, Id: version, Text: clientName, Flag: subscribe, Token: token);
    /// <summary>Health probe.</summary>
    public static Command Ping(uint rid) => new(MessageType.Ping, rid);
    /// <summary>Turns pushes on or off.</summary>
    public static Command Subscribe(uint rid, bool on) => new(MessageType.Subscribe, rid, Flag: on);
    /// <summary>Adds a pickup site.</summary>
    public static Command AddSite(uint rid, long siteId, double x, double y) => new(MessageType.AddSite, rid, siteId, X: x, Y: y);
    /// <summary>Places an order (with windows and service minutes for the General profile when <paramref name="terms"/> is given).</summary>
    public static Command PlaceOrder(uint rid, long orderId, long siteId, double dropX, double dropY, double placedAt, double readyAt, int size = 1, OrderTerms? terms = null) =>
        new(MessageType.PlaceOrder, rid, orderId, siteId, dropX, dropY, placedAt, readyAt, size, Terms: terms is { IsNone: false } ? terms : null);
    /// <summary>Changes an order's ready time.</summary>
    public static Command ChangeReadyTime(uint rid, long orderId, double readyAt) => new(MessageType.ChangeReadyTime, rid, orderId, T1: readyAt);
    /// <summary>Cancels an order.</summary>
    public static Command CancelOrder(uint rid, long orderId) => new(MessageType.CancelOrder, rid, orderId);
    /// <summary>A courier's shift.</summary>
    public static Command CourierOnShift(uint rid, long courierId, double x, double y, double shiftStart, double shiftEnd, int capacity = 8) =>
        new(MessageType.CourierOnShift, rid, courierId, 0, x, y, shiftStart, shiftEnd, capacity);
    /// <summary>A courier stops working now.</summary>
    public static Command CourierOffShift(uint rid, long courierId) => new(MessageType.CourierOffShift, rid, courierId);
    /// <summary>A courier's position.</summary>
    public static Command UpdateCourierPosition(uint rid, long courierId, double x, double y) => new(MessageType.UpdateCourierPosition, rid, courierId, X: x, Y: y);
    /// <summary>An order was picked up at <paramref name="at"/>.</summary>
    public static Command ConfirmPickup(uint rid, long orderId, double at) => new(MessageType.ConfirmPickup, rid, orderId, T1: at);
    /// <summary>An order was dropped off at <paramref name="at"/>.</summary>
    public static Command ConfirmDropoff(uint rid, long orderId, double at) => new(MessageType.ConfirmDropoff, rid, orderId, T1: at);
    /// <summary>A picked-up order could not be handed over at <paramref name="at"/> (<paramref name="reason"/>: the
    /// numbers of Dispatch.Model.DeliveryFailureReason). Re-made, ready at <paramref name="remadeReadyAt"/> (NaN: the
    /// engine estimates it), and delivered again; or, when <paramref name="returned"/>, ended as returned.</summary>
    public static Command DeliveryFailed(uint rid, long orderId, double at, int reason, bool returned = false, double remadeReadyAt = double.NaN) =>
        new(MessageType.DeliveryFailed, rid, orderId, T1: at, T2: remadeReadyAt, Count: reason, Flag: returned);
    /// <summary>A delivered order went to the wrong customer (reported at <paramref name="at"/>): re-made, ready at
    /// <paramref name="remadeReadyAt"/> (NaN: estimated), and delivered again.</summary>
    public static Command WrongOrderDelivered(uint rid, long orderId, double at, double remadeReadyAt = double.NaN) =>
        new(MessageType.WrongOrderDelivered, rid, orderId, T1: at, T2: remadeReadyAt);
    /// <summary>The kitchen changed an order before pickup: a new ready time (NaN: unchanged) and/or a smaller size (0: unchanged).</summary>
    public static Command OrderChanged(uint rid, long orderId, double newReadyAt = double.NaN, int newSize = 0) =>
        new(MessageType.OrderChanged, rid, orderId, T1: newReadyAt, Count: newSize);
    /// <summary>Manual clock: advance to <paramref name="now"/> and tick.</summary>
    public static Command Tick(uint rid, double now) => new(MessageType.Tick, rid, T1: now);
    /// <summary>
    /// A congestion zone: inside the polygon (flat x, y pairs; closed automatically) traffic moves at
    /// <paramref name="speedFactor"/> (in (0, 4]; 0.4 = 40% speed) from <paramref name="from"/> until <paramref name="to"/> (exclusive).
    /// </summary>
    public static Command AddCongestionZone(uint rid, long zoneId, double speedFactor, double from, double to, double[] polygon) =>
        new(MessageType.AddCongestionZone, rid, zoneId, X: speedFactor, T1: from, T2: to, Points: polygon);
    /// <summary>A road closure (a line or a polygon, flat x, y pairs) from <paramref name="from"/> until <paramref name="to"/> (exclusive).</summary>
    public static Command AddClosure(uint rid, long closureId, double from, double to, WireClosureKind kind, double[] points) =>
        new(MessageType.AddClosure, rid, closureId, T1: from, T2: to, Count: (int)kind, Points: points);
    /// <summary>A citywide speed factor (in (0, 4]; rain: 0.7) from <paramref name="from"/> until <paramref name="to"/> (exclusive).</summary>
    public static Command SetCitywideFactor(uint rid, double speedFactor, double from, double to) =>
        new(MessageType.SetCitywideFactor, rid, X: speedFactor, T1: from, T2: to);
    /// <summary>Asks for a promised drop-off time for an order not yet placed.</summary>
    public static Command QuoteDropoff(uint rid, long siteId, double dropX, double dropY, double readyAt) =>
        new(MessageType.QuoteDropoff, rid, siteId, X: dropX, Y: dropY, T1: readyAt);
    /// <summary>Asks for an order's status.</summary>
    public static Command GetOrder(uint rid, long orderId) => new(MessageType.GetOrder, rid, orderId);
    /// <summary>Asks for a courier's status.</summary>
    public static Command GetCourier(uint rid, long courierId) => new(MessageType.GetCourier, rid, courierId);
    /// <summary>Asks for order and courier counts.</summary>
    public static Command GetCounts(uint rid) => new(MessageType.GetCounts, rid);
    /// <summary>Asks for a metrics snapshot.</summary>
    public static Command GetMetrics(uint rid) => new(MessageType.GetMetrics, rid);
    /// <summary>Asks for the server process's figures: memory, GC, bytes on disk, snapshot pauses, engine size.</summary>
    public static Command GetServerStats(uint rid, bool collectFirst = false) => new(MessageType.GetServerStats, rid, Flag: collectFirst);
}
