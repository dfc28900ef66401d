namespace Dispatch.State;

/// <summary>
/// Indexes whose retention has started (finished orders' history entries, couriers' slots once off shift) in the
/// order it did, with the time: the tick frees those whose retention has ended from the front. A ring sized with its
/// store (an index is queued at most once), so pushing and popping never allocate.
/// </summary>
internal sealed class RetentionQueue
{
    private int[] _slot;
    private double[] _at;
    private int _head, _count;

    public RetentionQueue(int capacity)
    {
        _slot = new int[capacity];
        _at = new double[capacity];
    }

    public int Count => _count;

    /// <summary>Makes room for <paramref name="capacity"/> entries, keeping their order (outside the tick).</summary>
    public void EnsureCapacity(int capacity)
    {
        if (_slot.Length >= capacity) return;
        var slot = new int[capacity];
        var at = new double[capacity];
        for (int i = 0; i < _count; i++)
        {
            int j = (_head + i) % _slot.Length;
            slot[i] = _slot[j];
            at[i] = _at[j];
        }
        _slot = slot;
        _at = at;
        _head = 0;
    }

    public void Push(int slot, double at)
    {
        int j = (_head + _count) % _slot.Length;
        _slot[j] = slot;
        _at[j] = at;
        _count++;
    }

    /// <summary>The oldest entry; only when <see cref="Count"/> is above 0.</summary>
    public (int Slot, double At) Peek() => (_slot[_head], _at[_head]);

    public void Pop()
    {
        _head = (_head + 1) % _slot.Length;
        _count--;
    }

    /// <summary>Entry <paramref name="i"/> from the front (snapshots).</summary>
    public (int Slot, double At) this[int i]
    {
        get
        {
            int j = (_head + i) % _slot.Length;
            return (_slot[j], _at[j]);
        }
    }
}
