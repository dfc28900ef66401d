using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Dispatch.Protocol;
using Dispatch.Server.Buffers;
using Dispatch.Server.Engine;
using Dispatch.Server.Metrics;
using Dispatch.Server.Security;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Transport;

/// <summary>
/// One client connection: a read loop that splits the socket's bytes into frames and posts decoded
/// commands to the engine, and a write loop that drains queued reply bytes into the socket, many
/// frames per flush. Anything wrong with this connection's bytes ends this connection only. The stream is the
/// socket's, or a TLS stream over it once the server's <see cref="TlsAcceptor"/> finished the handshake. Hello
/// authenticates the peer (<see cref="ServerSecurity.Authenticate"/>); every later command passes the role table
/// (<see cref="CommandPolicy"/>) and the role's limits (<see cref="RequestThrottle"/>) here, on the read loop, before
/// it is posted to the engine.
/// </summary>
internal sealed class Connection : ReplyTarget
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly X509Certificate2? _clientCertificate;
    private readonly ServerSecurity _security;
    private RequestThrottle? _throttle;
    private bool _subscribed; // holds one of its credential's subscriptions (read loop only)
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly ICommandHost _host;
    private readonly ServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _log;
    // Pooled arrays, each holding whole frames; the write loop returns them to the pool once written.
    private readonly Channel<ArraySegment<byte>> _outbound;
    private readonly FrameBuffer _local = new(128, ServerBuffers.Frames); // replies made by the read loop itself (errors, Pong)
    private readonly object _localLock = new();
    private long _outboundBytes;
    private int _closed;
    private volatile bool _handshaken;
    private volatile bool _stopRequested;

    /// <param name="stream">The socket's stream (owning the socket), or the TLS stream over it.</param>
    public Connection(long id, Socket socket, Stream stream, X509Certificate2? clientCertificate, string remote, ICommandHost host, ServerOptions options,
        ServerSecurity security, ServerMetrics metrics, ILogger log)
    {
        Id = id;
        _socket = socket;
        _host = host;
        _options = options;
        _security = security;
        _metrics = metrics;
        _log = log;
        Remote = remote;
        _stream = stream;
        _clientCertificate = clientCertificate;
        // Plaintext: the write loop, when idle, continues on the thread that queues the replies (the engine thread at
        // the end of a batch), so a batch's replies go into the socket there and then: a non-blocking send, as the
        // socket is in async mode; a send the kernel cannot take at once completes later on the thread pool, and the
        // loop stays there until the queue is empty again. That saves the thread-pool hand-off and its wake-up for
        // every batch of every connection, the largest scheduling cost of the server's path in a profile. Over TLS
        // the write encrypts: that stays off the engine thread, on the thread pool as before.
        _outbound = Channel.CreateUnbounded<ArraySegment<byte>>(new UnboundedChannelOptions
        {
            SingleReader = true,
            AllowSynchronousContinuations = stream is not SslStream,
        });
        // The stream reader only reads the socket when the loop asks for more, so a paused loop
        // (engine inbox full) stops draining the socket and TCP flow control slows the client.
        // The segments come from the server's own pool, as the reply frames do (ServerBuffers: a quiet server gives them back).
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(ServerBuffers.Pipes, bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(ServerBuffers.Pipes, minimumBufferSize: 16 * 1024, leaveOpen: true));
    }

    public long Id { get; }

    public override string Remote { get; }

    /// <summary>The task running this connection (set by the server right after start).</summary>
    public Task? RunTask { get; set; }

    public override string Name => $"#{Id} {Remote}";

    /// <summary>Reads until the peer closes, a fatal protocol error, or shutdown; then lets the last replies out and closes.</summary>
    public async Task RunAsync()
    {
        var writer = Task.Run(WriteLoopAsync);
        using var handshake = new Timer(_ => OnHandshakeTimeout(), null, _options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            _log.LogDebug("Connection {Name}: read ended ({Message})", Name, ex.Message);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Connection {Name}: read loop failed", Name);
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            if (_subscribed) { _security.Subscriptions.Release(Principal); _subscribed = false; }
        }

        // Queue the disconnect behind this connection's last commands, so their replies still go out
        // before the engine closes our outbound side.
        try
        {
            await _host.Inbox.WriteAsync(InboxItem.Disconnect(this)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Inbox closed (shutdown or engine fault): once the engine has drained, nothing more will come.
            try { await _host.Completion.ConfigureAwait(false); } catch { /* fault already logged */ }
            CompleteOutbound();
        }

        var drained = await Task.WhenAny(writer, Task.Delay(_options.DrainTimeout)).ConfigureAwait(false);
        if (drained != writer) _log.LogDebug("Connection {Name}: replies not drained in time, closing", Name);
        Close();
        try { await writer.ConfigureAwait(false); } catch { /* socket gone */ }
    }

    /// <summary>Shutdown: stop reading (commands already read still reach the engine and are answered).</summary>
    public void StopReading()
    {
        _stopRequested = true;
        _input.CancelPendingRead();
    }

    /// <summary>
    /// The revocation sweep found this connection's credential revoked or expired: one Unauthenticated error, then the
    /// connection stops reading and closes like any other (commands already read are still answered).
    /// </summary>
    public void Revoke(string reason)
    {
        if (Volatile.Read(ref _closed) == 1 || _stopRequested) return;
        _metrics.Revoked();
        _log.LogInformation("Connection {Name}: credential '{Credential}' {Reason}; closing", Name, Principal.Name, reason);
        SendError(0, ErrorCode.Unauthenticated, $"credential '{Principal.Name}' {reason}; closing");
        StopReading();
    }

    /// <summary>Closes the socket at once (slow consumer, end of drain).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1) return;
        _outbound.Writer.TryComplete();
        try { _socket.Shutdown(SocketShutdown.Both); } catch { /* already gone */ }
        _stream.Dispose();
    }

    public override void Send(ArraySegment<byte> frames, int frameCount)
    {
        if (Volatile.Read(ref _closed) == 1)
        {
            ReturnToPool(frames);
            return;
        }
        long queued = Interlocked.Add(ref _outboundBytes, frames.Count);
        if (queued > _options.MaxOutboundBytes)
        {
            // It is not reading its replies. Queuing more would grow without bound; closing it is the
            // only way to keep the engine and everyone else going.
            _log.LogWarning("Connection {Name}: {Bytes} reply bytes queued (limit {Limit}); closing a slow consumer", Name, queued, _options.MaxOutboundBytes);
            _metrics.Error();
            ReturnToPool(frames);
            Close();
            return;
        }
        if (_outbound.Writer.TryWrite(frames)) _metrics.FramesOutAdd(frameCount);
        else ReturnToPool(frames);
    }

    private static void ReturnToPool(ArraySegment<byte> frames) => ServerBuffers.Frames.Return(frames.Array!);

    public override void CompleteOutbound() => _outbound.Writer.TryComplete();

    /// <inheritdoc />
    public override void Processed(in Command command)
    {
        if (command.Type != MessageType.Hello) _throttle?.Exit();
    }

    // ------------------------------------------------------------------ read side

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
            if (result.IsCanceled || _stopRequested)
            {
                // Shutdown or handshake timeout (CancelPendingRead): stop without touching the buffer.
                _input.AdvanceTo(result.Buffer.Start);
                return;
            }
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            SequencePosition examined = buffer.End;
            bool stop = false;
            try
            {
                while (!stop)
                {
                    var status = FrameReader.TryReadFrame(ref buffer, _options.MaxFrameBytes, out var payload, out uint declared);
                    if (status == FrameStatus.NeedMore) break;
                    if (status == FrameStatus.Invalid)
                    {
                        SendError(0, ErrorCode.FrameTooLarge, declared == 0
                            ? "zero-length frame; closing"
                            : $"frame of {declared} bytes exceeds the limit of {_options.MaxFrameBytes}; closing");
                        _log.LogInformation("Connection {Name}: bad length prefix {Declared}; closing", Name, declared);
                        stop = true;
                        break;
                    }
                    consumed = buffer.Start;
                    _metrics.FrameIn();
                    var verdict = Decode(payload, out var command);
                    if (verdict == Verdict.Post) verdict = await AdmitAsync(command).ConfigureAwait(false);
                    if (verdict == Verdict.Close) stop = true;
                    else if (verdict == Verdict.Post && !await PostAsync(command).ConfigureAwait(false)) stop = true;
                }
                if (!stop && result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                        _log.LogInformation("Connection {Name}: closed mid-frame, {Bytes} bytes of a partial frame discarded", Name, buffer.Length);
                    stop = true;
                }
            }
            finally
            {
                // Partial frame: consumed stays at its start, examined at the end, so the next read waits for more bytes.
                _input.AdvanceTo(consumed, examined);
            }
            if (stop) return;
        }
    }

    private enum Verdict { Post, Continue, Close }

    /// <summary>Decodes a frame and handles what needs no engine (Ping, the handshake checks).</summary>
    private Verdict Decode(in ReadOnlySequence<byte> payload, out Command command)
    {
        try
        {
            command = CommandCodec.Read(payload);
        }
        catch (ProtocolException ex)
        {
            command = default;
            if (_handshaken)
            {
                SendError(ex.RequestId, ex.Code, ex.Message);
                return Verdict.Continue;
            }
            // One answer before the close: why the first frame was not a Hello.
            SendError(ex.RequestId, ErrorCode.HandshakeRequired, $"the first frame must be a valid Hello ({ex.Message}); closing");
            return Verdict.Close;
        }

        // Request id 0 is what pushes carry: a reply to it could not be told from a push.
        if (command.RequestId == ProtocolConstants.PushRequestId)
        {
            SendError(0, ErrorCode.InvalidValue, $"{command.Type}: request id 0 is reserved for pushes; use 1 to 4294967295" + (_handshaken ? "" : "; closing"));
            return _handshaken ? Verdict.Continue : Verdict.Close;
        }

        if (command.Type == MessageType.Ping)
        {
            lock (_localLock)
            {
                ReplyCodec.WritePong(_local, command.RequestId, _host.Now);
                Send(_local.Detach(), 1);
            }
            return Verdict.Continue;
        }
        if (!_handshaken)
        {
            if (command.Type != MessageType.Hello)
            {
                SendError(command.RequestId, ErrorCode.HandshakeRequired, $"the first frame must be Hello, got {command.Type}; closing");
                return Verdict.Close;
            }
            if (command.Id != ProtocolConstants.Version)
            {
                SendError(command.RequestId, ErrorCode.UnsupportedVersion, $"protocol version {command.Id} is not supported; this server speaks {ProtocolConstants.Version}; closing");
                return Verdict.Close;
            }
            var who = _security.Authenticate(command.Token, _clientCertificate, _host.TimeProvider.GetUtcNow(), out string reason);
            if (who is null)
            {
                _metrics.AuthFailed();
                _log.LogInformation("Connection {Name}: Hello from '{Client}' not authenticated: {Reason}; closing", Name, command.Text, reason);
                SendError(command.RequestId, ErrorCode.Unauthenticated, reason + "; closing");
                return Verdict.Close;
            }
            if (CommandPolicy.Check(who, command) == PolicyVerdict.Forbidden)
            {
                _metrics.Forbidden();
                SendError(command.RequestId, ErrorCode.Forbidden, CommandPolicy.Explain(who, command) + "; closing");
                return Verdict.Close;
            }
            Principal = who;
            var limits = _security.LimitsOf(who.Role);
            var throttle = new RequestThrottle(limits);
            _throttle = throttle.IsOff ? null : throttle;
            _handshaken = true;
            _log.LogDebug("Connection {Name}: hello from '{Client}' as '{Credential}' ({Role}; subscribe {Subscribe})", Name, command.Text, who.Name, who.Role.Name(), command.Flag);
            return Verdict.Post;
        }
        if (command.Type == MessageType.Hello)
        {
            SendError(command.RequestId, ErrorCode.InvalidState, "Hello was already received on this connection");
            return Verdict.Continue;
        }
        // The role table, before the engine sees anything: a forbidden command is never posted, so never journaled.
        if (CommandPolicy.Check(Principal, command) == PolicyVerdict.Forbidden)
        {
            _metrics.Forbidden();
            SendError(command.RequestId, ErrorCode.Forbidden, CommandPolicy.Explain(Principal, command));
            return Verdict.Continue;
        }
        return Verdict.Post;
    }

    /// <summary>
    /// The role's limits for a command bound for the engine: the subscription count (Hello's flag, Subscribe), the
    /// request rate (waiting here stops this loop reading the socket: the client is slowed; held back longer than the
    /// role allows, the request is refused with RateLimited) and the requests in flight. Nothing allocates unless the
    /// loop has to wait.
    /// </summary>
    private async ValueTask<Verdict> AdmitAsync(Command command)
    {
        var limits = _security.LimitsOf(Principal.Role);
        if (command.Type is MessageType.Hello or MessageType.Subscribe)
        {
            if (command.Flag && !_subscribed)
            {
                if (!_security.Subscriptions.TryAcquire(Principal, limits.MaxSubscriptions))
                {
                    _metrics.RateLimited();
                    bool hello = command.Type == MessageType.Hello;
                    SendError(command.RequestId, ErrorCode.RateLimited,
                        $"credential '{Principal.Name}' already holds {limits.MaxSubscriptions} subscribed connection(s), the limit of role {Principal.Role.Name()}" + (hello ? "; closing" : ""));
                    return hello ? Verdict.Close : Verdict.Continue;
                }
                _subscribed = true;
            }
            else if (!command.Flag && _subscribed)
            {
                _security.Subscriptions.Release(Principal);
                _subscribed = false;
            }
            if (command.Type == MessageType.Hello) return Verdict.Post; // the session's first command is never throttled
        }
        if (_throttle is not { } throttle) return Verdict.Post;
        for (bool retry = false; ; retry = true)
        {
            var v = throttle.Check(retry, out var wait);
            if (v == ThrottleVerdict.Admit) break;
            if (v == ThrottleVerdict.Refuse)
            {
                _metrics.RateLimited();
                SendError(command.RequestId, ErrorCode.RateLimited,
                    $"{command.Type} refused: over {limits.RequestsPerSecond:0.##} requests/s (role {Principal.Role.Name()}) for more than {limits.ThrottleSeconds:0.##} s; slow down");
                return Verdict.Continue;
            }
            _metrics.Throttled();
            await Task.Delay(wait).ConfigureAwait(false);
            if (_stopRequested) return Verdict.Close;
        }
        var enter = throttle.EnterAsync();
        if (!enter.IsCompleted)
        {
            _metrics.Throttled();
            await enter.ConfigureAwait(false);
        }
        return Verdict.Post;
    }

    private async ValueTask<bool> PostAsync(Command command)
    {
        var item = InboxItem.Request(command, this);
        if (_host.Inbox.TryWrite(item)) return true;
        _metrics.BackpressureWait();
        try
        {
            // Inbox full: waiting here stops this loop reading the socket, which is the backpressure.
            await _host.Inbox.WriteAsync(item).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            SendError(command.RequestId, ErrorCode.ShuttingDown, "the server is shutting down; command not accepted");
            return false;
        }
    }

    private void SendError(uint rid, ErrorCode code, string message)
    {
        _metrics.Error();
        lock (_localLock)
        {
            ReplyCodec.WriteError(_local, rid, code, message);
            Send(_local.Detach(), 1);
        }
    }

    private void OnHandshakeTimeout()
    {
        if (_handshaken || Volatile.Read(ref _closed) == 1) return;
        _log.LogInformation("Connection {Name}: no Hello within {Timeout}; closing", Name, _options.HandshakeTimeout);
        SendError(0, ErrorCode.HandshakeRequired, "no Hello received in time; closing");
        StopReading();
    }

    // ------------------------------------------------------------------ write side

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                // Batch: everything queued so far goes out in one flush. A chunk's pooled array goes back
                // to the pool as soon as the pipe holds its bytes.
                while (reader.TryRead(out var chunk))
                {
                    _output.Write(chunk);
                    Interlocked.Add(ref _outboundBytes, -chunk.Count);
                    ReturnToPool(chunk);
                }
                var flush = await _output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _log.LogDebug("Connection {Name}: write ended ({Message})", Name, ex.Message);
        }
        finally
        {
            try { await _output.CompleteAsync().ConfigureAwait(false); } catch { /* socket gone */ }
        }
    }
}
