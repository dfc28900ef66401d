using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests.Failover;

/// <summary>
/// A scripted stand-in for one server of a cluster, on loopback: it answers Hello with HelloOk and records every request it
/// reads; each other request is acknowledged, unless <see cref="DropOn"/> says to close the connection on it without
/// answering (a silo dying with the request in flight). <see cref="Stop"/> closes the port and every connection.
/// </summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly Task _accept;

    public FakeServer(string name)
    {
        Name = name;
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public string Name { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public DnsEndPoint EndPoint => new("127.0.0.1", Port);

    /// <summary>Every request read, in order (Hello included).</summary>
    public ConcurrentQueue<Command> Received { get; } = new();

    /// <summary>An Error to answer Hello with while set (a silo that cannot reach the region yet, a refused credential); null: HelloOk.</summary>
    public ErrorCode? HelloError { get; set; }

    /// <summary>A request to close the connection on, unanswered; null: answer everything.</summary>
    public Func<Command, bool>? DropOn { get; set; }

    public void Stop()
    {
        _listener.Stop();
        foreach (var s in _sockets) s.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync();
                _sockets.Add(socket);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
    }

    private async Task ServeAsync(Socket socket)
    {
        var buffer = new byte[65536];
        int filled = 0;
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (n == 0) return;
                filled += n;
                var rest = new ReadOnlySequence<byte>(buffer, 0, filled);
                var replies = new FrameBuffer();
                while (FrameReader.TryReadFrame(ref rest, 1 << 20, out var payload, out _) == FrameStatus.Frame)
                {
                    var c = CommandCodec.Read(payload);
                    Received.Enqueue(c);
                    if (c.Type == MessageType.Hello && HelloError is { } refusal) ReplyCodec.WriteError(replies, c.RequestId, refusal, "scripted refusal");
                    else if (c.Type == MessageType.Hello) ReplyCodec.WriteHelloOk(replies, c.RequestId, Name, ClockMode.Manual, 0, 1 << 20);
                    else if (DropOn?.Invoke(c) == true)
                    {
                        if (replies.Length > 0) await socket.SendAsync(replies.WrittenMemory, SocketFlags.None);
                        socket.Dispose();
                        return;
                    }
                    else ReplyCodec.WriteAck(replies, c.RequestId, 0);
                }
                int consumed = filled - (int)rest.Length;
                Array.Copy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                if (replies.Length > 0) await socket.SendAsync(replies.WrittenMemory, SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _accept;
    }
}
