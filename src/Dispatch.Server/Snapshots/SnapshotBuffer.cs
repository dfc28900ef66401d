using System.Buffers;

namespace Dispatch.Server.Snapshots;

/// <summary>
/// A write-only in-memory stream of pooled 64 KiB chunks (<see cref="ArrayPool{T}.Shared"/>), kept from one snapshot
/// to the next: the engine thread serialises the engine into it (the copy of the state a snapshot needs), the
/// background writer copies it to the file. Growing never copies what is already written, and once the chunks
/// for the state's size are held, a snapshot allocates nothing. Not thread-safe: one owner at a time (the
/// engine thread while it writes, then the writer task; <see cref="PeriodicSnapshots"/> hands it over).
/// </summary>
internal sealed class SnapshotBuffer : Stream
{
    private const int ChunkBytes = 64 * 1024;
    private readonly List<byte[]> _chunks = new();
    private long _length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    /// <summary>Bytes held in chunks (written or not): what the buffer costs in memory.</summary>
    public long CapacityBytes => (long)_chunks.Count * ChunkBytes;

    /// <summary>Empties the buffer, keeping its chunks.</summary>
    public void Reset() => _length = 0;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int chunk = (int)(_length / ChunkBytes), at = (int)(_length % ChunkBytes);
            if (chunk == _chunks.Count) _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkBytes));
            int n = Math.Min(buffer.Length, ChunkBytes - at);
            buffer[..n].CopyTo(_chunks[chunk].AsSpan(at));
            buffer = buffer[n..];
            _length += n;
        }
    }

    public override void WriteByte(byte value)
    {
        int chunk = (int)(_length / ChunkBytes), at = (int)(_length % ChunkBytes);
        if (chunk == _chunks.Count) _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkBytes));
        _chunks[chunk][at] = value;
        _length++;
    }

    /// <summary>Writes everything written so far to <paramref name="destination"/>.</summary>
    public void WriteTo(Stream destination)
    {
        long left = _length;
        for (int i = 0; left > 0; i++)
        {
            int n = (int)Math.Min(left, ChunkBytes);
            destination.Write(_chunks[i], 0, n);
            left -= n;
        }
    }

    /// <summary>
    /// Drops the chunks past what is written now, and not back to the shared pool (which would keep them alive): the
    /// buffer keeps the size of the largest snapshot it ever held, and after a peak that can be several times the
    /// state now. Only while no writer reads the buffer.
    /// </summary>
    public void TrimExcess()
    {
        int keep = (int)((_length + ChunkBytes - 1) / ChunkBytes);
        if (keep < _chunks.Count) _chunks.RemoveRange(keep, _chunks.Count - keep);
    }

    /// <summary>Returns the chunks to the pool (at shutdown).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var c in _chunks) ArrayPool<byte>.Shared.Return(c);
            _chunks.Clear();
            _length = 0;
        }
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
