using System.Buffers.Binary;
using System.Net.Sockets;
using Dispatch.Client;
using Dispatch.Protocol;
using MessagePack;

namespace Dispatch.Server.Tests;

/// <summary>Each kind of bad input ends (at most) the offending connection, with a clear reply; everyone else is served.</summary>
public class BadInputTests
{
    private static async Task AssertStillServes(TestServer s)
    {
        await using var c = await s.ConnectAsync(name: "bystander");
        await c.PingAsync();
        await c.GetCountsAsync();
    }

    private static async Task<RawConnection> HelloAsync(TestServer s)
    {
        var raw = await s.RawAsync();
        await raw.SendAsync(Command.Hello(1, "raw", false));
        Assert.IsType<HelloOkMessage>(await raw.ReadAsync());
        return raw;
    }

    [Fact]
    public async Task Oversized_frame_gets_FrameTooLarge_and_a_close()
    {
        await using var s = await TestServer.StartAsync(o => o.MaxFrameBytes = 1024);
        await using var bystander = await s.ConnectAsync();
        using var raw = await HelloAsync(s);
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, 10_000_000);
        await raw.SendAsync(prefix);
        var rest = await raw.ReadUntilClosedAsync();
        Assert.Equal(ErrorCode.FrameTooLarge, Assert.IsType<ErrorMessage>(Assert.Single(rest)).Code);
        await bystander.PingAsync();
        await AssertStillServes(s);
    }

    [Fact]
    public async Task Garbage_bytes_get_an_error_and_a_close()
    {
        await using var s = await TestServer.StartAsync();
        using var raw = await s.RawAsync();
        await raw.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var rest = await raw.ReadUntilClosedAsync();
        Assert.Equal(ErrorCode.FrameTooLarge, Assert.IsType<ErrorMessage>(Assert.Single(rest)).Code);
        await AssertStillServes(s);
    }

    [Fact]
    public async Task Unknown_type_and_malformed_payload_get_errors_and_the_connection_continues()
    {
        await using var s = await TestServer.StartAsync();
        using var raw = await HelloAsync(s);

        var f = new FrameBuffer();
        var w = new MessagePackWriter(f);
        w.WriteArrayHeader(2); w.Write(77); w.Write(9u); w.Flush();
        await raw.SendAsync(RawConnection.RawFrame(f.WrittenSpan));
        Assert.Equal(new ErrorMessage(9, ErrorCode.UnknownMessageType, "unknown request type 77"), await raw.ReadAsync());

        await raw.SendAsync(RawConnection.RawFrame([0xC1, 0xC1, 0xC1])); // 0xC1 is never used in MessagePack
        var e = Assert.IsType<ErrorMessage>(await raw.ReadAsync());
        Assert.Equal(ErrorCode.MalformedMessage, e.Code);

        var shortFrame = RawConnection.Frame(Command.PlaceOrder(12, 1, 1, 1, 1, 1, 1));
        await raw.SendAsync(RawConnection.RawFrame(shortFrame.AsSpan(4, shortFrame.Length - 12)));
        e = Assert.IsType<ErrorMessage>(await raw.ReadAsync());
        Assert.Equal((12u, ErrorCode.MalformedMessage), (e.RequestId, e.Code));

        await raw.SendAsync(Command.Hello(13, "again", false));
        Assert.Equal(ErrorCode.InvalidState, Assert.IsType<ErrorMessage>(await raw.ReadAsync()).Code);

        await raw.SendAsync(Command.GetCounts(14));
        Assert.IsType<CountsMessage>(await raw.ReadAsync());
    }

    /// <summary>
    /// A malformed Hello gets one answer (why, and that the connection closes), then the close; a
    /// request id of 0 (what pushes carry) is refused, before Hello with a close, after it alone.
    /// </summary>
    [Fact]
    public async Task A_malformed_hello_gets_one_answer_and_request_id_0_is_refused()
    {
        await using var s = await TestServer.StartAsync();
        using (var raw = await s.RawAsync())
        {
            // [1, 7, "one", "c", true]: the version must be an integer.
            await raw.SendAsync(RawConnection.RawFrame(new byte[] { 0x95, 0x01, 0x07, 0xA3, (byte)'o', (byte)'n', (byte)'e', 0xA1, (byte)'c', 0xC3 }));
            var rest = await raw.ReadUntilClosedAsync();
            var e = Assert.IsType<ErrorMessage>(Assert.Single(rest));
            Assert.Equal((7u, ErrorCode.HandshakeRequired), (e.RequestId, e.Code));
            Assert.Contains("Hello field version (#3): expected an integer, found String", e.Message);
        }
        using (var raw = await s.RawAsync())
        {
            await raw.SendAsync(Command.Hello(0, "zero", false));
            var rest = await raw.ReadUntilClosedAsync();
            Assert.Equal(ErrorCode.InvalidValue, Assert.IsType<ErrorMessage>(Assert.Single(rest)).Code);
        }
        using (var raw = await s.RawAsync())
        {
            await raw.SendAsync(Command.Hello(1, "ok", false));
            Assert.IsType<HelloOkMessage>(await raw.ReadAsync());
            await raw.SendAsync(Command.GetCounts(0));
            var e = Assert.IsType<ErrorMessage>(await raw.ReadAsync());
            Assert.Equal((0u, ErrorCode.InvalidValue), (e.RequestId, e.Code));
            Assert.Contains("request id 0 is reserved for pushes", e.Message);
            await raw.SendAsync(Command.GetCounts(2));
            Assert.IsType<CountsMessage>(await raw.ReadAsync());
        }
    }

    [Fact]
    public async Task First_frame_must_be_a_hello_of_a_supported_version()
    {
        await using var s = await TestServer.StartAsync();
        using (var raw = await s.RawAsync())
        {
            await raw.SendAsync(Command.AddSite(3, 1, 0, 0));
            var rest = await raw.ReadUntilClosedAsync();
            Assert.Equal(new[] { (3u, ErrorCode.HandshakeRequired) }, rest.Cast<ErrorMessage>().Select(e => (e.RequestId, e.Code)));
        }
        using (var raw = await s.RawAsync())
        {
            await raw.SendAsync(Command.Hello(4, "future", false, version: 99));
            var rest = await raw.ReadUntilClosedAsync();
            Assert.Equal(new[] { (4u, ErrorCode.UnsupportedVersion) }, rest.Cast<ErrorMessage>().Select(e => (e.RequestId, e.Code)));
        }
        await using var c = await s.ConnectAsync();
        Assert.Equal(0, (await c.GetCountsAsync()).Known); // nothing reached the engine
    }

    [Fact]
    public async Task Half_frame_then_disconnect_changes_nothing()
    {
        await using var s = await TestServer.StartAsync();
        using (var raw = await HelloAsync(s))
        {
            var frame = RawConnection.Frame(Command.AddSite(2, 5, 1, 1));
            await raw.SendAsync(frame.AsMemory(0, frame.Length - 3));
            raw.Socket.Shutdown(SocketShutdown.Send);
            Assert.Empty(await raw.ReadUntilClosedAsync());
        }
        await using var c = await s.ConnectAsync();
        Assert.Equal(ErrorCode.UnknownId, Assert.IsType<ErrorMessage>(await c.RequestAsync(Command.PlaceOrder(0, 1, 5, 0, 0, 0, 0))).Code);
    }

    [Fact]
    public async Task Commands_sent_before_a_half_close_are_still_answered()
    {
        await using var s = await TestServer.StartAsync();
        using var raw = await HelloAsync(s);
        await raw.SendAsync(Command.AddSite(2, 5, 1, 1));
        await raw.SendAsync(Command.GetCounts(3));
        raw.Socket.Shutdown(SocketShutdown.Send);
        var rest = await raw.ReadUntilClosedAsync();
        Assert.Equal([MessageType.Ack, MessageType.Counts], rest.Select(m => m.Type));
    }

    [Fact]
    public async Task Many_idle_connections_then_the_limit_refuses_with_ServerBusy()
    {
        await using var s = await TestServer.StartAsync(o => o.MaxConnections = 40);
        var idle = new List<RawConnection>();
        try
        {
            for (int i = 0; i < 39; i++) idle.Add(await s.RawAsync());
            await using (var c = await s.ConnectAsync()) // the 40th: still served
            {
                await c.PingAsync();
                using var extra = await s.RawAsync(); // the 41st
                var rest = await extra.ReadUntilClosedAsync();
                Assert.Equal(ErrorCode.ServerBusy, Assert.IsType<ErrorMessage>(Assert.Single(rest)).Code);
                await c.GetCountsAsync();
            }
        }
        finally
        {
            foreach (var r in idle) r.Dispose();
        }
    }

    [Fact]
    public async Task A_connection_that_never_says_hello_is_closed_after_the_handshake_timeout()
    {
        await using var s = await TestServer.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(200));
        using var raw = await s.RawAsync();
        var rest = await raw.ReadUntilClosedAsync(); // bounded by the test timeout if the server never closes
        Assert.Equal(ErrorCode.HandshakeRequired, Assert.IsType<ErrorMessage>(Assert.Single(rest)).Code);
        await AssertStillServes(s);
    }

    [Fact]
    public async Task A_client_that_does_not_read_its_replies_is_closed_as_a_slow_consumer()
    {
        await using var s = await TestServer.StartAsync(o => { o.MaxOutboundBytes = 16 * 1024; o.SocketSendBufferBytes = 4096; });
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync("127.0.0.1", s.Port);
        using var raw = new RawConnection(socket);
        await raw.SendAsync(Command.Hello(1, "slow", false));
        // Ask for Metrics replies (about 80 bytes each) and never read: kernel buffers fill, then our queue.
        var batch = new FrameBuffer();
        for (int i = 0; i < 500; i++) CommandCodec.WriteFrame(batch, Command.GetMetrics((uint)i + 2));
        byte[] chunk = batch.WrittenSpan.ToArray();
        bool closed = false;
        int sent = 0;
        for (int i = 0; i < 2000 && !closed; i++)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.SendAsync(chunk, SocketFlags.None, cts.Token);
                sent += 500;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                closed = true;
            }
        }
        // Reading returns only because the server closed the socket, with replies missing.
        var rest = await raw.ReadUntilClosedAsync();
        Assert.True(rest.Count < sent + 1, $"got {rest.Count} replies for {sent} requests");
        Assert.True(s.Server.Metrics.Errors >= 1);
        await AssertStillServes(s);
    }
}
