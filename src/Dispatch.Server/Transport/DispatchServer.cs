using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dispatch.Protocol;
using Dispatch.Server.Engine;
using Dispatch.Server.LiveView;
using Dispatch.Server.Metrics;
using Dispatch.Server.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dispatch.Server.Transport;

/// <summary>
/// The sidecar server: a Socket accept loop that hands each connection its own read and write loops,
/// in front of one <see cref="EngineHost"/>. Start replays the journal before the port opens, so a
/// client never sees a half-recovered state. Stop drains: no new connections, no new reads, every
/// command already read is applied, journaled and answered, then the journal is synced. With TLS, each accepted
/// socket is put through the handshake on its own task (never the accept loop) before it becomes a connection; with
/// authentication, a sweep closes live connections whose credential was revoked or expired.
/// </summary>
public sealed class DispatchServer : IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger _log;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly EngineHost _engine;
    private readonly ServerSecurity _security;
    private ITimer? _sweep;
    private LiveViewServer? _liveView;
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _nextId;
    private int _stopping;

    /// <summary>Creates a server; nothing happens until <see cref="StartAsync"/>.</summary>
    public DispatchServer(ServerOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        options.Validate();
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _log = _loggerFactory.CreateLogger("Dispatch.Server");
        Metrics = new ServerMetrics();
        _engine = new EngineHost(options, _loggerFactory.CreateLogger("Dispatch.Server.Engine"), Metrics, time ?? TimeProvider.System);
        _security = new ServerSecurity(options, _loggerFactory.CreateLogger("Dispatch.Server.Security"));
    }

    /// <summary>The TLS certificate in force (null without TLS): tests and logs.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate => _security.Tls?.Certificate.Certificate;

    /// <summary>The bound address (after start; the real port when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>The live view's HTTP address (after start; null when <see cref="ServerOptions.HttpPort"/> is unset).</summary>
    public IPEndPoint? HttpEndPoint => _liveView?.EndPoint;

    /// <summary>The live view's counters (viewers dropped, events lost, actions), null when the HTTP port is off.</summary>
    internal LiveViewStats? LiveViewStats => _liveView?.Stats;

    /// <summary>The server's instruments.</summary>
    public ServerMetrics Metrics { get; }

    /// <summary>How the server rebuilt its state at start: the snapshot used (if any) and the journal records replayed after it. Null before start.</summary>
    public Snapshots.RecoveryReport? Recovery => _engine.Recovery;

    /// <summary>Completes when the engine thread ends: after a stop, or on a fatal journal error.</summary>
    public Task Completion => _engine.Completion;

    /// <summary>Recovers state from the journal, starts the engine thread, and listens.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _engine.Audit = _security.StartAudit();
        _engine.Start();
        var address = IPAddress.Parse(_options.Address);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, _options.Port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            _engine.Dispose();
            throw;
        }
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _log.LogInformation("Dispatch server listening on {Address}:{Port} (clock {Clock}, fsync {Fsync}, data {Data})",
            EndPoint.Address, EndPoint.Port, _options.Clock, _options.Fsync, Path.GetFullPath(_options.DataDirectory));
        _log.LogInformation("Security: {Tls}; {Auth}; audit {Audit}",
            _security.Tls is null ? "plaintext (no --tls-cert)" : $"TLS 1.2+ with {_security.Tls.Certificate.Certificate.Subject}" + (_security.Tls.AsksForClientCertificates ? ", client certificates asked for" : ""),
            _security.Credentials is null ? "no authentication (every peer is an operator)" : $"{_security.Credentials.Count} credentials from {_security.Credentials.Path}",
            _security.Audit is null ? "off" : _security.Audit.Folder);
        if (_security.RequiresAuthentication)
            _sweep = _engine.TimeProvider.CreateTimer(_ => SweepCredentials(), null, _options.CredentialSweepInterval, _options.CredentialSweepInterval);
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        if (_options.HttpPort is not null)
        {
            _liveView = new LiveViewServer(_options, _engine, _security, _loggerFactory.CreateLogger("Dispatch.Server.LiveView"));
            await _liveView.StartAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Graceful stop: drains, answers, syncs the journal, closes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1) { await Completion.ConfigureAwait(false); return; }
        _log.LogInformation("Dispatch server stopping: draining {Connections} connections", _connections.Count);
        _sweep?.Dispose();
        // The view first: its feeds end and no action is posted while the engine drains.
        if (_liveView is not null) await _liveView.StopAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);

        foreach (var c in _connections.Values) c.StopReading();
        try
        {
            await _engine.CompleteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError(ex, "Engine ended with an error during shutdown");
        }

        var remaining = _connections.Values.ToArray();
        var all = Task.WhenAll(remaining.Select(c => c.RunTask ?? Task.CompletedTask));
        if (await Task.WhenAny(all, Task.Delay(_options.DrainTimeout, CancellationToken.None)).ConfigureAwait(false) != all)
            foreach (var c in remaining) c.Close();
        _log.LogInformation("Dispatch server stopped; journal synced");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_liveView is not null) await _liveView.DisposeAsync().ConfigureAwait(false);
        _engine.Dispose();
        _security.Dispose(); // after the engine thread: the audit log takes its last entries first
        Metrics.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var listener = _listener!;
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                if (Volatile.Read(ref _stopping) == 1) return;
                if (ex is SocketException se && se.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset) continue;
                _log.LogError(ex, "Accept failed; the listener is closed");
                return;
            }

            if (Volatile.Read(ref _stopping) == 1) { socket.Dispose(); return; }
            if (Metrics.Connections >= _options.MaxConnections)
            {
                _ = RejectAsync(socket, ErrorCode.ServerBusy, $"connection limit of {_options.MaxConnections} reached");
                continue;
            }
            socket.NoDelay = true; // replies are small and latency matters more than packet count
            if (_options.SocketSendBufferBytes > 0) socket.SendBufferSize = _options.SocketSendBufferBytes;
            Metrics.ConnectionOpened(); // a handshake in progress counts: MaxConnections bounds those too
            _ = OpenConnectionAsync(socket);
        }
    }

    /// <summary>The TLS handshake (if any) on this task, then the connection's life.</summary>
    private async Task OpenConnectionAsync(Socket socket)
    {
        await Task.Yield();
        string remote = socket.RemoteEndPoint?.ToString() ?? "?";
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null;
        if (_security.Tls is { } tls)
        {
            byte? first = await FirstByteAsync(socket, tls.HandshakeTimeout).ConfigureAwait(false);
            if (first != TlsHandshakeRecord)
            {
                Metrics.TlsHandshakeFailed();
                Metrics.ConnectionClosed();
                if (first is null) { await stream.DisposeAsync().ConfigureAwait(false); return; } // silence past the timeout, or gone
                // A plaintext client (its frame starts with a length prefix, never 0x16 under the frame limit): one frame
                // it can read, saying why, instead of a silent close it would have to guess about.
                await RejectAsync(socket, ErrorCode.HandshakeRequired, "this port speaks TLS (1.2 or 1.3): connect with TLS; closing").ConfigureAwait(false);
                return;
            }
            var done = await tls.AuthenticateAsync(stream, remote).ConfigureAwait(false);
            if (done is null || Volatile.Read(ref _stopping) == 1)
            {
                // Plaintext, garbage, a foreign client certificate, silence: closed here, before a connection exists.
                if (done is null) Metrics.TlsHandshakeFailed();
                else await done.Value.Stream.DisposeAsync().ConfigureAwait(false);
                Metrics.ConnectionClosed();
                return;
            }
            (stream, clientCertificate) = done.Value;
        }
        long id = Interlocked.Increment(ref _nextId);
        var conn = new Connection(id, socket, stream, clientCertificate, remote, _engine, _options, _security, Metrics, _log);
        _connections[id] = conn;
        var run = RunConnectionAsync(conn);
        conn.RunTask = run;
        await run.ConfigureAwait(false);
    }

    private async Task RunConnectionAsync(Connection conn)
    {
        try
        {
            await conn.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Connection {Name} failed", conn.Name);
        }
        finally
        {
            _connections.TryRemove(conn.Id, out _);
            Metrics.ConnectionClosed();
        }
    }

    /// <summary>
    /// Re-reads the tokens file if it changed and closes the live connections whose credential is no longer in it (or
    /// changed role or courier) or has expired: a revocation reaches connections already open within one interval.
    /// </summary>
    private void SweepCredentials()
    {
        try
        {
            _security.ReloadCredentials();
            var now = _engine.TimeProvider.GetUtcNow();
            foreach (var c in _connections.Values)
            {
                var p = c.Principal;
                if (p.Kind == CredentialKind.None || _security.StillValid(p, now)) continue;
                c.Revoke(p.IsExpired(now) ? $"expired at {p.Expires:O}" : "was revoked");
            }
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Credential sweep failed");
        }
    }

    /// <summary>The first byte of every TLS connection: a handshake record (ClientHello).</summary>
    private const byte TlsHandshakeRecord = 0x16;

    /// <summary>The peer's first byte, left in the socket for the handshake to read; null when nothing came in time or the peer left.</summary>
    private static async Task<byte?> FirstByteAsync(Socket socket, TimeSpan timeout)
    {
        var one = new byte[1];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            int n = await socket.ReceiveAsync(one, SocketFlags.Peek, cts.Token).ConfigureAwait(false);
            return n == 1 ? one[0] : null;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return null; // the handshake below meets the same silence or closed socket and reports it
        }
    }

    private async Task RejectAsync(Socket socket, ErrorCode code, string message)
    {
        Metrics.Error();
        _log.LogWarning("Refusing connection from {Remote}: {Message}", socket.RemoteEndPoint, message);
        try
        {
            var frame = new FrameBuffer(128);
            ReplyCodec.WriteError(frame, 0, code, message);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.SendAsync(frame.WrittenMemory, SocketFlags.None, cts.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The refused client is gone already; nothing to tell it.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
