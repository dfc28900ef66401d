namespace Dispatch.Protocol;

/// <summary>
/// Codes carried by <see cref="MessageType.Error"/>. 1..4 are the engine's own refusal categories
/// (same numbers as Dispatch.Engine.DispatchError) so a caller can branch on them; the rest are the
/// server's. "Closes" means the server closes the connection after sending the error, because the
/// byte stream can no longer be trusted or the session cannot continue.
/// </summary>
public enum ErrorCode
{
    /// <summary>An order, courier or site id the engine does not know.</summary>
    UnknownId = 1,
    /// <summary>An id already in use.</summary>
    DuplicateId = 2,
    /// <summary>NaN or infinite number, negative time, inverted window, clock going backwards.</summary>
    InvalidValue = 3,
    /// <summary>The event does not fit the entity's state (drop-off before pickup, ...).</summary>
    InvalidState = 4,

    /// <summary>The frame is not a MessagePack array [type, rid, ...] with the fields its type needs. The connection stays open.</summary>
    MalformedMessage = 10,
    /// <summary>The type tag is not a request this server knows. The connection stays open.</summary>
    UnknownMessageType = 11,
    /// <summary>The length prefix is larger than the server's limit (or zero). Closes.</summary>
    FrameTooLarge = 12,
    /// <summary>The first frame was not Hello. Closes.</summary>
    HandshakeRequired = 13,
    /// <summary>Hello asked for a protocol version the server does not speak. Closes.</summary>
    UnsupportedVersion = 14,
    /// <summary>Tick sent to a server that runs on the wall clock.</summary>
    WrongClockMode = 15,
    /// <summary>Connection limit reached. Closes.</summary>
    ServerBusy = 16,
    /// <summary>The server is draining for shutdown; the command was not accepted. Closes.</summary>
    ShuttingDown = 17,
    /// <summary>The connection did not read its replies fast enough. Closes.</summary>
    SlowConsumer = 18,
    /// <summary>An unexpected server fault; the command was not applied.</summary>
    Internal = 19,
    /// <summary>No valid credential: Hello without a token (or a client certificate) where the server requires one, an unknown,
    /// expired or revoked token; also sent when a live connection's credential is revoked or expires. Closes.</summary>
    Unauthenticated = 20,
    /// <summary>The connection's role may not send this command (or not for that courier or order); the message names the
    /// role and the command. Nothing was applied or journaled. The connection stays open.</summary>
    Forbidden = 21,
    /// <summary>The connection kept sending above its role's request rate (after being slowed) or hit its subscription
    /// limit; the command was not accepted. The connection stays open.</summary>
    RateLimited = 22,
    /// <summary>A cluster region: the courier was handed off to another region, which holds it now; the message names that
    /// region (<c>send its commands to region '&lt;id&gt;'</c>). Nothing was applied. A silo's edge re-sends such a command to
    /// the region named itself, so a client sees this only from a region it calls directly or when that fails. The connection stays open.</summary>
    CourierMoved = 23,
}
