using Dispatch.Protocol;
using Dispatch.Server.Buffers;
using Dispatch.Server.Security;

namespace Dispatch.Server.Engine;

/// <summary>
/// Where the engine thread sends replies and pushes: a connection, seen from the engine's side.
/// The engine thread collects a batch's frames in <see cref="Pending"/> and hands them over in one
/// piece only after the batch is journaled, so no reply ever precedes its durability. The frames are
/// encoded once, into pooled memory, and handed over by moving that memory, not by copying it.
/// </summary>
internal abstract class ReplyTarget
{
    // Engine-thread state: never touched by any other thread, so no locks.
    internal readonly FrameBuffer Pending = new(512, ServerBuffers.Frames);
    internal int PendingFrames;
    internal bool Queued;
    internal bool Subscribed;

    /// <summary>A short name for logs.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Who sends this target's commands. Set by the connection once, at Hello, before it posts the Hello; the engine thread
    /// reads it after taking a command from the inbox (the channel orders the write before the read). Used for the
    /// courier-app ownership check and the audit log.
    /// </summary>
    public Principal Principal { get; protected set; } = Principal.Anonymous;

    /// <summary>The peer's address, for the audit log.</summary>
    public virtual string Remote => "";

    /// <summary>Engine thread: a request this target posted was processed (its in-flight slot is free). Must not block.</summary>
    public virtual void Processed(in Command command) { }

    /// <summary>
    /// Takes whole frames for sending, and with them the array they are in, which comes from
    /// <see cref="ServerBuffers.Frames"/> (<see cref="FrameBuffer.Detach"/> of a pooled buffer): the target
    /// returns it there once the bytes are written or dropped. Thread-safe; drops the frames once the target closed.
    /// </summary>
    public abstract void Send(ArraySegment<byte> frames, int frameCount);

    /// <summary>Called by the engine thread after the target's last command was processed and its replies sent: nothing more will come.</summary>
    public abstract void CompleteOutbound();
}
