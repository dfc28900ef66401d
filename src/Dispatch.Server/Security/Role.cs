namespace Dispatch.Server.Security;

/// <summary>
/// What a credential may do, coarsest first. Names on the wire and in the tokens file are the lower-case
/// forms of <see cref="RoleNames"/>. Shared by everything that authenticates a peer (the sidecar today; the
/// live view's login and the cluster edge are to map their credentials onto the same roles).
/// </summary>
public enum Role
{
    /// <summary>Queries and pushes: reads everything, changes nothing.</summary>
    Viewer = 1,
    /// <summary>A courier's own app: its own position and confirmations of the orders it carries; no queries, no pushes.</summary>
    CourierApp = 2,
    /// <summary>An ordering or staffing system: orders, sites, shifts, traffic, and queries and pushes.</summary>
    Integration = 3,
    /// <summary>Everything, the clock (Tick) and message types added later included.</summary>
    Operator = 4,
}

/// <summary>The roles' names as written in the tokens file, errors and the audit log.</summary>
public static class RoleNames
{
    /// <summary>The role's name: viewer, courier-app, integration, operator.</summary>
    public static string Name(this Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.CourierApp => "courier-app",
        Role.Integration => "integration",
        Role.Operator => "operator",
        _ => "none",
    };

    /// <summary>Parses a role name (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string text, out Role role)
    {
        role = text.ToLowerInvariant() switch
        {
            "viewer" => Role.Viewer,
            "courier-app" => Role.CourierApp,
            "integration" => Role.Integration,
            "operator" => Role.Operator,
            _ => 0,
        };
        return role != 0;
    }
}
