using System.Threading.Channels;
using Dispatch.Server.Security;
using Dispatch.Server.Snapshots;

namespace Dispatch.Server.Engine;

/// <summary>
/// What the TCP front end (<see cref="Transport.DispatchServer"/>, <see cref="Transport.Connection"/>) needs from whatever
/// carries out the commands it decodes: an inbox of requests and disconnects, the engine time for Pong, the time source,
/// and a lifecycle. The sidecar's is <see cref="EngineHost"/> (one engine thread, journal, group commit); a cluster silo
/// supplies one that forwards to region grains (Dispatch.Cluster), so both use one transport, one security layer.
/// Whoever reads the inbox answers every request through its <see cref="ReplyTarget"/>, calls
/// <see cref="ReplyTarget.Processed"/> once per request, and completes the target's outbound side after its Disconnect.
/// </summary>
internal interface ICommandHost : IDisposable
{
    /// <summary>Requests and disconnects, in each connection's order; full means the connection stops reading (backpressure).</summary>
    ChannelWriter<InboxItem> Inbox { get; }

    /// <summary>The engine time a Pong carries; readable from any thread.</summary>
    double Now { get; }

    /// <summary>The time source (credential expiry, sweeps).</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Completes when the host stops taking commands for good.</summary>
    Task Completion { get; }

    /// <summary>How the state was rebuilt at start; null when the host has no such report.</summary>
    RecoveryReport? Recovery { get; }

    /// <summary>The audit log accepted commands are recorded to (null: off); set before <see cref="Start"/>.</summary>
    AuditLog? Audit { get; set; }

    /// <summary>Rebuilds what it must and starts reading the inbox; before the port opens.</summary>
    void Start();

    /// <summary>Stops taking commands; completes when what was queued has been answered.</summary>
    Task CompleteAsync();
}
