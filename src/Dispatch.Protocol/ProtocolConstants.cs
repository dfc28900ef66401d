namespace Dispatch.Protocol;

/// <summary>Numbers both sides must agree on. See docs/protocol.md.</summary>
public static class ProtocolConstants
{
    /// <summary>The protocol version this library speaks; sent in <see cref="MessageType.Hello"/>.</summary>
    public const int Version = 1;

    /// <summary>Bytes of the big-endian length prefix in front of every frame.</summary>
    public const int HeaderBytes = 4;

    /// <summary>Default largest frame payload a server accepts (1 MiB). Servers may lower or raise it; HelloOk tells the client.</summary>
    public const int DefaultMaxFrameBytes = 1 << 20;

    /// <summary>Request id used by server pushes (assignments, plan changes), which answer no request.</summary>
    public const uint PushRequestId = 0;

    /// <summary>Most points (x, y pairs) a congestion zone or closure may have; longer geometries are refused (InvalidValue).</summary>
    public const int MaxTrafficPoints = 10_000;
}
