using Dispatch.Protocol;

namespace Dispatch.Server.Engine;

/// <summary>What a connection asks of the engine thread.</summary>
internal enum InboxKind : byte
{
    /// <summary>A decoded request.</summary>
    Request,
    /// <summary>The connection stopped reading: after its earlier requests, drop its subscription and close its outbound side.</summary>
    Disconnect,
}

/// <summary>One entry of the engine's bounded inbox: a struct, so queuing a command allocates nothing.</summary>
internal readonly record struct InboxItem(InboxKind Kind, Command Command, ReplyTarget? Origin)
{
    public static InboxItem Request(in Command command, ReplyTarget origin) => new(InboxKind.Request, command, origin);
    public static InboxItem Disconnect(ReplyTarget origin) => new(InboxKind.Disconnect, default, origin);
}
