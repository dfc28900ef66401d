namespace Dispatch.Server.Security;

/// <summary>Whether accepted state changes are written to the audit log (<c>&lt;data&gt;/audit/</c>).</summary>
public enum AuditMode
{
    /// <summary>On when authentication is configured (<c>--auth-tokens</c>), off otherwise: an anonymous record says nothing.</summary>
    Auto,
    /// <summary>Always.</summary>
    On,
    /// <summary>Never.</summary>
    Off,
}
