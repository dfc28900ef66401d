using System.Buffers;
using System.Numerics;

namespace Dispatch.Server.Buffers;

/// <summary>
/// A pool of byte arrays that holds, per size, only what the traffic of the last trim interval needed. The reply path
/// hands arrays from thread to thread (the engine thread rents a batch's frame buffer, a connection's write loop returns
/// it; the pipes' segments likewise), and <see cref="ArrayPool{T}.Shared"/> keeps those per thread and per core, up to
/// 32 of each size per core, and gives them back a minute after their last use, a few at a time. So how many megabytes
/// a quiet server still held depended on which threads had run when, not on its load: a soak's day-end live heap jumped
/// by 12 % from one night to the next on that alone (bench/results/server-soak.md). Here every size has one bounded
/// stack, and each <see cref="Trim"/> drops the arrays that lay in it unused since the previous trim (the stack's low
/// water mark): a busy server keeps its working set, an idle one gives it all back within two intervals.
/// </summary>
/// <remarks>
/// Sizes are powers of two from 128 B to 4 MiB, as the shared pool's, so an array rented here can only be confused
/// with a foreign one of the same length. Larger requests are plain arrays, dropped on return. One lock per size:
/// renters are the engine thread and the connections' loops, a few at a time, and the lock is held for a push or a pop.
/// Rent and Return allocate nothing once the stack holds an array of the size.
/// </remarks>
internal sealed class TrimmingArrayPool : ArrayPool<byte>
{
    private const int MinShift = 7;   // 128 B
    private const int MaxShift = 22;  // 4 MiB
    private const int MinArraysPerSize = 4;
    private const int MaxArraysPerSize = 256;

    private readonly SizeStack[] _sizes;
    private readonly ITimer? _trimTimer;

    /// <param name="bytesPerSize">What each size's stack may hold (between 4 and 256 arrays of the size).</param>
    /// <param name="trimInterval">How often arrays unused for a whole interval are dropped; <see cref="Timeout.InfiniteTimeSpan"/>: only when <see cref="Trim"/> is called.</param>
    /// <param name="time">The trim timer's clock (tests).</param>
    public TrimmingArrayPool(long bytesPerSize, TimeSpan trimInterval, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSize);
        _sizes = new SizeStack[MaxShift - MinShift + 1];
        for (int i = 0; i < _sizes.Length; i++)
        {
            int size = 1 << (MinShift + i);
            _sizes[i] = new SizeStack(size, (int)Math.Clamp(bytesPerSize / size, MinArraysPerSize, MaxArraysPerSize));
        }
        if (trimInterval != Timeout.InfiniteTimeSpan)
            _trimTimer = (time ?? TimeProvider.System).CreateTimer(static pool => ((TrimmingArrayPool)pool!).Trim(), this, trimInterval, trimInterval);
    }

    /// <summary>Bytes held in the stacks now (arrays rented out not counted).</summary>
    public long HeldBytes
    {
        get
        {
            long held = 0;
            foreach (var s in _sizes) held += (long)s.Count * s.Size;
            return held;
        }
    }

    /// <inheritdoc />
    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        if (minimumLength == 0) return [];
        int index = SizeIndex(minimumLength);
        if (index >= _sizes.Length) return GC.AllocateUninitializedArray<byte>(minimumLength);
        var stack = _sizes[index];
        return stack.TryPop() ?? GC.AllocateUninitializedArray<byte>(stack.Size);
    }

    /// <inheritdoc />
    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length == 0) return;
        int index = SizeIndex(array.Length);
        // Not a pooled size (a large request's plain array, or a foreign one): the collector takes it.
        if (index >= _sizes.Length || _sizes[index].Size != array.Length) return;
        if (clearArray) Array.Clear(array);
        _sizes[index].Push(array);
    }

    /// <summary>Drops, from every size, the arrays that lay unused since the previous trim.</summary>
    public void Trim()
    {
        foreach (var s in _sizes) s.Trim();
    }

    /// <summary>Stops the trim timer (tests; the server's pool lives as long as the process).</summary>
    public void StopTrimming() => _trimTimer?.Dispose();

    private static int SizeIndex(int length) => Math.Max(0, BitOperations.Log2((uint)length - 1) + 1 - MinShift);

    /// <summary>The arrays of one size: a stack (the most recently returned is rented first) with its low-water mark.</summary>
    private sealed class SizeStack(int size, int capacity)
    {
        private readonly Lock _lock = new();
        private readonly byte[]?[] _items = new byte[capacity][];
        private int _count;
        private int _lowWater; // the fewest arrays the stack held since the last trim: those at the bottom were not used

        public int Size { get; } = size;

        public int Count => Volatile.Read(ref _count);

        public byte[]? TryPop()
        {
            lock (_lock)
            {
                if (_count == 0) return null;
                var array = _items[--_count];
                _items[_count] = null;
                if (_count < _lowWater) _lowWater = _count;
                return array;
            }
        }

        public void Push(byte[] array)
        {
            lock (_lock)
            {
                if (_count < _items.Length) _items[_count++] = array;
            }
        }

        public void Trim()
        {
            lock (_lock)
            {
                int unused = _lowWater;
                if (unused > 0)
                {
                    // The bottom ones: returned longest ago, untouched since.
                    Array.Copy(_items, unused, _items, 0, _count - unused);
                    Array.Clear(_items, _count - unused, unused);
                    _count -= unused;
                }
                _lowWater = _count;
            }
        }
    }
}
