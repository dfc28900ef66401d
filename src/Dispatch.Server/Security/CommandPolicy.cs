using Dispatch.Hosting;
using Dispatch.Protocol;

namespace Dispatch.Server.Security;

/// <summary>What the policy says of one command.</summary>
public enum PolicyVerdict : byte
{
    /// <summary>The role may send it.</summary>
    Allowed,
    /// <summary>The role may send it, but only for an order its courier carries: the engine thread checks the order's courier before applying.</summary>
    AllowedIfOwnOrder,
    /// <summary>The role may not send it (or not for that courier): refused with Forbidden, never posted to the engine.</summary>
    Forbidden,
}

/// <summary>
/// The one place that decides who may send what: a table from message type to the permission it needs, and
/// a table from role to the permissions it holds. Checked on the connection's read loop right after a frame
/// decodes and before the command is posted to the engine's inbox, so a forbidden command costs the engine
/// nothing and is never journaled. A type without an entry (one another change adds to the protocol) needs
/// <see cref="Permission.Unlisted"/>, which only the operator holds: new commands are safe by default.
/// Both lookups are array reads: nothing here allocates.
/// </summary>
public static class CommandPolicy
{
    private const int Tags = 64; // request tags are below 64

    private static readonly Permission[] Needs = BuildNeeds();

    /// <summary>The permission <paramref name="type"/> needs (<see cref="Permission.Unlisted"/> for a type the table does not name).</summary>
    public static Permission Required(MessageType type) => (uint)type < Tags ? Needs[(int)type] : Permission.Unlisted;

    /// <summary>The permissions a role holds.</summary>
    public static Permission Granted(Role role) => role switch
    {
        Role.Viewer => Permission.Session | Permission.Query | Permission.Subscribe,
        Role.CourierApp => Permission.Session | Permission.CourierReport,
        Role.Integration => Permission.Session | Permission.Query | Permission.Subscribe | Permission.Orders | Permission.Sites | Permission.Shifts | Permission.Traffic,
        Role.Operator => (Permission)~0,
        _ => Permission.None,
    };

    /// <summary>
    /// May <paramref name="who"/> send <paramref name="c"/>? A courier-app credential reports only its own courier's
    /// position; its confirmations are allowed only for orders its courier carries, which the engine thread knows
    /// (<see cref="PolicyVerdict.AllowedIfOwnOrder"/>). Hello's subscribe flag needs <see cref="Permission.Subscribe"/> like Subscribe(on).
    /// </summary>
    public static PolicyVerdict Check(Principal who, in Command c)
    {
        Permission need = Required(c.Type);
        if (c.Type is MessageType.Hello or MessageType.Subscribe && c.Flag) need |= Permission.Subscribe;
        if (c.Type == MessageType.GetServerStats && c.Flag) need |= Permission.Process;
        Permission has = Granted(who.Role);
        if ((has & need) != need) return PolicyVerdict.Forbidden;
        if (who.Role != Role.CourierApp) return PolicyVerdict.Allowed;
        return c.Type switch
        {
            MessageType.UpdateCourierPosition => c.Id == who.CourierId ? PolicyVerdict.Allowed : PolicyVerdict.Forbidden,
            _ when ReportsOnOrder(c.Type) => PolicyVerdict.AllowedIfOwnOrder,
            _ => PolicyVerdict.Allowed,
        };
    }

    /// <summary>The courier-app's reports about an order (a pickup, a drop-off, a failed delivery): allowed only for an order
    /// its own courier carries (<see cref="PolicyVerdict.AllowedIfOwnOrder"/>, checked by <see cref="OwnsOrder"/>).</summary>
    public static bool ReportsOnOrder(MessageType type) => type is MessageType.ConfirmPickup or MessageType.ConfirmDropoff or MessageType.DeliveryFailed;

    /// <summary>
    /// The second half of <see cref="PolicyVerdict.AllowedIfOwnOrder"/>, which only the engine's state can answer: true
    /// when <paramref name="c"/> is no report on an order, or its order is one <paramref name="courier"/> carries. Called
    /// where the command is applied, so no plan change comes between (the sidecar's engine thread, a region's grain turn).
    /// </summary>
    public static bool OwnsOrder(long courier, in Command c, IEngineDriver driver) => !ReportsOnOrder(c.Type) || driver.CourierOfOrder(c.Id) == courier;

    /// <summary>The Forbidden message: names the credential, its role and the command (and the courier, for a courier-app).</summary>
    public static string Explain(Principal who, in Command c)
    {
        string whose = who.Role == Role.CourierApp ? $" (courier {who.CourierId})" : "";
        return c.Type switch
        {
            MessageType.UpdateCourierPosition when who.Role == Role.CourierApp =>
                $"role {who.Role.Name()} of '{who.Name}'{whose} may not send {c.Type} for courier {c.Id}: only for its own courier",
            MessageType.Hello or MessageType.Subscribe when c.Flag && (Granted(who.Role) & Permission.Subscribe) == 0 =>
                $"role {who.Role.Name()} of '{who.Name}'{whose} may not subscribe to pushes",
            MessageType.GetServerStats when c.Flag =>
                $"role {who.Role.Name()} of '{who.Name}' may not ask GetServerStats to collect first (it pauses the server): operators only",
            _ => $"role {who.Role.Name()} of '{who.Name}'{whose} may not send {c.Type}",
        };
    }

    /// <summary>
    /// The Forbidden message for a courier-app's report on an order its courier does not carry (the sidecar's engine thread
    /// and a cluster region check it; <paramref name="credential"/> is null where the credential's name is not known there).
    /// It names neither whether the order exists nor whose it is: a courier's app learns nothing about other orders.
    /// </summary>
    public static string NotOwnOrder(string? credential, long courier, in Command c) =>
        $"role {Role.CourierApp.Name()}{(credential is null ? "" : $" of '{credential}'")} (courier {courier}) may not send {c.Type} for order {c.Id}: it is not an order courier {courier} carries";

    private static Permission[] BuildNeeds()
    {
        var t = new Permission[Tags];
        Array.Fill(t, Permission.Unlisted);
        t[(int)MessageType.Hello] = Permission.Session;
        t[(int)MessageType.Ping] = Permission.Session;
        t[(int)MessageType.Subscribe] = Permission.Session; // turning pushes on adds Subscribe (Check)
        t[(int)MessageType.AddSite] = Permission.Sites;
        t[(int)MessageType.PlaceOrder] = Permission.Orders;
        t[(int)MessageType.ChangeReadyTime] = Permission.Orders;
        t[(int)MessageType.CancelOrder] = Permission.Orders;
        t[(int)MessageType.CourierOnShift] = Permission.Shifts;
        t[(int)MessageType.CourierOffShift] = Permission.Shifts;
        t[(int)MessageType.UpdateCourierPosition] = Permission.CourierReport;
        t[(int)MessageType.ConfirmPickup] = Permission.CourierReport;
        t[(int)MessageType.ConfirmDropoff] = Permission.CourierReport;
        t[(int)MessageType.DeliveryFailed] = Permission.CourierReport;      // the courier at the door, for its own order
        t[(int)MessageType.WrongOrderDelivered] = Permission.Orders;        // the customer's complaint, through the platform
        t[(int)MessageType.OrderChanged] = Permission.Orders;               // the kitchen, through the platform
        t[(int)MessageType.Tick] = Permission.Clock;
        t[(int)MessageType.AddCongestionZone] = Permission.Traffic;
        t[(int)MessageType.AddClosure] = Permission.Traffic;
        t[(int)MessageType.SetCitywideFactor] = Permission.Traffic;
        t[(int)MessageType.GetOrder] = Permission.Query;
        t[(int)MessageType.GetCourier] = Permission.Query;
        t[(int)MessageType.GetCounts] = Permission.Query;
        t[(int)MessageType.GetMetrics] = Permission.Query;
        t[(int)MessageType.QuoteDropoff] = Permission.Query;
        t[(int)MessageType.GetServerStats] = Permission.Query;
        return t;
    }
}
