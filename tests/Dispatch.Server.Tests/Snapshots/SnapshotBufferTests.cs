using Dispatch.Server.Snapshots;

namespace Dispatch.Server.Tests.Snapshots;

/// <summary>The snapshot buffer keeps its chunks from one snapshot to the next, and gives back what a peak grew it to when trimmed.</summary>
public sealed class SnapshotBufferTests
{
    private static byte[] Bytes(int n, byte seed) => Enumerable.Range(0, n).Select(i => (byte)(i * 31 + seed)).ToArray();

    [Fact]
    public void A_trimmed_buffer_holds_only_the_chunks_its_contents_need_and_still_writes_them_whole()
    {
        using var b = new SnapshotBuffer();
        b.Write(Bytes(600_000, 1)); // the peak: ten 64 KiB chunks
        Assert.Equal(10 * 65_536, b.CapacityBytes);
        b.Reset();
        var small = Bytes(100_000, 7);
        b.Write(small);
        Assert.Equal(10 * 65_536, b.CapacityBytes); // kept for the next snapshot
        b.TrimExcess();
        Assert.Equal(2 * 65_536, b.CapacityBytes);
        using var copy = new MemoryStream();
        b.WriteTo(copy);
        Assert.Equal(small, copy.ToArray());
        b.Reset();
        b.Write(Bytes(300_000, 3)); // grows again as needed
        Assert.Equal(5 * 65_536, b.CapacityBytes);
    }
}
