namespace Dispatch.Server.Security;

/// <summary>
/// What a command needs. A role is a set of these (<see cref="CommandPolicy"/>); a command needs exactly one.
/// <see cref="Unlisted"/> is what a message type without an entry in the policy table needs: only the
/// operator holds it, so a command another change adds is operator-only until someone decides otherwise.
/// </summary>
[Flags]
public enum Permission
{
    /// <summary>Nothing granted.</summary>
    None = 0,
    /// <summary>Hello and Ping: anyone who got through the handshake.</summary>
    Session = 1 << 0,
    /// <summary>Reading state: GetOrder, GetCourier, GetCounts, GetMetrics, QuoteDropoff, GetServerStats.</summary>
    Query = 1 << 1,
    /// <summary>Turning pushes on (Hello's subscribe flag, Subscribe): every courier's plan and position.</summary>
    Subscribe = 1 << 2,
    /// <summary>A courier's own reports: its position, pickup and drop-off confirmations (checked against its courier id).</summary>
    CourierReport = 1 << 3,
    /// <summary>Placing, changing and cancelling orders.</summary>
    Orders = 1 << 4,
    /// <summary>Adding pickup sites.</summary>
    Sites = 1 << 5,
    /// <summary>Courier shifts on and off.</summary>
    Shifts = 1 << 6,
    /// <summary>Congestion zones, closures, citywide factors.</summary>
    Traffic = 1 << 7,
    /// <summary>Moving the manual clock (Tick): every other client's time.</summary>
    Clock = 1 << 8,
    /// <summary>What an unlisted message type needs: the operator's alone.</summary>
    Unlisted = 1 << 9,
    /// <summary>Acting on the server process itself: GetServerStats with collect (a full collection pauses every thread).</summary>
    Process = 1 << 10,
}
