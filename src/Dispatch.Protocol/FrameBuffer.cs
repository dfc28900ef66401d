using System.Buffers;
using System.Buffers.Binary;

namespace Dispatch.Protocol;

/// <summary>
/// A growable byte buffer that holds one or more whole frames. A frame's length is only known
/// after its MessagePack body is written, so the body goes here first and the 4-byte prefix is
/// patched in place afterwards; a batch of frames then leaves in one write. Not thread-safe.
/// </summary>
public sealed class FrameBuffer : IBufferWriter<byte>
{
    private readonly ArrayPool<byte>? _pool;
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    /// <summary>Creates a buffer with an initial capacity.</summary>
    public FrameBuffer(int initialCapacity = 256) : this(initialCapacity, null) { }

    /// <summary>
    /// Creates a buffer whose memory comes from <paramref name="pool"/> (null: plain arrays). With a pool,
    /// <see cref="Detach"/> hands the written bytes over without a copy; the receiver returns the array
    /// to the same pool when it is done with it.
    /// </summary>
    public FrameBuffer(int initialCapacity, ArrayPool<byte>? pool)
    {
        _pool = pool;
        _buffer = Allocate(Math.Max(16, initialCapacity));
    }

    /// <summary>Bytes written (whole frames plus any frame in progress).</summary>
    public int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>Starts a frame: reserves its length prefix.</summary>
    public void BeginFrame()
    {
        if (_frameStart >= 0) throw new InvalidOperationException("a frame is already in progress");
        _frameStart = _length;
        GetSpan(ProtocolConstants.HeaderBytes);
        _length += ProtocolConstants.HeaderBytes;
    }

    /// <summary>Ends the frame begun last: patches its length prefix. Throws if the payload exceeds the limit (the frame is dropped).</summary>
    public void EndFrame(int maxPayloadBytes = int.MaxValue)
    {
        if (_frameStart < 0) throw new InvalidOperationException("no frame in progress");
        int payload = _length - _frameStart - ProtocolConstants.HeaderBytes;
        int start = _frameStart;
        _frameStart = -1;
        if (payload > maxPayloadBytes || payload == 0)
        {
            _length = start;
            throw new InvalidOperationException($"frame payload of {payload} bytes is outside 1..{maxPayloadBytes}");
        }
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(start), (uint)payload);
    }

    /// <summary>Drops the frame in progress, if any (after a failed encode).</summary>
    public void CancelFrame()
    {
        if (_frameStart < 0) return;
        _length = _frameStart;
        _frameStart = -1;
    }

    /// <summary>Appends bytes that already form whole frames.</summary>
    public void Append(ReadOnlySpan<byte> frames)
    {
        frames.CopyTo(GetSpan(frames.Length));
        _length += frames.Length;
    }

    /// <summary>Copies the written bytes out and empties the buffer.</summary>
    public byte[] Drain()
    {
        var copy = WrittenSpan.ToArray();
        Reset();
        return copy;
    }

    /// <summary>
    /// Hands the written bytes over, in an array the receiver then owns (from the pool, when the buffer has one, and
    /// then the receiver returns it there), and empties the buffer. Only whole frames may be detached.
    /// </summary>
    /// <remarks>
    /// Bytes that fill more than a quarter of the array go without a copy: the array itself is handed over and the
    /// buffer carries on with a fresh one as large (as Reset keeps its capacity: a busy connection does not regrow
    /// every batch). Fewer are copied into an array of their own size and the buffer keeps its array: otherwise a
    /// buffer grown once by a large batch would hand every later small one over in an array of the large size, and
    /// the batches in flight (waiting for a journal sync, or for a slow socket) would hold memory in proportion to
    /// their number times the largest batch ever written, not to their bytes. The copy is at most a quarter of the
    /// array, of bytes just written.
    /// </remarks>
    public ArraySegment<byte> Detach()
    {
        if (_frameStart >= 0) throw new InvalidOperationException("a frame is in progress");
        ArraySegment<byte> written;
        if (_length > 0 && _length <= _buffer.Length / 4)
        {
            var own = Allocate(_length);
            _buffer.AsSpan(0, _length).CopyTo(own);
            written = new ArraySegment<byte>(own, 0, _length);
        }
        else
        {
            written = new ArraySegment<byte>(_buffer, 0, _length);
            _buffer = Allocate(_buffer.Length);
        }
        _length = 0;
        return written;
    }

    /// <summary>
    /// Hands the written bytes over in the buffer's own array, as the last use of a buffer made for one batch: the
    /// receiver owns the array (and returns it to the pool, when the buffer has one), and the buffer keeps no memory.
    /// <see cref="Detach"/> would leave the buffer holding an array (its own, or a fresh one) that a throwaway buffer
    /// never gives back: with a pool, one array rented per batch and left to the collector. Writing to the buffer
    /// afterwards starts a new array. Only whole frames may be detached.
    /// </summary>
    public ArraySegment<byte> DetachLast()
    {
        if (_frameStart >= 0) throw new InvalidOperationException("a frame is in progress");
        var written = new ArraySegment<byte>(_buffer, 0, _length);
        _buffer = [];
        _length = 0;
        return written;
    }

    /// <summary>Empties the buffer, keeping its capacity.</summary>
    public void Reset()
    {
        _length = 0;
        _frameStart = -1;
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        if (count < 0 || _length + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _length >= need) return;
        int size = Math.Max(_buffer.Length * 2, _length + need);
        if (_pool is null)
        {
            Array.Resize(ref _buffer, size);
            return;
        }
        var bigger = _pool.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0) _pool.Return(_buffer); // none after DetachLast: that array went to the receiver
        _buffer = bigger;
    }

    private byte[] Allocate(int size) => _pool is null ? new byte[size] : _pool.Rent(size);
}
