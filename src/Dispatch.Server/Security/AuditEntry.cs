using Dispatch.Protocol;

namespace Dispatch.Server.Security;

/// <summary>
/// One accepted state change, as the engine thread hands it to the <see cref="AuditLog"/>: a struct of references
/// it already holds (the decoded command, the connection's principal and address), so recording it costs the engine
/// thread a queue write, not a format.
/// </summary>
/// <param name="UnixMs">Wall-clock time it was applied (UTC Unix milliseconds).</param>
/// <param name="EngineTime">Engine minutes it was applied at.</param>
/// <param name="Command">The command as decoded (the request id is the client's).</param>
/// <param name="Who">The credential that sent it.</param>
/// <param name="Remote">The client's address and port.</param>
internal readonly record struct AuditEntry(long UnixMs, double EngineTime, Command Command, Principal Who, string Remote)
{
    /// <summary>Why the command was refused before the engine (the live view's HTTP actions: no or wrong token, a role
    /// without the permission); null for an accepted command. Written as <c>"refused"</c>.</summary>
    public string? Refused { get; init; }
}
