using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Dispatch.Protocol;

namespace Dispatch.Client;

/// <summary>
/// A client for the Dispatch sidecar server. Requests may be pipelined: every method returns as soon
/// as the request is queued and completes when its reply arrives (matched by request id). Queued
/// requests leave in batches, one flush per batch. Pushes (assignments, plan changes) are raised on
/// <see cref="PushReceived"/> from the receive loop, always before the reply that follows them on
/// the wire (so after awaiting a Tick's reply, every push of that tick has been seen). Thread-safe.
/// </summary>
public sealed class DispatchClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<Command> _sendQueue = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<ServerMessage>> _pending = new();
    private readonly Task _receiveLoop, _sendLoop;
    private int _nextRequestId;
    private volatile Exception? _closedReason;

    private DispatchClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _sendLoop = Task.Run(SendLoopAsync);
    }

    /// <summary>Raised for every push, on the receive loop: keep handlers short.</summary>
    public event Action<ServerMessage>? PushReceived;

    /// <summary>The server's handshake reply.</summary>
    public HelloOkMessage Server { get; private set; } = null!;

    /// <summary>An Error the server sent without a request id (e.g. before closing), if any.</summary>
    public ErrorMessage? ConnectionError { get; private set; }

    /// <summary>Requests sent and not yet answered.</summary>
    public int Outstanding => _pending.Count;

    /// <summary>Completes when the connection is closed.</summary>
    public Task Completion => _receiveLoop;

    /// <summary>Connects, sends Hello and waits for HelloOk.</summary>
    public static Task<DispatchClient> ConnectAsync(string host, int port, string clientName = "Dispatch.Client", bool subscribe = false, CancellationToken cancellationToken = default) =>
        ConnectAsync(host, port, new DispatchClientOptions { ClientName = clientName, Subscribe = subscribe }, cancellationToken);

    /// <summary>
    /// Connects (with TLS and a token when <paramref name="options"/> say so), sends Hello and waits for HelloOk. A refused
    /// credential or role throws <see cref="DispatchRequestException"/> (Unauthenticated, Forbidden); a failed TLS handshake
    /// throws <see cref="AuthenticationException"/>.
    /// </summary>
    public static async Task<DispatchClient> ConnectAsync(string host, int port, DispatchClientOptions options, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Tls) stream = await AuthenticateAsync(stream, host, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var client = new DispatchClient(socket, stream);
        try
        {
            var reply = await client.RequestAsync(Command.Hello(0, options.ClientName, options.Subscribe, token: options.Token)).WaitAsync(cancellationToken).ConfigureAwait(false);
            client.Server = reply switch
            {
                HelloOkMessage ok => ok,
                ErrorMessage e => throw new DispatchRequestException(e),
                _ => throw new DispatchConnectionException($"unexpected handshake reply {reply.Type}"),
            };
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<SslStream> AuthenticateAsync(Stream inner, string host, DispatchClientOptions options, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var auth = new SslClientAuthenticationOptions
        {
            TargetHost = options.TargetHost ?? host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificates = options.ClientCertificate is null ? null : new X509CertificateCollection { options.ClientCertificate },
            RemoteCertificateValidationCallback = options.TrustedCa is { } ca ? (_, cert, _, errors) => ChainsTo(ca, cert, errors) : options.ServerCertificateValidation,
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(auth, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The server's certificate names the host and chains to <paramref name="ca"/> alone.</summary>
    private static bool ChainsTo(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert = new X509Certificate2(certificate);
        return chain.Build(cert);
    }

    /// <summary>
    /// Sends any request (its request id is replaced by a fresh one) and returns the reply, Error
    /// replies included: this method throws only when the connection is lost.
    /// </summary>
    public Task<ServerMessage> RequestAsync(Command command)
    {
        if (_closedReason is { } reason) return Task.FromException<ServerMessage>(new DispatchConnectionException("the connection is closed", reason));
        uint rid;
        do { rid = (uint)Interlocked.Increment(ref _nextRequestId); } while (rid == ProtocolConstants.PushRequestId);
        var tcs = new TaskCompletionSource<ServerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[rid] = tcs;
        if (!_sendQueue.Writer.TryWrite(command with { RequestId = rid }))
        {
            _pending.TryRemove(rid, out _);
            tcs.TrySetException(new DispatchConnectionException("the connection is closed", _closedReason));
        }
        return tcs.Task;
    }

    /// <summary>Sends a request and returns its reply as <typeparamref name="T"/>; an Error reply throws <see cref="DispatchRequestException"/>.</summary>
    public async Task<T> RequestAsync<T>(Command command) where T : ServerMessage
    {
        var reply = await RequestAsync(command).ConfigureAwait(false);
        return reply switch
        {
            T t => t,
            ErrorMessage e => throw new DispatchRequestException(e),
            _ => throw new DispatchConnectionException($"expected {typeof(T).Name}, got {reply.Type}"),
        };
    }

    /// <summary>Health probe.</summary>
    public Task<PongMessage> PingAsync() => RequestAsync<PongMessage>(Command.Ping(0));
    /// <summary>Turns pushes on or off.</summary>
    public Task<AckMessage> SubscribeAsync(bool on) => RequestAsync<AckMessage>(Command.Subscribe(0, on));
    /// <summary>Adds a pickup site.</summary>
    public Task<AckMessage> AddSiteAsync(long siteId, double x, double y) => RequestAsync<AckMessage>(Command.AddSite(0, siteId, x, y));
    /// <summary>Places an order.</summary>
    public Task<AckMessage> PlaceOrderAsync(long orderId, long siteId, double dropX, double dropY, double placedAt, double readyAt, int size = 1) =>
        RequestAsync<AckMessage>(Command.PlaceOrder(0, orderId, siteId, dropX, dropY, placedAt, readyAt, size));
    /// <summary>Places an order with time windows and service minutes (honoured by the server's General profile).</summary>
    public Task<AckMessage> PlaceOrderAsync(long orderId, long siteId, double dropX, double dropY, double placedAt, double readyAt, int size, OrderTerms terms) =>
        RequestAsync<AckMessage>(Command.PlaceOrder(0, orderId, siteId, dropX, dropY, placedAt, readyAt, size, terms));
    /// <summary>Changes an order's ready time.</summary>
    public Task<AckMessage> ChangeReadyTimeAsync(long orderId, double readyAt) => RequestAsync<AckMessage>(Command.ChangeReadyTime(0, orderId, readyAt));
    /// <summary>Cancels an order.</summary>
    public Task<AckMessage> CancelOrderAsync(long orderId) => RequestAsync<AckMessage>(Command.CancelOrder(0, orderId));
    /// <summary>Announces a courier's shift.</summary>
    public Task<AckMessage> CourierOnShiftAsync(long courierId, double x, double y, double shiftStart, double shiftEnd, int capacity = 8) =>
        RequestAsync<AckMessage>(Command.CourierOnShift(0, courierId, x, y, shiftStart, shiftEnd, capacity));
    /// <summary>Takes a courier off shift now.</summary>
    public Task<AckMessage> CourierOffShiftAsync(long courierId) => RequestAsync<AckMessage>(Command.CourierOffShift(0, courierId));
    /// <summary>Reports a courier's position.</summary>
    public Task<AckMessage> UpdateCourierPositionAsync(long courierId, double x, double y) => RequestAsync<AckMessage>(Command.UpdateCourierPosition(0, courierId, x, y));
    /// <summary>Confirms a pickup.</summary>
    public Task<AckMessage> ConfirmPickupAsync(long orderId, double at) => RequestAsync<AckMessage>(Command.ConfirmPickup(0, orderId, at));
    /// <summary>Confirms a drop-off.</summary>
    public Task<AckMessage> ConfirmDropoffAsync(long orderId, double at) => RequestAsync<AckMessage>(Command.ConfirmDropoff(0, orderId, at));
    /// <summary>
    /// A picked-up order could not be handed over at <paramref name="at"/>: the server re-makes it at its site (ready at
    /// <paramref name="remadeReadyAt"/>, or estimated when null) and delivers it again with the same id, or, when
    /// <paramref name="returned"/>, ends it as returned. Refused (an error naming the order and the field) for an order
    /// that is not picked up, or an <paramref name="at"/> before its pickup or after now.
    /// </summary>
    public Task<AckMessage> DeliveryFailedAsync(long orderId, double at, WireDeliveryFailureReason reason, bool returned = false, double? remadeReadyAt = null) =>
        RequestAsync<AckMessage>(Command.DeliveryFailed(0, orderId, at, (int)reason, returned, remadeReadyAt ?? double.NaN));
    /// <summary>A delivered order went to the wrong customer (reported at <paramref name="at"/>): the server re-makes it
    /// (ready at <paramref name="remadeReadyAt"/>, or estimated when null) and delivers it again with the same id.</summary>
    public Task<AckMessage> WrongOrderDeliveredAsync(long orderId, double at, double? remadeReadyAt = null) =>
        RequestAsync<AckMessage>(Command.WrongOrderDelivered(0, orderId, at, remadeReadyAt ?? double.NaN));
    /// <summary>The kitchen changed an order before pickup (an item out of stock): a new ready time and/or a smaller size
    /// (null: unchanged; at least one given). Only that order's courier is re-planned.</summary>
    public Task<AckMessage> OrderChangedAsync(long orderId, double? newReadyAt = null, int? newSize = null) =>
        RequestAsync<AckMessage>(Command.OrderChanged(0, orderId, newReadyAt ?? double.NaN, newSize ?? 0));
    /// <summary>Manual clock: advances the server to <paramref name="now"/> and ticks. Pushes of the tick arrive before this completes.</summary>
    public Task<AckMessage> TickAsync(double now) => RequestAsync<AckMessage>(Command.Tick(0, now));
    /// <summary>
    /// Adds a congestion zone: inside <paramref name="polygon"/> (flat x, y pairs, closed automatically) traffic moves at
    /// <paramref name="speedFactor"/> of normal speed (in (0, 4]) from <paramref name="from"/> until <paramref name="to"/>
    /// (exclusive; +infinity for open-ended). Applies from the server's next tick.
    /// </summary>
    public Task<AckMessage> AddCongestionZoneAsync(long zoneId, double speedFactor, double from, double to, double[] polygon) =>
        RequestAsync<AckMessage>(Command.AddCongestionZone(0, zoneId, speedFactor, from, to, polygon));
    /// <summary>Adds a road closure (a line or a polygon of flat x, y pairs) for a window. Applies from the server's next tick.</summary>
    public Task<AckMessage> AddClosureAsync(long closureId, double from, double to, WireClosureKind kind, double[] points) =>
        RequestAsync<AckMessage>(Command.AddClosure(0, closureId, from, to, kind, points));
    /// <summary>Adds a citywide speed factor (rain: 0.7) for a window; overlapping windows multiply. Applies from the server's next tick.</summary>
    public Task<AckMessage> SetCitywideFactorAsync(double speedFactor, double from, double to) =>
        RequestAsync<AckMessage>(Command.SetCitywideFactor(0, speedFactor, from, to));
    /// <summary>A promised drop-off time for an order not placed yet; <see cref="QuoteMessage.Available"/> is false when no courier can take it.</summary>
    public Task<QuoteMessage> QuoteDropoffAsync(long siteId, double dropX, double dropY, double readyAt) =>
        RequestAsync<QuoteMessage>(Command.QuoteDropoff(0, siteId, dropX, dropY, readyAt));
    /// <summary>An order's status.</summary>
    public Task<OrderInfoMessage> GetOrderAsync(long orderId) => RequestAsync<OrderInfoMessage>(Command.GetOrder(0, orderId));
    /// <summary>A courier's status.</summary>
    public Task<CourierInfoMessage> GetCourierAsync(long courierId) => RequestAsync<CourierInfoMessage>(Command.GetCourier(0, courierId));
    /// <summary>Order and courier counts.</summary>
    public Task<CountsMessage> GetCountsAsync() => RequestAsync<CountsMessage>(Command.GetCounts(0));
    /// <summary>A metrics snapshot.</summary>
    public Task<MetricsMessage> GetMetricsAsync() => RequestAsync<MetricsMessage>(Command.GetMetrics(0));
    /// <summary>The server process's figures: RSS, managed heap, GC counts, journal and snapshot bytes on disk, snapshot pauses, engine size.</summary>
    public Task<ServerStatsMessage> GetServerStatsAsync() => RequestAsync<ServerStatsMessage>(Command.GetServerStats(0));

    /// <summary>
    /// The server's figures after a full compacting collection on the server (<paramref name="collectFirst"/>): live heap,
    /// heap size and RSS as the process holds them now. It pauses the whole server for the collection; operators only.
    /// </summary>
    public Task<ServerStatsMessage> GetServerStatsAsync(bool collectFirst) => RequestAsync<ServerStatsMessage>(Command.GetServerStats(0, collectFirst));

    private async Task SendLoopAsync()
    {
        var frames = new FrameBuffer(4096);
        var reader = _sendQueue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (frames.Length < 64 * 1024 && reader.TryRead(out var command))
                    CommandCodec.WriteFrame(frames, command);
                _output.Write(frames.WrittenSpan);
                frames.Reset();
                var flush = await _output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (true)
                    {
                        var status = FrameReader.TryReadFrame(ref buffer, int.MaxValue, out var payload, out _);
                        if (status == FrameStatus.NeedMore) break;
                        if (status == FrameStatus.Invalid) throw new DispatchConnectionException("the server sent an invalid frame length");
                        Dispatch(ReplyCodec.Read(payload));
                    }
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, result.Buffer.End);
                }
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception ex)
        {
            reason = ex;
        }
        Fail(reason ?? new DispatchConnectionException(ConnectionError is { } e ? $"the server closed the connection ({e.Code}: {e.Message})" : "the server closed the connection"));
    }

    private void Dispatch(ServerMessage message)
    {
        if (message.RequestId == ProtocolConstants.PushRequestId)
        {
            if (message is ErrorMessage e) ConnectionError = e;
            else PushReceived?.Invoke(message);
            return;
        }
        if (_pending.TryRemove(message.RequestId, out var tcs)) tcs.TrySetResult(message);
    }

    private void Fail(Exception reason)
    {
        _closedReason ??= reason;
        _sendQueue.Writer.TryComplete();
        foreach (var rid in _pending.Keys)
            if (_pending.TryRemove(rid, out var tcs))
                tcs.TrySetException(reason as DispatchConnectionException ?? new DispatchConnectionException("the connection was lost: " + reason.Message, reason));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _sendQueue.Writer.TryComplete();
        try { await _sendLoop.ConfigureAwait(false); } catch { /* reported through Fail */ }
        try { _socket.Shutdown(SocketShutdown.Both); } catch { /* already closed */ }
        _stream.Dispose();
        try { await _receiveLoop.ConfigureAwait(false); } catch { /* reported through Fail */ }
        Fail(new DispatchConnectionException("the client was disposed"));
    }
}
