using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
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
/// <remarks>
/// With <see cref="DispatchClientOptions.Endpoints"/> (the silos of a cluster, docs/cluster.md) a lost connection is not
/// the end: the client connects to the next endpoint, sends Hello again (same name, token, region and subscription), and
/// carries on; every request in flight at the loss fails with <see cref="DispatchInDoubtException"/> (never resent, never
/// dropped silently), requests made during the outage wait and go out on the new connection. Without endpoints a lost
/// connection fails every request and closes the client, as it always did.
/// </remarks>
public sealed class DispatchClient : IAsyncDisposable
{
    private readonly DispatchClientOptions _options;
    private readonly DnsEndPoint[] _endpoints;
    private readonly bool _failover;
    private readonly Channel<Command> _sendQueue = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<ServerMessage>> _pending = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _disposing = new();
    private volatile ClientLink _link = null!;
    private int _endpointIndex;
    private volatile bool _subscribe;
    private int _nextRequestId;
    private volatile Exception? _closedReason;

    // Boxed once: a pending request's type (for the in-doubt error) rides in its TaskCompletionSource's state at no cost.
    private static readonly object[] BoxedTypes = Enumerable.Range(0, 256).Select(i => (object)(MessageType)i).ToArray();

    private DispatchClient(DispatchClientOptions options, DnsEndPoint[] endpoints)
    {
        _options = options;
        _endpoints = endpoints;
        _failover = endpoints.Length > 1;
        _subscribe = options.Subscribe;
    }

    /// <summary>Raised for every push, on the receive loop: keep handlers short.</summary>
    public event Action<ServerMessage>? PushReceived;

    /// <summary>Raised after a reconnect to another endpoint (failover only), before the requests that waited are sent.</summary>
    public event Action<DispatchReconnect>? Reconnected;

    /// <summary>The server's handshake reply (the current connection's).</summary>
    public HelloOkMessage Server { get; private set; } = null!;

    /// <summary>The server the client is connected to now.</summary>
    public DnsEndPoint EndPoint => _link.EndPoint;

    /// <summary>Reconnects made so far (failover only).</summary>
    public int Reconnects { get; private set; }

    /// <summary>An Error the server sent without a request id (e.g. before closing), if any.</summary>
    public ErrorMessage? ConnectionError { get; private set; }

    /// <summary>Requests sent and not yet answered.</summary>
    public int Outstanding => _pending.Count;

    /// <summary>Completes when the client is closed for good (the connection lost and, with failover, no endpoint answering).</summary>
    public Task Completion => _closed.Task;

    /// <summary>Connects, sends Hello and waits for HelloOk.</summary>
    public static Task<DispatchClient> ConnectAsync(string host, int port, string clientName = "Dispatch.Client", bool subscribe = false, CancellationToken cancellationToken = default) =>
        ConnectAsync(host, port, new DispatchClientOptions { ClientName = clientName, Subscribe = subscribe }, cancellationToken);

    /// <summary>
    /// Connects (with TLS and a token when <paramref name="options"/> say so), sends Hello and waits for HelloOk. A refused
    /// credential or role throws <see cref="DispatchRequestException"/> (Unauthenticated, Forbidden); a failed TLS handshake
    /// throws <see cref="AuthenticationException"/>. With <see cref="DispatchClientOptions.Endpoints"/>, <paramref name="host"/>:
    /// <paramref name="port"/> is the first endpoint and the others are where the client reconnects.
    /// </summary>
    public static Task<DispatchClient> ConnectAsync(string host, int port, DispatchClientOptions options, CancellationToken cancellationToken = default)
    {
        var first = new DnsEndPoint(host, port);
        var all = new List<DnsEndPoint> { first };
        foreach (var e in options.Endpoints) if (!all.Contains(e)) all.Add(e);
        return ConnectAsync(options, [.. all], cancellationToken);
    }

    /// <summary>
    /// Connects to the first of <see cref="DispatchClientOptions.Endpoints"/> that answers (in order) and reconnects to the
    /// next one whenever the connection is lost (see the remarks on <see cref="DispatchClient"/>).
    /// </summary>
    public static Task<DispatchClient> ConnectAsync(DispatchClientOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Endpoints.Count == 0) throw new ArgumentException("DispatchClientOptions.Endpoints: empty; name at least one server (host and port)", nameof(options));
        return ConnectAsync(options, [.. options.Endpoints.Distinct()], cancellationToken);
    }

    private static async Task<DispatchClient> ConnectAsync(DispatchClientOptions options, DnsEndPoint[] endpoints, CancellationToken cancellationToken)
    {
        if (endpoints.Length > 1 && options.ReconnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"DispatchClientOptions.ReconnectTimeout: {options.ReconnectTimeout} must be positive", nameof(options));
        var client = new DispatchClient(options, endpoints);
        Exception? last = null;
        // The first connection: each endpoint once, in order. A refusal of the Hello itself (a credential, a region) is the
        // answer, not an outage: it is thrown at once.
        for (int i = 0; i < endpoints.Length; i++)
        {
            try
            {
                client._link = await client.OpenAsync(endpoints[i], cancellationToken).ConfigureAwait(false);
                client._endpointIndex = i;
                client.StartSending(client._link);
                return client;
            }
            catch (Exception ex) when (endpoints.Length > 1 && i < endpoints.Length - 1 && ex is not (DispatchRequestException or OperationCanceledException or AuthenticationException))
            {
                last = ex;
            }
        }
        throw last ?? new DispatchConnectionException("no endpoint");
    }

    /// <summary>Opens a connection, starts its receive loop and completes the handshake on it before anything else is sent.</summary>
    private async Task<ClientLink> OpenAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var link = await ClientLink.OpenAsync(endpoint, _options.Tls ? (s, h, ct) => AuthenticateAsync(s, h, _options, ct) : null, cancellationToken).ConfigureAwait(false);
        link.ReceiveLoop = Task.Run(() => ReceiveLoopAsync(link));
        var hello = Command.Hello(NextRequestId(), _options.ClientName, _subscribe, token: _options.Token) with { Region = _options.Region };
        try
        {
            var tcs = Register(hello);
            var frame = new FrameBuffer(128);
            CommandCodec.WriteFrame(frame, hello);
            link.Output.Write(frame.WrittenSpan);
            await link.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            // The receive loop ending first means the connection died before the HelloOk.
            if (await Task.WhenAny(tcs.Task, link.ReceiveLoop).WaitAsync(cancellationToken).ConfigureAwait(false) != tcs.Task && !tcs.Task.IsCompleted)
                throw new DispatchConnectionException($"{endpoint.Host}:{endpoint.Port} closed the connection before answering Hello");
            var reply = await tcs.Task.ConfigureAwait(false);
            Server = reply switch
            {
                HelloOkMessage ok => ok,
                ErrorMessage e => throw new DispatchRequestException(e),
                _ => throw new DispatchConnectionException($"unexpected handshake reply {reply.Type}"),
            };
            return link;
        }
        catch
        {
            _pending.TryRemove(hello.RequestId, out _);
            link.Abort();
            try { await link.ReceiveLoop.ConfigureAwait(false); } catch { /* reported below */ }
            throw;
        }
    }

    private void StartSending(ClientLink link) => link.SendLoop = Task.Run(() => SendLoopAsync(link));

    private static async Task<Stream> AuthenticateAsync(Stream inner, string host, DispatchClientOptions options, CancellationToken cancellationToken)
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

    private uint NextRequestId()
    {
        uint rid;
        do { rid = (uint)Interlocked.Increment(ref _nextRequestId); } while (rid == ProtocolConstants.PushRequestId);
        return rid;
    }

    private TaskCompletionSource<ServerMessage> Register(in Command command)
    {
        var tcs = new TaskCompletionSource<ServerMessage>(BoxedTypes[(byte)command.Type], TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[command.RequestId] = tcs;
        return tcs;
    }

    /// <summary>
    /// Sends any request (its request id is replaced by a fresh one) and returns the reply, Error
    /// replies included: this method throws only when the connection is lost.
    /// </summary>
    public Task<ServerMessage> RequestAsync(Command command)
    {
        if (_closedReason is { } reason) return Task.FromException<ServerMessage>(new DispatchConnectionException("the connection is closed", reason));
        uint rid = NextRequestId();
        var tcs = Register(command with { RequestId = rid });
        // A reconnect subscribes as the client last asked to.
        if (command.Type == MessageType.Subscribe) _subscribe = command.Flag;
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

    private async Task SendLoopAsync(ClientLink link)
    {
        var frames = new FrameBuffer(4096);
        var reader = _sendQueue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(link.Stopping).ConfigureAwait(false))
            {
                while (frames.Length < 64 * 1024 && reader.TryRead(out var command))
                {
                    // After a loss, a request already failed as in doubt must not go out later on the new connection.
                    if (_failover && !_pending.ContainsKey(command.RequestId)) continue;
                    CommandCodec.WriteFrame(frames, command);
                }
                if (frames.Length == 0) continue;
                link.Output.Write(frames.WrittenSpan);
                frames.Reset();
                var flush = await link.Output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (OperationCanceledException) when (link.Stopping.IsCancellationRequested)
        {
            // Given up: the receive loop reports the loss.
        }
        catch (Exception ex)
        {
            link.SendFailure = ex;
            if (_failover) link.Abort(); // the receive loop ends and reconnects
            else Fail(ex);
        }
    }

    private async Task ReceiveLoopAsync(ClientLink link)
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var result = await link.Input.ReadAsync().ConfigureAwait(false);
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
                    link.Input.AdvanceTo(buffer.Start, result.Buffer.End);
                }
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception ex)
        {
            reason = ex;
        }
        reason = link.SendFailure ?? reason ?? new DispatchConnectionException(ConnectionError is { } e ? $"the server closed the connection ({e.Code}: {e.Message})" : "the server closed the connection");
        if (_failover && _link == link && !_disposing.IsCancellationRequested) _ = Task.Run(() => ReconnectAsync(link, reason));
        else if (!_failover || _link == link) Fail(reason);
    }

    /// <summary>
    /// Failover: every request in flight on the lost link fails as in doubt; then the endpoints are tried from the next one
    /// round, with <see cref="DispatchClientOptions.ReconnectDelay"/> between rounds, until one completes the handshake or
    /// <see cref="DispatchClientOptions.ReconnectTimeout"/> passes (then the client closes). Requests made meanwhile wait in the
    /// queue and go out on the new connection, after its Hello.
    /// </summary>
    private async Task ReconnectAsync(ClientLink lost, Exception reason)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        lost.Abort();
        try { await lost.SendLoop.ConfigureAwait(false); } catch { /* it reported */ }
        // The old send loop is finished, so nothing more leaves on the lost link: what is pending now is exactly in doubt.
        int inDoubt = 0;
        foreach (var rid in _pending.Keys)
        {
            if (!_pending.TryRemove(rid, out var tcs)) continue;
            tcs.TrySetException(new DispatchInDoubtException((MessageType)tcs.Task.AsyncState!, $"{lost.EndPoint.Host}:{lost.EndPoint.Port}", reason));
            inDoubt++;
        }
        var deadline = started + (long)(_options.ReconnectTimeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        Exception last = reason;
        int next = _endpointIndex;
        while (!_disposing.IsCancellationRequested && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
        {
            for (int k = 1; k <= _endpoints.Length && !_disposing.IsCancellationRequested; k++)
            {
                int i = (next + k) % _endpoints.Length;
                try
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
                    attempt.CancelAfter(_options.ReconnectAttemptTimeout);
                    var link = await OpenAsync(_endpoints[i], attempt.Token).ConfigureAwait(false);
                    _endpointIndex = i;
                    _link = link;
                    Reconnects++;
                    Reconnected?.Invoke(new DispatchReconnect(lost.EndPoint, link.EndPoint, inDoubt, reason, System.Diagnostics.Stopwatch.GetElapsedTime(started)));
                    StartSending(link);
                    if (_disposing.IsCancellationRequested) link.Abort();
                    return;
                }
                catch (DispatchRequestException ex) when (ex.Code is not (ErrorCode.Internal or ErrorCode.ServerBusy or ErrorCode.ShuttingDown or ErrorCode.RateLimited))
                {
                    // The Hello itself was refused (a credential, a region): another silo would answer the same. A silo that
                    // could not reach the region yet (Internal: it is being taken over), is busy or stopping is an outage: retried.
                    Fail(new DispatchConnectionException($"reconnecting to {_endpoints[i].Host}:{_endpoints[i].Port}: the Hello was refused ({ex.Message})", ex));
                    return;
                }
                catch (Exception ex)
                {
                    last = ex;
                }
            }
            next = _endpointIndex;
            try { await Task.Delay(_options.ReconnectDelay, _disposing.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        Fail(new DispatchConnectionException($"the connection to {lost.EndPoint.Host}:{lost.EndPoint.Port} was lost ({reason.Message}) and no endpoint answered within {_options.ReconnectTimeout.TotalSeconds:0.#} s (last: {last.Message})", last));
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
        _closed.TrySetResult();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        _sendQueue.Writer.TryComplete();
        await _link.CloseAsync().ConfigureAwait(false);
        Fail(new DispatchConnectionException("the client was disposed"));
    }
}
