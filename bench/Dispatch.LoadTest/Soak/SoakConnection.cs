using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dispatch.Protocol;

namespace Dispatch.LoadTest.Soak;

/// <summary>A reply or push as the soak driver reads it: what was asked (type and the id it named) and what came back.</summary>
/// <param name="Asked">The request type this replies to (for a push: the push's own type).</param>
/// <param name="Ref">The order or courier id the request named (0 if none).</param>
/// <param name="Message">The decoded frame.</param>
internal readonly record struct Incoming(MessageType Asked, long Ref, ServerMessage Message);

/// <summary>
/// One raw protocol connection for the soak driver: requests are written into one buffer and sent together
/// (a simulated minute's events and its Tick go out in one send, many in flight); a receive loop decodes
/// replies and pushes in wire order into a queue the driver drains between its round trips. Replies to one
/// connection's engine requests come in request order, so once the reply to the last request of a batch has
/// arrived (<see cref="SendAndWaitAsync"/>), every earlier reply and every push sent before it is in the queue.
/// Deliberately not <c>DispatchClient</c>: no task per request (a soak sends millions).
/// </summary>
internal sealed class SoakConnection : IDisposable
{
    /// <summary>Requests in flight at most for a driving connection (a batch is checked against it).</summary>
    public const int DriverRing = 1 << 20;

    /// <summary>Requests in flight at most for a probe (<see cref="TimedStart"/>: a handshake and one request; small, so
    /// connecting allocates next to nothing while a start is timed).</summary>
    public const int ProbeRing = 16;

    private readonly Socket _socket;
    private readonly FrameBuffer _send;
    private readonly int _ring;
    private readonly MessageType[] _asked;
    private readonly long[] _ref;
    private readonly ConcurrentQueue<Incoming> _incoming = new();
    private readonly Task _receive;
    private uint _nextRid;
    private int _batch;
    private long _waitRid = -1;
    private TaskCompletionSource? _waiter;

    private SoakConnection(Socket socket, int ring)
    {
        _socket = socket;
        _ring = ring;
        _asked = new MessageType[ring];
        _ref = new long[ring];
        _send = new FrameBuffer(ring == DriverRing ? 256 * 1024 : 1024);
        _receive = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Completes (faulted) when the connection is lost.</summary>
    public Task Completion => _receive;

    /// <summary>Connects and sends Hello (with pushes on when <paramref name="subscribe"/>); the HelloOk comes through the queue.</summary>
    public static async Task<SoakConnection> ConnectAsync(int port, string name, bool subscribe, int ring = DriverRing)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).ConfigureAwait(false);
        var c = new SoakConnection(socket, ring);
        c.Add(Command.Hello(0, name, subscribe));
        await c.SendAndWaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        while (c.TryTake(out var first))
            if (first.Message is not HelloOkMessage) throw new IOException($"handshake refused: {first.Message}");
        return c;
    }

    /// <summary>Adds a request to the current batch (its request id is assigned here); <paramref name="reference"/> comes back with its reply.</summary>
    public void Add(in Command command, long reference = 0)
    {
        if (++_batch >= _ring) throw new InvalidOperationException($"more than {_ring} requests in one batch");
        uint rid = ++_nextRid;
        if (rid == ProtocolConstants.PushRequestId) rid = ++_nextRid;
        _asked[rid & (_ring - 1)] = command.Type;
        _ref[rid & (_ring - 1)] = reference;
        CommandCodec.WriteFrame(_send, command with { RequestId = rid });
    }

    /// <summary>Requests in the current batch.</summary>
    public int Pending => _batch;

    /// <summary>Sends the batch and waits for the reply to its last request (every earlier reply and push is then queued).</summary>
    public async Task SendAndWaitAsync(TimeSpan timeout)
    {
        if (_batch == 0) return;
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _waiter, waiter);
        Volatile.Write(ref _waitRid, _nextRid);
        await _socket.SendAsync(_send.WrittenMemory, SocketFlags.None).ConfigureAwait(false);
        _send.Reset();
        _batch = 0;
        await Task.WhenAny(waiter.Task, _receive).WaitAsync(timeout).ConfigureAwait(false);
        if (!waiter.Task.IsCompleted)
        {
            await _receive.ConfigureAwait(false); // throws the reason
            throw new IOException("the server closed the connection");
        }
    }

    /// <summary>The next reply or push in wire order, if one has arrived.</summary>
    public bool TryTake(out Incoming item) => _incoming.TryDequeue(out item);

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[_ring == DriverRing ? 1 << 20 : 4096];
        int start = 0, end = 0;
        while (true)
        {
            if (end == buffer.Length)
            {
                // A frame larger than what is left: move the partial frame to the front, grow if it fills the buffer.
                if (start == 0) Array.Resize(ref buffer, buffer.Length * 2);
                else
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
            }
            int n = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
            if (n == 0) throw new IOException("the server closed the connection");
            end += n;
            var seq = new ReadOnlySequence<byte>(buffer, start, end - start);
            while (true)
            {
                var status = FrameReader.TryReadFrame(ref seq, int.MaxValue, out var payload, out _);
                if (status == FrameStatus.NeedMore) break;
                if (status == FrameStatus.Invalid) throw new IOException("the server sent an invalid frame length");
                var message = ReplyCodec.Read(payload);
                uint rid = message.RequestId;
                if (rid == ProtocolConstants.PushRequestId)
                {
                    _incoming.Enqueue(new Incoming(message.Type, 0, message));
                    continue;
                }
                _incoming.Enqueue(new Incoming(_asked[rid & (_ring - 1)], _ref[rid & (_ring - 1)], message));
                if (rid == Volatile.Read(ref _waitRid)) Volatile.Read(ref _waiter)?.TrySetResult();
            }
            start = end - (int)seq.Length;
            if (start == end) start = end = 0;
        }
    }

    public void Dispose()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
        _socket.Dispose();
        try { _receive.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
