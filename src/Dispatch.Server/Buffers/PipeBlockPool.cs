using System.Buffers;

namespace Dispatch.Server.Buffers;

/// <summary>
/// The memory pool the connections' pipes take their segments from: arrays from a <see cref="TrimmingArrayPool"/>
/// (so a quiet server gives them back; the pipes' default is <see cref="ArrayPool{T}.Shared"/>), handed out in owner
/// objects that are themselves reused, so a segment costs no allocation once the server has warmed up.
/// </summary>
internal sealed class PipeBlockPool : MemoryPool<byte>
{
    private const int DefaultBlockBytes = 4096;
    private readonly TrimmingArrayPool _arrays;
    private readonly Lock _lock = new();
    private readonly Block?[] _free = new Block[256];
    private int _freeCount;

    /// <param name="arrays">Where the blocks' arrays come from and go back to.</param>
    /// <param name="maxBufferSize">The largest block (a pipe asks the shared pool for anything larger).</param>
    public PipeBlockPool(TrimmingArrayPool arrays, int maxBufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBufferSize);
        _arrays = arrays;
        MaxBufferSize = maxBufferSize;
    }

    /// <inheritdoc />
    public override int MaxBufferSize { get; }

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize == -1) minBufferSize = DefaultBlockBytes;
        ArgumentOutOfRangeException.ThrowIfNegative(minBufferSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, MaxBufferSize);
        Block? block = null;
        lock (_lock)
        {
            if (_freeCount > 0)
            {
                block = _free[--_freeCount];
                _free[_freeCount] = null;
            }
        }
        block ??= new Block(this);
        block.Take(_arrays.Rent(minBufferSize));
        return block;
    }

    private void Release(Block block, byte[] array)
    {
        _arrays.Return(array);
        lock (_lock)
        {
            if (_freeCount < _free.Length) _free[_freeCount++] = block;
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) { }

    /// <summary>One rented array. Disposed once by the pipe that rented it; then it is free to be rented again.</summary>
    private sealed class Block(PipeBlockPool pool) : IMemoryOwner<byte>
    {
        private byte[]? _array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(PipeBlockPool), "the block was returned to the pool");

        public void Take(byte[] array) => _array = array;

        public void Dispose()
        {
            var array = Interlocked.Exchange(ref _array, null);
            if (array is not null) pool.Release(this, array);
        }
    }
}
