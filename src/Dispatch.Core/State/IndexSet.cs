namespace Dispatch.State;

/// <summary>A set of dense indexes with O(1) add and remove and a contiguous span to iterate.</summary>
internal sealed class IndexSet
{
    private int[] _items;
    private int[] _pos;

    public IndexSet(int capacity)
    {
        _items = new int[capacity];
        _pos = new int[capacity];
        Array.Fill(_pos, -1);
    }

    public int Count { get; private set; }

    public ReadOnlySpan<int> Items => _items.AsSpan(0, Count);

    public bool Contains(int i) => i < _pos.Length && _pos[i] >= 0;

    /// <summary>Makes room for indexes below <paramref name="capacity"/> (outside the tick).</summary>
    public void EnsureCapacity(int capacity)
    {
        if (_pos.Length >= capacity) return;
        int old = _pos.Length;
        int n = Math.Max(capacity, old * 2);
        Array.Resize(ref _pos, n);
        Array.Fill(_pos, -1, old, n - old);
        Array.Resize(ref _items, n);
    }

    public void Add(int i)
    {
        if (_pos[i] >= 0) return;
        _pos[i] = Count;
        _items[Count++] = i;
    }

    public void Remove(int i)
    {
        int p = _pos[i];
        if (p < 0) return;
        int last = _items[--Count];
        _items[p] = last;
        _pos[last] = p;
        _pos[i] = -1;
    }
}
