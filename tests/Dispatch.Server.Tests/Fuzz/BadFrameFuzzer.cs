using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dispatch.Client;
using Dispatch.Protocol;
using MessagePack;

namespace Dispatch.Fuzzing;

/// <summary>What a fuzz run does (shared by the xUnit test and <c>Dispatch.LoadTest fuzz</c>).</summary>
/// <param name="Port">Server on 127.0.0.1.</param>
/// <param name="TargetFrames">Bad frames to send on the connections that stay open (the count the run is about).</param>
/// <param name="Seed">Fixed seed: the bytes sent are a function of it (the interleaving across connections is not).</param>
/// <param name="KeepOpenConnections">Connections sending well-framed bad messages in parallel, reading every reply.</param>
/// <param name="KillerLoops">Parallel loops opening connections that send connection-killing garbage.</param>
/// <param name="Window">Bad frames pipelined per connection before their replies are read.</param>
/// <param name="MaxFrameBytes">The server's frame limit (for oversized prefixes).</param>
/// <param name="Client">How every connection is opened (TLS, token); null: plaintext, no token (a loopback server without authentication).</param>
internal sealed record FuzzSettings(int Port, long TargetFrames, int Seed, int KeepOpenConnections = 4, int KillerLoops = 1,
    int Window = 256, int MaxFrameBytes = 64 * 1024, FuzzClient? Client = null);

/// <summary>
/// How the fuzzer's connections reach a server with security on: <paramref name="Wrap"/> turns a connected socket's
/// stream into the stream to speak on (a TLS handshake), <paramref name="Token"/> goes into every Hello, and
/// <paramref name="Options"/> opens the post-check's client.
/// </summary>
internal sealed record FuzzClient(Func<Stream, CancellationToken, Task<Stream>> Wrap, string? Token, DispatchClientOptions Options);

/// <summary>What a fuzz run saw.</summary>
internal sealed record FuzzResult(
    long KeepOpenFrames, long Replies, long ErrorReplies, long PushesIgnored, long KillerConnections, long KillerFrames,
    long KillerCloseChecks, TimeSpan Elapsed, IReadOnlyDictionary<ErrorCode, long> ErrorCodes, IReadOnlyList<string> InternalErrors)
{
    public long TotalFrames => KeepOpenFrames + KillerFrames;
}

/// <summary>What the valid client saw after the fuzz.</summary>
internal sealed record PostCheck(CountsMessage Before, CountsMessage After, OrderInfoMessage Order, CourierInfoMessage Courier, MetricsSnapshot Metrics);

/// <summary>
/// Sends bad frames at a server at scale. Most go on a few connections that stay open: every frame is
/// well framed but its message is bad (unknown type tags, malformed or truncated MessagePack, wrong
/// field types or counts, NaN / infinite / negative / unknown-id engine commands, a second Hello,
/// payload bytes flipped in valid requests), pipelined <c>Window</c> at a time, and every reply is
/// read (each such frame gets exactly one reply; pushes are not counted), so the sockets never
/// stall. Alongside, other connections send what must end a connection: oversized or zero length
/// prefixes, random bytes, frames before Hello, a wrong protocol version, half frames then an abrupt
/// or clean disconnect; some of them check the server's closing error.
/// </summary>
internal static class BadFrameFuzzer
{
    private static readonly Command[] Seeds =
    [
        Command.Ping(2), Command.AddSite(4, 1, 0, 0),
        Command.PlaceOrder(5, 1, 1, 5, 5, 0, 3), Command.ChangeReadyTime(6, 1, 4), Command.CancelOrder(7, 1),
        Command.CourierOnShift(8, 1, 0, 0, 0, 100), Command.CourierOffShift(9, 1), Command.UpdateCourierPosition(10, 1, 1, 1),
        Command.ConfirmPickup(11, 1, 5), Command.ConfirmDropoff(12, 1, 6), Command.GetOrder(14, 1),
        Command.GetCourier(15, 1), Command.GetCounts(16),
    ];

    public static async Task<FuzzResult> RunAsync(FuzzSettings s, CancellationToken cancellationToken = default)
    {
        var sw = Stopwatch.StartNew();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keepOpen = new KeepOpenStats[s.KeepOpenConnections];
        long perConnection = (s.TargetFrames + s.KeepOpenConnections - 1) / s.KeepOpenConnections;
        var workers = new Task[s.KeepOpenConnections];
        for (int i = 0; i < workers.Length; i++)
        {
            var st = keepOpen[i] = new KeepOpenStats();
            int seed = unchecked(s.Seed * 31 + i);
            workers[i] = Task.Run(() => KeepOpenAsync(s, perConnection, seed, st, cancellationToken), cancellationToken);
        }
        var killers = new KillerStats[s.KillerLoops];
        var killerTasks = new Task[s.KillerLoops];
        for (int i = 0; i < killerTasks.Length; i++)
        {
            var st = killers[i] = new KillerStats();
            int seed = unchecked(s.Seed * 131 + 7 + i);
            killerTasks[i] = Task.Run(() => KillerLoopAsync(s, seed, st, done.Token), CancellationToken.None);
        }
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        finally
        {
            done.Cancel();
            await Task.WhenAll(killerTasks).ConfigureAwait(false);
        }
        var codes = new Dictionary<ErrorCode, long>();
        foreach (var st in keepOpen)
            foreach (var (code, n) in st.Codes) codes[code] = codes.GetValueOrDefault(code) + n;
        return new FuzzResult(
            keepOpen.Sum(k => k.Frames), keepOpen.Sum(k => k.Replies), keepOpen.Sum(k => k.Errors), keepOpen.Sum(k => k.Pushes),
            killers.Sum(k => k.Connections), killers.Sum(k => k.Frames), killers.Sum(k => k.CloseChecks), sw.Elapsed, codes,
            keepOpen.SelectMany(k => k.InternalMessages).ToList());
    }

    /// <summary>A valid client after the fuzz: the server answers, and what it places reads back consistently.</summary>
    public static async Task<PostCheck> CheckServerAsync(int port, long idBase, DispatchClientOptions? options = null)
    {
        var o0 = options ?? new DispatchClientOptions();
        o0.ClientName = "fuzz-post-check";
        await using var c = await DispatchClient.ConnectAsync("127.0.0.1", port, o0).ConfigureAwait(false);
        var pong = await c.PingAsync().ConfigureAwait(false);
        var before = await c.GetCountsAsync().ConfigureAwait(false);
        double now = pong.Now;
        long site = idBase + 1, courier = idBase + 2, order = idBase + 3;
        await c.AddSiteAsync(site, 1000, 1000).ConfigureAwait(false);
        await c.CourierOnShiftAsync(courier, 900, 1200, now, now + 240).ConfigureAwait(false);
        await c.PlaceOrderAsync(order, site, 2500, 1800, now, now + 12).ConfigureAwait(false);
        var o = await c.GetOrderAsync(order).ConfigureAwait(false);
        var v = await c.GetCourierAsync(courier).ConfigureAwait(false);
        var after = await c.GetCountsAsync().ConfigureAwait(false);
        var m = await c.GetMetricsAsync().ConfigureAwait(false);
        return new PostCheck(before, after, o, v, m.Snapshot);
    }

    /// <summary>Problems in a post-check (empty when the server is correct).</summary>
    public static List<string> Problems(PostCheck p, long idBase, long minFramesIn)
    {
        var problems = new List<string>();
        if (p.Order.OrderId != idBase + 3 || p.Order.Status is not (WireOrderStatus.Open or WireOrderStatus.Assigned))
            problems.Add($"order {idBase + 3} reads back as {p.Order}");
        if (!p.Courier.Known || !p.Courier.OnShift || p.Courier.CourierId != idBase + 2)
            problems.Add($"courier {idBase + 2} reads back as {p.Courier}");
        if (p.After.Known != p.Before.Known + 1) problems.Add($"known orders {p.Before.Known} -> {p.After.Known}, expected +1");
        if (p.After.Couriers != p.Before.Couriers + 1) problems.Add($"couriers {p.Before.Couriers} -> {p.After.Couriers}, expected +1");
        if (p.After.Open + p.After.Assigned != p.Before.Open + p.Before.Assigned + 1)
            problems.Add($"open+assigned {p.Before.Open + p.Before.Assigned} -> {p.After.Open + p.After.Assigned}, expected +1");
        if (p.Metrics.FramesIn < minFramesIn) problems.Add($"server counted {p.Metrics.FramesIn} frames in, expected at least {minFramesIn}");
        return problems;
    }

    // ------------------------------------------------------------------ connections that stay open

    private sealed class KeepOpenStats
    {
        public long Frames, Replies, Errors, Pushes;
        public readonly Dictionary<ErrorCode, long> Codes = new();
        public readonly List<string> InternalMessages = new();
    }

    private static async Task KeepOpenAsync(FuzzSettings s, long frames, int seed, KeepOpenStats st, CancellationToken ct)
    {
        var rng = new Random(seed);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, s.Port), ct).ConfigureAwait(false);
        await using var stream = await OpenAsync(s, socket, ct).ConfigureAwait(false);
        var send = new FrameBuffer(64 * 1024);
        var recv = new ReplyReader(stream);
        CommandCodec.WriteFrame(send, Command.Hello(1, "fuzz", subscribe: false, token: s.Client?.Token));
        await stream.WriteAsync(send.WrittenMemory, ct).ConfigureAwait(false);
        send.Reset();
        var hello = await recv.NextAsync(ct).ConfigureAwait(false);
        if (hello.Type != MessageType.HelloOk) throw new InvalidOperationException($"handshake refused: {hello.Type}");

        while (st.Frames < frames)
        {
            int n = (int)Math.Min(s.Window, frames - st.Frames);
            for (int i = 0; i < n; i++) WriteBadFrame(send, rng);
            await stream.WriteAsync(send.WrittenMemory, ct).ConfigureAwait(false);
            send.Reset();
            st.Frames += n;
            // Every one of them gets exactly one reply; read them all before the next window.
            for (int got = 0; got < n;)
            {
                var r = await recv.NextAsync(ct).ConfigureAwait(false);
                if (r.Type is MessageType.Assignment or MessageType.PlanChange) { st.Pushes++; continue; }
                got++;
                st.Replies++;
                if (r.Type == MessageType.Error)
                {
                    st.Errors++;
                    st.Codes[r.Code] = st.Codes.GetValueOrDefault(r.Code) + 1;
                    if (r.Code == ErrorCode.Internal && st.InternalMessages.Count < 10) st.InternalMessages.Add(r.Message ?? "");
                    if (r.Code is ErrorCode.FrameTooLarge or ErrorCode.HandshakeRequired or ErrorCode.UnsupportedVersion or ErrorCode.ShuttingDown)
                        throw new InvalidOperationException($"a well-framed bad message closed the connection ({r.Code})");
                }
            }
        }
        socket.Shutdown(SocketShutdown.Both);
    }

    /// <summary>The stream to speak on: the socket's, or what <see cref="FuzzClient.Wrap"/> makes of it (TLS).</summary>
    private static async Task<Stream> OpenAsync(FuzzSettings s, Socket socket, CancellationToken ct)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        return s.Client is null ? stream : await s.Client.Wrap(stream, ct).ConfigureAwait(false);
    }

    /// <summary>One well-framed frame whose message is bad (or, for a few flipped-byte frames, accidentally valid): one reply each.</summary>
    private static void WriteBadFrame(FrameBuffer o, Random rng)
    {
        uint rid = (uint)rng.Next(1, int.MaxValue);
        switch (rng.Next(10))
        {
            case 0: // unknown type tag (requests are < 64; 4..9, 20..29, 34.. are unassigned; replies are not requests)
            {
                int[] tags = [0, 4, 9, 20, 29, 34, 63, 64, 65, 80, 127, 255, -1, int.MaxValue];
                Payload(o, (ref MessagePackWriter w) =>
                {
                    int extra = rng.Next(0, 4);
                    w.WriteArrayHeader(2 + extra);
                    w.Write(tags[rng.Next(tags.Length)]);
                    w.Write(rid);
                    for (int i = 0; i < extra; i++) w.Write(rng.Next());
                });
                break;
            }
            case 1: // random bytes as the payload
            {
                o.BeginFrame();
                var span = o.GetSpan(200);
                int len = rng.Next(1, 200);
                rng.NextBytes(span[..len]);
                o.Advance(len);
                o.EndFrame();
                break;
            }
            case 2: // a valid request's payload cut short (truncated MessagePack)
            {
                var c = Seeds[rng.Next(Seeds.Length)] with { RequestId = rid };
                var tmp = new FrameBuffer(128);
                CommandCodec.WriteFrame(tmp, c);
                var payload = tmp.WrittenSpan[ProtocolConstants.HeaderBytes..];
                if (payload.Length < 2) goto case 0;
                o.BeginFrame();
                o.Append(payload[..rng.Next(1, payload.Length)]);
                o.EndFrame();
                break;
            }
            case 3: // wrong field types, too few fields, not an array, deep nesting
                Payload(o, (ref MessagePackWriter w) =>
                {
                    var type = Seeds[rng.Next(Seeds.Length)].Type;
                    switch (rng.Next(6))
                    {
                        case 5: w.WriteArrayHeader(2); w.Write("AddSite"); w.Write(rid); break; // a string type tag
                        case 0: w.WriteMapHeader(1); w.Write((int)type); w.Write(rid); break; // a map, not an array
                        case 1: w.WriteArrayHeader(1); w.Write((int)type); break;           // no request id
                        case 2: w.WriteArrayHeader(2); w.Write((int)MessageType.PlaceOrder); w.Write(rid); break; // fields missing
                        case 3: // every field of the wrong kind
                        {
                            int n = CommandCodec.FieldCount(type);
                            w.WriteArrayHeader(2 + Math.Max(n, 1));
                            w.Write((int)type);
                            w.Write(rid);
                            for (int i = 0; i < Math.Max(n, 1); i++)
                            {
                                switch (rng.Next(5))
                                {
                                    case 0: w.Write("x" + rng.Next(100)); break;
                                    case 1: w.WriteNil(); break;
                                    case 2: w.WriteArrayHeader(0); break;
                                    case 3: w.WriteMapHeader(0); break;
                                    default: w.Write(new byte[] { 1, 2, 3 }); break;
                                }
                            }
                            break;
                        }
                        default: // the type tag itself is nested 100 deep
                            w.WriteArrayHeader(2);
                            for (int d = 0; d < 100; d++) w.WriteArrayHeader(1);
                            w.Write(1);
                            w.Write(rid);
                            break;
                    }
                });
                break;
            case 4: // NaN / infinite / negative values in engine events
            {
                double[] bad = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1, -1e300];
                double b() => bad[rng.Next(bad.Length)];
                long id = rng.Next(1, 50);
                Command c = rng.Next(6) switch
                {
                    0 => Command.AddSite(rid, id, b(), 0),
                    1 => Command.PlaceOrder(rid, id, 1, 0, b(), 0, 1),
                    2 => Command.PlaceOrder(rid, id, 1, 0, 0, b(), 1),
                    3 => Command.CourierOnShift(rid, id, 0, 0, b(), 100),
                    4 => Command.Tick(rid, b()),
                    _ => Command.CourierOnShift(rid, id, 0, 0, 100, 50), // shift ends before it starts
                };
                CommandCodec.WriteFrame(o, c);
                break;
            }
            case 5: // unknown ids (the fuzz never creates these)
            {
                long id = -1 - rng.NextInt64(0, long.MaxValue - 1);
                Command c = rng.Next(7) switch
                {
                    0 => Command.UpdateCourierPosition(rid, id, 1, 1),
                    1 => Command.CancelOrder(rid, id),
                    2 => Command.ConfirmPickup(rid, id, 1),
                    3 => Command.ConfirmDropoff(rid, id, 1),
                    4 => Command.CourierOffShift(rid, id),
                    5 => Command.ChangeReadyTime(rid, id, 5),
                    _ => Command.PlaceOrder(rid, -id, id, 1, 1, 0, 1), // unknown site
                };
                CommandCodec.WriteFrame(o, c);
                break;
            }
            case 6: // a second Hello, and Hello with junk
                CommandCodec.WriteFrame(o, Command.Hello(rid, new string('h', rng.Next(0, 300)), rng.Next(2) == 0));
                break;
            case 7: // integers that overflow their field (rid > uint, size > int)
                Payload(o, (ref MessagePackWriter w) =>
                {
                    w.WriteArrayHeader(9);
                    w.Write((int)MessageType.PlaceOrder);
                    if (rng.Next(2) == 0) w.Write(ulong.MaxValue); else w.Write(rid);
                    w.Write(1L); w.Write(1L); w.Write(0.0); w.Write(0.0); w.Write(0.0); w.Write(1.0);
                    w.Write(long.MaxValue); // size:int
                });
                break;
            default: // a valid request with payload bytes flipped (framing intact; the message may even stay valid)
            {
                var c = Seeds[rng.Next(Seeds.Length)] with { RequestId = rid };
                var tmp = new FrameBuffer(128);
                CommandCodec.WriteFrame(tmp, c);
                var written = tmp.WrittenSpan.ToArray();
                for (int k = rng.Next(1, 4); k > 0; k--)
                    written[ProtocolConstants.HeaderBytes + rng.Next(written.Length - ProtocolConstants.HeaderBytes)] ^= (byte)rng.Next(1, 256);
                o.Append(written);
                break;
            }
        }
    }

    private delegate void WriteBody(ref MessagePackWriter w);

    private static void Payload(FrameBuffer o, WriteBody body)
    {
        o.BeginFrame();
        var w = new MessagePackWriter(o);
        body(ref w);
        w.Flush();
        o.EndFrame();
    }

    // ------------------------------------------------------------------ connections that must be closed

    private sealed class KillerStats
    {
        public long Connections, Frames, CloseChecks;
    }

    private static async Task KillerLoopAsync(FuzzSettings s, int seed, KillerStats st, CancellationToken ct)
    {
        var rng = new Random(seed);
        var buf = new FrameBuffer(1024);
        while (!ct.IsCancellationRequested)
        {
            buf.Reset();
            int kind = rng.Next(7);
            bool hello = kind is 0 or 3 or 6 || rng.Next(3) == 0;
            if (hello && kind != 5) CommandCodec.WriteFrame(buf, Command.Hello(1, "killer", false, token: s.Client?.Token));
            int frames = 0;
            ErrorCode? expect = null;
            switch (kind)
            {
                case 0: // some bad-but-open frames first, then an oversized prefix
                    for (int k = rng.Next(0, 8); k > 0; k--) { WriteBadFrame(buf, rng); frames++; }
                    Prefix(buf, (uint)s.MaxFrameBytes + 1 + (uint)rng.Next(0, 1 << 20));
                    frames++;
                    expect = ErrorCode.FrameTooLarge;
                    break;
                case 1: // random bytes
                {
                    var span = buf.GetSpan(256);
                    int len = rng.Next(1, 256);
                    rng.NextBytes(span[..len]);
                    buf.Advance(len);
                    frames++;
                    break;
                }
                case 2: // a zero length prefix
                    Prefix(buf, 0);
                    frames++;
                    expect = ErrorCode.FrameTooLarge;
                    break;
                case 3: // half a frame, then disconnect
                {
                    var tmp = new FrameBuffer(128);
                    CommandCodec.WriteFrame(tmp, Seeds[rng.Next(Seeds.Length)]);
                    buf.Append(tmp.WrittenSpan[..rng.Next(1, tmp.Length)]);
                    frames++;
                    break;
                }
                case 4: // an engine command before Hello
                    if (hello) goto case 0;
                    CommandCodec.WriteFrame(buf, Seeds[1 + rng.Next(Seeds.Length - 1)]);
                    frames++;
                    expect = ErrorCode.HandshakeRequired;
                    break;
                case 5: // the wrong protocol version
                    CommandCodec.WriteFrame(buf, Command.Hello(1, "killer", false, version: 2 + rng.Next(100), token: s.Client?.Token));
                    frames++;
                    expect = ErrorCode.UnsupportedVersion;
                    break;
                default: // a huge prefix followed by a little of its payload
                    Prefix(buf, (uint)rng.Next(s.MaxFrameBytes + 1, int.MaxValue));
                    buf.Append(new byte[rng.Next(0, 64)]);
                    frames++;
                    expect = ErrorCode.FrameTooLarge;
                    break;
            }

            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, s.Port), CancellationToken.None).ConfigureAwait(false);
                st.Connections++;
                var stream = await OpenAsync(s, socket, CancellationToken.None).ConfigureAwait(false);
                await stream.WriteAsync(buf.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                st.Frames += frames;
                if (expect is { } code && rng.Next(4) == 0)
                {
                    // Check the server's verdict: the expected error, then a close. (The reader's own error
                    // may overtake the engine's replies to the frames before it, so it need not be last.)
                    var reader = new ReplyReader(stream);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                    bool seen = false;
                    while (await reader.TryNextAsync(timeout.Token).ConfigureAwait(false) is { } r)
                        seen |= r.Type == MessageType.Error && r.Code == code;
                    if (!seen) throw new InvalidOperationException($"killer kind {kind}: the server closed without sending {code}");
                    st.CloseChecks++;
                }
                else if (rng.Next(2) == 0)
                {
                    socket.LingerState = new LingerOption(true, 0); // abrupt: RST
                }
                else
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
            {
                // The server closed it first: expected for many inputs (IOException: the same, through a TLS stream).
            }
            finally
            {
                socket.Dispose();
            }
        }
    }

    private static void Prefix(FrameBuffer b, uint length)
    {
        Span<byte> p = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(p, length);
        b.Append(p);
    }

    // ------------------------------------------------------------------ replies

    internal readonly record struct Reply(MessageType Type, uint RequestId, ErrorCode Code, string? Message);

    /// <summary>Reads server frames off a connection's stream, decoding only type, request id and error code.</summary>
    private sealed class ReplyReader(Stream stream)
    {
        private byte[] _buf = new byte[64 * 1024];
        private int _start, _end;

        public async ValueTask<Reply> NextAsync(CancellationToken ct) =>
            await TryNextAsync(ct).ConfigureAwait(false) ?? throw new IOException("the server closed a connection that should stay open");

        public async ValueTask<Reply?> TryNextAsync(CancellationToken ct)
        {
            while (true)
            {
                if (TryParse(out var reply)) return reply;
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
                int n;
                try
                {
                    n = await stream.ReadAsync(_buf.AsMemory(_end), ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or IOException)
                {
                    return null; // reset by the server
                }
                if (n == 0) return null;
                _end += n;
            }
        }

        private bool TryParse(out Reply reply)
        {
            reply = default;
            var seq = new ReadOnlySequence<byte>(_buf, _start, _end - _start);
            if (FrameReader.TryReadFrame(ref seq, int.MaxValue, out var payload, out _) != FrameStatus.Frame) return false;
            var r = new MessagePackReader(payload);
            r.ReadArrayHeader();
            var type = (MessageType)r.ReadInt32();
            uint rid = r.ReadUInt32();
            var code = type == MessageType.Error ? (ErrorCode)r.ReadInt32() : 0;
            // The text only of faults worth reporting (Internal = an unexpected exception in the server or engine).
            string? message = code == ErrorCode.Internal ? r.ReadString() : null;
            reply = new Reply(type, rid, code, message);
            _start = _end - (int)seq.Length;
            return true;
        }
    }
}
