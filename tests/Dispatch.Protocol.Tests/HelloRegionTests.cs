using System.Buffers;
using Dispatch.Protocol;
using MessagePack;

namespace Dispatch.Protocol.Tests;

/// <summary>Hello's optional region (a cluster's, docs/cluster.md) after its optional token: old Hellos stay byte for byte.</summary>
public class HelloRegionTests
{
    [Fact]
    public void A_hello_without_a_region_is_the_array_it_always_was()
    {
        Assert.Equal(5, ArrayLength(Command.Hello(1, "c", true)));
        Assert.Equal(6, ArrayLength(Command.Hello(1, "c", true, token: "t")));
        Assert.Null(RoundTrip(Command.Hello(1, "c", true, token: "t")).Region);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("secret")]
    public void A_region_travels_after_the_token_or_after_nil(string? token)
    {
        var hello = Command.Hello(3, "client", false, token: token) with { Region = "north" };
        Assert.Equal(7, ArrayLength(hello));
        var back = RoundTrip(hello);
        Assert.Equal("north", back.Region);
        Assert.Equal(token, back.Token);
        Assert.Equal(hello, back);
        Assert.NotEqual(hello, hello with { Region = "south" });
    }

    [Fact]
    public void A_region_that_is_not_a_string_is_refused_naming_the_field()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(7);
        w.Write(1); w.Write(5u); w.Write(1); w.Write("c"); w.Write(true); w.WriteNil(); w.Write(42);
        w.Flush();
        var ex = Assert.Throws<ProtocolException>(() => CommandCodec.Read(new ReadOnlySequence<byte>(buffer.WrittenMemory)));
        Assert.Contains("region", ex.Message);
    }

    private static Command RoundTrip(in Command c)
    {
        var frame = new FrameBuffer();
        CommandCodec.WriteFrame(frame, c);
        return CommandCodec.Read(new ReadOnlySequence<byte>(frame.WrittenMemory[ProtocolConstants.HeaderBytes..]));
    }

    private static int ArrayLength(in Command c)
    {
        var frame = new FrameBuffer();
        CommandCodec.WriteFrame(frame, c);
        var r = new MessagePackReader(frame.WrittenMemory[ProtocolConstants.HeaderBytes..]);
        return r.ReadArrayHeader();
    }
}
