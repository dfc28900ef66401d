using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Dispatch.Client;
using Dispatch.Protocol;
using Dispatch.Server.Journal;
using Dispatch.Server.Transport;

namespace Dispatch.Server.Tests;

/// <summary>An in-process server on 127.0.0.1 and an ephemeral port, with its own temporary data directory.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly bool _ownsDir;

    private TestServer(DispatchServer server, ServerOptions options, bool ownsDir)
    {
        Server = server;
        Options = options;
        _ownsDir = ownsDir;
    }

    public DispatchServer Server { get; }
    public ServerOptions Options { get; }
    public int Port => Server.EndPoint.Port;
    public string DataDirectory => Options.DataDirectory;

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "dispatch-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Runs <paramref name="body"/> with a new data directory (not created), deleted afterwards whatever happens.</summary>
    public static async Task WithDataDirectoryAsync(Func<string, Task> body)
    {
        string dir = NewDataDirectory();
        try
        {
            await body(dir);
        }
        finally
        {
            TryDelete(dir);
        }
    }

    public static async Task<TestServer> StartAsync(Action<ServerOptions>? configure = null, string? dataDirectory = null)
    {
        var options = new ServerOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            DataDirectory = dataDirectory ?? NewDataDirectory(),
            Clock = ClockMode.Manual,
            Fsync = FsyncPolicy.Never, // the OS write before the ack is what kill -9 needs; fsync only slows tests
            HandshakeTimeout = TimeSpan.FromSeconds(30),
            DrainTimeout = TimeSpan.FromSeconds(5),
            // Snapshots by record count only, so tests that count them do not depend on how fast the machine is.
            SnapshotEveryEngineMilliseconds = 0,
        };
        configure?.Invoke(options);
        var server = new DispatchServer(options);
        await server.StartAsync();
        return new TestServer(server, options, dataDirectory is null);
    }

    public Task<DispatchClient> ConnectAsync(bool subscribe = false, string name = "test") =>
        DispatchClient.ConnectAsync("127.0.0.1", Port, name, subscribe).WaitAsync(Timeout);

    public async Task<RawConnection> RawAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", Port).WaitAsync(Timeout);
        return new RawConnection(socket);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_ownsDir) TryDelete(Options.DataDirectory);
    }

    public static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A raw socket speaking bytes, for bad-input tests.</summary>
internal sealed class RawConnection : IDisposable
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start, _end;

    public RawConnection(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public Task SendAsync(ReadOnlyMemory<byte> bytes) => Socket.SendAsync(bytes, SocketFlags.None).AsTask().WaitAsync(TestServer.Timeout);

    public Task SendAsync(in Command command) => SendAsync(Frame(command));

    public static byte[] Frame(in Command command)
    {
        var f = new FrameBuffer();
        CommandCodec.WriteFrame(f, command);
        return f.WrittenSpan.ToArray();
    }

    public static byte[] RawFrame(ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)payload.Length);
        payload.CopyTo(bytes.AsSpan(4));
        return bytes;
    }

    /// <summary>The next server frame, or null when the server closed the connection.</summary>
    public async Task<ServerMessage?> ReadAsync()
    {
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        while (true)
        {
            var seq = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            if (FrameReader.TryReadFrame(ref seq, int.MaxValue, out var payload, out _) == FrameStatus.Frame)
            {
                var msg = ReplyCodec.Read(payload);
                _start = _end - (int)seq.Length;
                return msg;
            }
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            int n;
            try
            {
                n = await Socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cts.Token);
            }
            catch (SocketException)
            {
                return null; // reset by the server: closed
            }
            if (n == 0) return null;
            _end += n;
        }
    }

    /// <summary>Reads until the server closes; returns what came before.</summary>
    public async Task<List<ServerMessage>> ReadUntilClosedAsync()
    {
        var all = new List<ServerMessage>();
        while (await ReadAsync() is { } m) all.Add(m);
        return all;
    }

    public void Dispose() => Socket.Dispose();
}
