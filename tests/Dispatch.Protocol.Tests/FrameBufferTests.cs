using System.Buffers;

namespace Dispatch.Protocol.Tests;

/// <summary>The pooled frame buffer the server encodes replies into: frames leave by moving its memory, not by copying it.</summary>
/// <summary>Alone, not beside other test classes: see <see cref="AllocationCollection"/>.</summary>
[Collection(AllocationCollection.Name)]
public class FrameBufferTests
{
    [Fact]
    public void Detach_hands_over_the_written_frames_and_carries_on_with_fresh_memory()
    {
        var pool = ArrayPool<byte>.Create();
        var f = new FrameBuffer(16, pool);
        ReplyCodec.WriteAck(f, 1, 2.5);
        ReplyCodec.WriteError(f, 2, ErrorCode.UnknownId, new string('x', 300)); // grows the buffer past its first array
        var expected = f.WrittenSpan.ToArray();

        var frames = f.Detach();
        Assert.Equal(expected, frames.AsSpan().ToArray());
        Assert.Equal(0, f.Length);
        ReplyCodec.WriteAck(f, 3, 4);
        Assert.Equal(expected, frames.AsSpan().ToArray()); // the detached array is no longer written to
        pool.Return(frames.Array!);

        var seq = new ReadOnlySequence<byte>(f.WrittenMemory);
        Assert.Equal(FrameStatus.Frame, FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _));
        Assert.Equal(new AckMessage(3, 4), ReplyCodec.Read(payload));
    }

    [Fact]
    public void A_frame_in_progress_cannot_be_detached()
    {
        var f = new FrameBuffer(16, ArrayPool<byte>.Shared);
        f.BeginFrame();
        Assert.Throws<InvalidOperationException>(() => f.Detach());
    }

    [Fact]
    public void A_small_batch_in_a_buffer_grown_by_a_large_one_leaves_in_an_array_of_its_own_size()
    {
        var f = new FrameBuffer(512, ArrayPool<byte>.Shared);
        for (uint rid = 1; rid <= 5000; rid++) ReplyCodec.WriteAck(f, rid, rid); // a large batch grows the buffer
        var large = f.Detach();
        Assert.True(large.Count > large.Array!.Length / 4); // handed over as it is: more than a quarter full

        ReplyCodec.WriteAck(f, 1, 2);
        var small = f.Detach();
        Assert.True(small.Array!.Length < 64, $"a {small.Count}-byte batch handed over in {small.Array.Length} bytes");
        var seq = new ReadOnlySequence<byte>(small.Array, small.Offset, small.Count);
        Assert.Equal(FrameStatus.Frame, FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _));
        Assert.Equal(new AckMessage(1, 2), ReplyCodec.Read(payload));
        Assert.True(seq.IsEmpty);
        Assert.Equal(0, f.Length);
    }

    [Fact]
    public void Encoding_replies_and_handing_them_over_allocates_nothing_once_warm()
    {
        var f = new FrameBuffer(512, ArrayPool<byte>.Shared);
        void Batch()
        {
            for (uint rid = 1; rid <= 50; rid++) ReplyCodec.WriteAck(f, rid, rid);
            var frames = f.Detach();
            ArrayPool<byte>.Shared.Return(frames.Array!); // what the receiver does once the bytes are written: back to the buffer's pool
        }
        for (int i = 0; i < 10; i++) Batch();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Batch();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_buffer_made_for_one_batch_hands_its_own_array_over_and_keeps_none()
    {
        var pool = new CountingPool();
        var f = new FrameBuffer(128, pool);
        ReplyCodec.WriteAck(f, 1, 2.5);
        var frames = f.DetachLast();
        Assert.Equal(1, pool.Rented); // the array the buffer was made with, and no other
        Assert.Equal(0, f.Length);
        var seq = new ReadOnlySequence<byte>(frames.Array!, frames.Offset, frames.Count);
        Assert.Equal(FrameStatus.Frame, FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _));
        Assert.Equal(new AckMessage(1, 2.5), ReplyCodec.Read(payload));
        pool.Return(frames.Array!);
        Assert.Equal(0, pool.Outstanding); // Detach would have left the buffer holding one more, never returned

        ReplyCodec.WriteAck(f, 2, 3); // still usable: a new array from the pool
        Assert.Equal(1, pool.Outstanding);
        pool.Return(f.DetachLast().Array!);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void A_frame_in_progress_cannot_be_detached_last_either()
    {
        var f = new FrameBuffer(16, ArrayPool<byte>.Shared);
        f.BeginFrame();
        Assert.Throws<InvalidOperationException>(() => f.DetachLast());
    }

    /// <summary>A pool that counts what it lends and gets back, and refuses an array it did not lend.</summary>
    private sealed class CountingPool : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);
        public int Rented { get; private set; }
        public int Outstanding => _out.Count;
        public override byte[] Rent(int minimumLength)
        {
            var a = new byte[minimumLength];
            _out.Add(a);
            Rented++;
            return a;
        }
        public override void Return(byte[] array, bool clearArray = false)
        {
            if (!_out.Remove(array)) throw new InvalidOperationException("an array this pool did not lend");
        }
    }
}
