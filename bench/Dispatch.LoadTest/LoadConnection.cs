using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dispatch.Protocol;
using MessagePack;

namespace Dispatch.LoadTest;

/// <summary>Shared switches of one load level: every connection reads them.</summary>
internal sealed class LoadPhase
{
    /// <summary>0 warm-up, 1 measuring, 2 stop sending.</summary>
    public volatile int State;
    public long MeasureStart;
    public long MeasureEnd;
    /// <summary>Commands a connection may send in total (the count bound).</summary>
    public long MaxPerConnection = long.MaxValue;
}

/// <summary>
/// One raw protocol connection driving UpdateCourierPosition with at most <c>window</c> requests in
/// flight. Deliberately not <see cref="Dispatch.Client.DispatchClient"/>: that client allocates a
/// TaskCompletionSource and a dictionary entry per request, which on a 2-core box would measure the
/// load generator rather than the server. Here a request costs an encode into a batch buffer and a
/// timestamp in a ring indexed by request id (replies to one connection come in request order, and
/// at most <c>window</c> ids are outstanding, so the ring never overwrites a live entry).
/// Latency = send timestamp (taken just before the socket send of the request's batch) to the
/// moment its Ack is parsed.
/// </summary>
internal sealed class LoadConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream; // the socket's, or TLS over it
    private readonly int _window;
    private readonly int _mask;
    private readonly long[] _sentAt;
    private readonly byte[] _recv = new byte[256 * 1024];
    private readonly FrameBuffer _send = new(64 * 1024);
    private readonly long[] _couriers;
    private readonly Random _rng;
    private readonly double _x0, _y0;
    private int _recvStart, _recvEnd;
    private uint _nextRid;
    private int _inFlight;

    public LoadConnection(Socket socket, Stream stream, int window, long[] couriers, int seed, double x0 = 0, double y0 = 0)
    {
        _x0 = x0;
        _y0 = y0;
        _socket = socket;
        _stream = stream;
        _window = window;
        int ring = 1;
        while (ring < window) ring <<= 1;
        _mask = ring - 1;
        _sentAt = new long[ring];
        _couriers = couriers;
        _rng = new Random(seed);
    }

    /// <summary>Latencies (Stopwatch ticks) of requests sent and acknowledged inside the measurement window.</summary>
    public LongList Latencies { get; } = new();

    /// <summary>Acks received inside the measurement window.</summary>
    public long MeasuredAcks { get; private set; }

    public long Sent { get; private set; }

    public long Acked { get; private set; }

    public long Errors { get; private set; }

    /// <param name="region">The cluster region to name in Hello (null: none, a sidecar or the cluster's default region).</param>
    /// <param name="x0">Added to every reported position (the region's corner), with <paramref name="y0"/>.</param>
    public static async Task<LoadConnection> ConnectAsync(int port, int window, long[] couriers, int seed, LoadTls? tls = null, string? region = null, double x0 = 0, double y0 = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).ConfigureAwait(false);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (tls is not null) stream = await tls.WrapAsync(stream).ConfigureAwait(false);
        var c = new LoadConnection(socket, stream, window, couriers, seed, x0, y0);
        // Handshake with the ordinary codec.
        CommandCodec.WriteFrame(c._send, Command.Hello(1, "Dispatch.LoadTest", subscribe: false) with { Region = region });
        await stream.WriteAsync(c._send.WrittenMemory).ConfigureAwait(false);
        c._send.Reset();
        c._nextRid = 1;
        while (true)
        {
            int n = await stream.ReadAsync(c._recv.AsMemory(c._recvEnd)).ConfigureAwait(false);
            if (n == 0) throw new IOException("server closed during the handshake");
            c._recvEnd += n;
            var seq = new ReadOnlySequence<byte>(c._recv, 0, c._recvEnd);
            if (FrameReader.TryReadFrame(ref seq, int.MaxValue, out var payload, out _) != FrameStatus.Frame) continue;
            if (ReplyCodec.Read(payload) is not HelloOkMessage) throw new IOException("handshake refused");
            c._recvStart = c._recvEnd - (int)seq.Length;
            return c;
        }
    }

    public async Task RunAsync(LoadPhase phase)
    {
        int refill = Math.Max(1, _window / 4); // deep windows top up in chunks, so one syscall carries many frames
        while (true)
        {
            int state = phase.State;
            bool sending = state < 2 && Sent < phase.MaxPerConnection;
            if (!sending && _inFlight == 0) return;
            int room = _window - _inFlight;
            if (sending && (room >= refill || _inFlight == 0))
            {
                int n = (int)Math.Min(room, phase.MaxPerConnection - Sent);
                uint firstRid = _nextRid + 1;
                for (int i = 0; i < n; i++)
                {
                    uint rid = ++_nextRid;
                    long courier = _couriers[_rng.Next(_couriers.Length)];
                    CommandCodec.WriteFrame(_send, Command.UpdateCourierPosition(rid, courier, _x0 + 1000 + _rng.Next(4000), _y0 + 1000 + _rng.Next(4000)));
                }
                long ts = Stopwatch.GetTimestamp();
                for (uint rid = firstRid; rid != _nextRid + 1; rid++) _sentAt[rid & _mask] = ts;
                _inFlight += n;
                Sent += n;
                await _stream.WriteAsync(_send.WrittenMemory).ConfigureAwait(false);
                _send.Reset();
            }
            if (_inFlight == 0) continue;
            int got = await _stream.ReadAsync(_recv.AsMemory(_recvEnd)).ConfigureAwait(false);
            if (got == 0) throw new IOException($"server closed the connection with {_inFlight} requests in flight");
            _recvEnd += got;
            Parse(phase);
        }
    }

    private void Parse(LoadPhase phase)
    {
        long now = Stopwatch.GetTimestamp();
        bool measuring = phase.State == 1;
        long measureStart = phase.MeasureStart;
        var seq = new ReadOnlySequence<byte>(_recv, _recvStart, _recvEnd - _recvStart);
        while (FrameReader.TryReadFrame(ref seq, int.MaxValue, out var payload, out _) == FrameStatus.Frame)
        {
            var r = new MessagePackReader(payload);
            r.ReadArrayHeader();
            var type = (MessageType)r.ReadInt32();
            uint rid = r.ReadUInt32();
            if (rid == ProtocolConstants.PushRequestId) continue;
            if (type == MessageType.Error) Errors++;
            _inFlight--;
            Acked++;
            long sentAt = _sentAt[rid & _mask];
            if (measuring)
            {
                MeasuredAcks++;
                if (sentAt >= measureStart) Latencies.Add(now - sentAt);
            }
        }
        // Keep only the partial frame at the end (a few bytes), at the start of the buffer.
        int left = (int)seq.Length;
        if (left > 0) Buffer.BlockCopy(_recv, _recvEnd - left, _recv, 0, left);
        _recvStart = 0;
        _recvEnd = left;
    }

    public void Dispose()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
        _stream.Dispose();
        _socket.Dispose();
    }
}

/// <summary>A growable list of longs (no boxing, no per-add allocation once grown).</summary>
internal sealed class LongList
{
    private long[] _items = new long[1 << 16];

    public int Count { get; private set; }

    public void Add(long v)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = v;
    }

    public ReadOnlySpan<long> Span => _items.AsSpan(0, Count);
}
