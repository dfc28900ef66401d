using System.Buffers;
using Dispatch.Protocol;
using FsCheck;
using FsCheck.Xunit;

namespace Dispatch.Protocol.Tests;

public class FrameReaderTests
{
    private static readonly Command[] Sample =
    [
        Command.Hello(1, "t", true),
        Command.Ping(2),
        Command.AddSite(3, 1, 10.5, -3),
        Command.PlaceOrder(4, 100, 1, 2500, 1800, 0, 12, 2),
        Command.CourierOnShift(5, 10, 900, 1200, 0, 240, 3),
        Command.Tick(6, 30),
        Command.GetCounts(7),
    ];

    private static byte[] Stream(IEnumerable<Command> commands)
    {
        var f = new FrameBuffer();
        foreach (var c in commands) CommandCodec.WriteFrame(f, c);
        return f.WrittenSpan.ToArray();
    }

    /// <summary>Parses like the server's read loop: whole frames only, the rest waits.</summary>
    private static List<Command> ParseAll(ReadOnlySequence<byte> buffer)
    {
        var result = new List<Command>();
        while (FrameReader.TryReadFrame(ref buffer, 1 << 20, out var payload, out _) == FrameStatus.Frame)
            result.Add(CommandCodec.Read(payload));
        Assert.Equal(0, buffer.Length);
        return result;
    }

    [Fact]
    public void Whole_stream_parses_every_frame()
    {
        Assert.Equal(Sample, ParseAll(new ReadOnlySequence<byte>(Stream(Sample))));
    }

    [Fact]
    public void Split_at_every_byte_parses_identically()
    {
        byte[] data = Stream(Sample);
        for (int cut = 1; cut < data.Length; cut++)
            Assert.Equal(Sample, ParseAll(Segment.Split(data, [cut])));
    }

    [Fact]
    public void One_byte_per_segment_parses_identically()
    {
        byte[] data = Stream(Sample);
        Assert.Equal(Sample, ParseAll(Segment.Split(data, Enumerable.Range(1, data.Length - 1))));
    }

    [Fact]
    public void Incremental_arrival_byte_by_byte_yields_each_frame_once()
    {
        // Like a socket delivering one byte per read: the prefix grows until TryReadFrame answers Frame.
        byte[] data = Stream(Sample);
        var got = new List<Command>();
        int start = 0;
        for (int end = 1; end <= data.Length; end++)
        {
            var buffer = new ReadOnlySequence<byte>(data, start, end - start);
            var status = FrameReader.TryReadFrame(ref buffer, 1 << 20, out var payload, out _);
            if (status == FrameStatus.Frame)
            {
                got.Add(CommandCodec.Read(payload));
                start = end - (int)buffer.Length;
            }
            else Assert.Equal(FrameStatus.NeedMore, status);
        }
        Assert.Equal(Sample, got);
    }

    [Fact]
    public void Truncated_frame_needs_more_and_leaves_the_buffer_alone()
    {
        byte[] data = Stream([Sample[3]]);
        for (int len = 0; len < data.Length; len++)
        {
            var buffer = new ReadOnlySequence<byte>(data, 0, len);
            Assert.Equal(FrameStatus.NeedMore, FrameReader.TryReadFrame(ref buffer, 1 << 20, out _, out _));
            Assert.Equal(len, buffer.Length);
        }
    }

    [Fact]
    public void Oversized_and_zero_length_prefixes_are_invalid_before_the_payload_arrives()
    {
        var big = new ReadOnlySequence<byte>(new byte[] { 0, 0x10, 0, 1 });
        Assert.Equal(FrameStatus.Invalid, FrameReader.TryReadFrame(ref big, 1024, out _, out uint declared));
        Assert.Equal(0x100001u, declared);
        var zero = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 0, 1 });
        Assert.Equal(FrameStatus.Invalid, FrameReader.TryReadFrame(ref zero, 1024, out _, out _));
        var max = new ReadOnlySequence<byte>(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });
        Assert.Equal(FrameStatus.Invalid, FrameReader.TryReadFrame(ref max, int.MaxValue, out _, out _));
    }

    [Fact]
    public void Payload_is_a_slice_of_the_input_not_a_copy()
    {
        byte[] data = Stream([Sample[2]]);
        var buffer = new ReadOnlySequence<byte>(data);
        Assert.Equal(FrameStatus.Frame, FrameReader.TryReadFrame(ref buffer, 1 << 20, out var payload, out _));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload.First, out var seg));
        Assert.Same(data, seg.Array);
        Assert.Equal(4, seg.Offset);
    }

    [Property(MaxTest = 200)]
    public void Random_stream_split_at_random_points_parses_identically(NonEmptyArray<int> picks, int[] cuts)
    {
        var commands = picks.Get.Select(i => Sample[Math.Abs(i % Sample.Length)] with { RequestId = (uint)Math.Abs(i) }).ToArray();
        byte[] data = Stream(commands);
        var points = cuts.Select(c => (int)((uint)c % (uint)data.Length));
        Assert.Equal(commands, ParseAll(Segment.Split(data, points)));
    }
}
