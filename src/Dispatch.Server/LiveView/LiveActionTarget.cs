using System.Buffers;
using Dispatch.Protocol;
using Dispatch.Server.Buffers;
using Dispatch.Server.Engine;
using Dispatch.Server.Security;

namespace Dispatch.Server.LiveView;

/// <summary>
/// One action from the page, seen from the engine thread: a <see cref="ReplyTarget"/> like a connection's, so the
/// command goes through the same inbox, the same apply-then-journal, the same audit (with the token's principal) and
/// comes back as the same Ack or Error frame, released after the journal as any other reply.
/// </summary>
internal sealed class LiveActionTarget : ReplyTarget
{
    private readonly TaskCompletionSource<ServerMessage> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _remote;

    public LiveActionTarget(Principal who, string remote)
    {
        Principal = who;
        _remote = remote;
    }

    public override string Name => "http " + _remote;

    public override string Remote => _remote;

    /// <summary>The engine's answer: Ack or Error.</summary>
    public Task<ServerMessage> Reply => _reply.Task;

    public override void Send(ArraySegment<byte> frames, int frameCount)
    {
        try
        {
            var seq = new ReadOnlySequence<byte>(frames.Array!, frames.Offset, frames.Count);
            if (FrameReader.TryReadFrame(ref seq, int.MaxValue, out var payload, out _) == FrameStatus.Frame)
                _reply.TrySetResult(ReplyCodec.Read(payload));
            else
                _reply.TrySetException(new InvalidOperationException("the engine's reply frame was incomplete"));
        }
        catch (Exception ex)
        {
            _reply.TrySetException(ex);
        }
        finally
        {
            ServerBuffers.Frames.Return(frames.Array!);
        }
    }

    public override void CompleteOutbound() =>
        _reply.TrySetException(new InvalidOperationException("the server stopped before answering"));
}
