namespace Dispatch.Server.LiveView;

/// <summary>
/// Courier positions for the live view, one slot per courier, overwritten by every report: the engine thread writes
/// (<see cref="Report"/>), the <see cref="LiveProjection"/> reads the slots that changed (<see cref="TryTake"/>). A map
/// redrawn a few times a second needs each courier's latest position, not every report: at hundreds of thousands of
/// reports a second, one ring entry each was most of the projection's work and lapped the ring. Each slot is a seqlock,
/// so a read never mixes two reports. Nothing allocates on the engine thread except when a courier reports for the
/// first time (its slot) or the table grows.
/// </summary>
internal sealed class LivePositions
{
    private sealed class Table(int capacity)
    {
        public readonly long[] Id = new long[capacity];
        public readonly double[] X = new double[capacity], Y = new double[capacity], At = new double[capacity];
        public readonly int[] Seq = new int[capacity];   // odd while the engine thread writes the slot
        public readonly int[] Dirty = new int[capacity]; // 1 = reported since the reader last took it
        public int Count;                                 // slots in use (written by the engine thread, read with Volatile)
    }

    private readonly Dictionary<long, int> _slotOf = new(); // engine thread only
    private Table _table = new(256);
    private long _reports; // written by the engine thread only (an aligned long: read whole)

    /// <summary>Reports ever written: what the reader took fewer than were sampled away (overwritten before it came).</summary>
    public long Reports => Volatile.Read(ref _reports);

    /// <summary>Engine thread only: courier <paramref name="courierId"/> reported (<paramref name="x"/>, <paramref name="y"/>) at engine time <paramref name="at"/>.</summary>
    public void Report(long courierId, double x, double y, double at)
    {
        var t = _table;
        if (!_slotOf.TryGetValue(courierId, out int i))
        {
            i = t.Count;
            if (i == t.Id.Length) t = Grow(t);
            t.Id[i] = courierId;
            _slotOf[courierId] = i;
            Volatile.Write(ref t.Count, i + 1);
        }
        int s = t.Seq[i];
        // Release stores in this order (no fence on the engine thread): the odd sequence is visible before the fields,
        // the even one after them.
        Volatile.Write(ref t.Seq[i], s + 1);
        Volatile.Write(ref t.X[i], x);
        Volatile.Write(ref t.Y[i], y);
        Volatile.Write(ref t.At[i], at);
        Volatile.Write(ref t.Seq[i], s + 2);
        Volatile.Write(ref t.Dirty[i], 1);
        Volatile.Write(ref _reports, _reports + 1);
    }

    /// <summary>Slots the reader may look at (it re-reads this each pass: the table can grow meanwhile).</summary>
    public int Count => Volatile.Read(ref Volatile.Read(ref _table).Count);

    /// <summary>Reader: true when slot <paramref name="slot"/> was reported since it was last taken; its courier.</summary>
    public bool Pending(int slot, out long courierId)
    {
        var t = Volatile.Read(ref _table);
        courierId = 0;
        if (slot >= Volatile.Read(ref t.Count) || Volatile.Read(ref t.Dirty[slot]) == 0) return false;
        courierId = t.Id[slot];
        return true;
    }

    /// <summary>Reader: slot <paramref name="slot"/>'s latest position, marking it taken.</summary>
    public void Take(int slot, out double x, out double y, out double at)
    {
        var t = Volatile.Read(ref _table); // slot numbers survive growth: a grown table holds the same slots
        // Cleared before the copy: a report landing during it sets the flag again and is taken next pass.
        Volatile.Write(ref t.Dirty[slot], 0);
        Interlocked.MemoryBarrier();
        while (true)
        {
            int s1 = Volatile.Read(ref t.Seq[slot]);
            if ((s1 & 1) == 0)
            {
                x = t.X[slot]; y = t.Y[slot]; at = t.At[slot];
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref t.Seq[slot]) == s1) return;
            }
            Thread.SpinWait(1);
        }
    }

    private Table Grow(Table old)
    {
        var t = new Table(old.Id.Length * 2);
        int n = old.Count;
        Array.Copy(old.Id, t.Id, n); Array.Copy(old.X, t.X, n); Array.Copy(old.Y, t.Y, n); Array.Copy(old.At, t.At, n);
        for (int i = 0; i < n; i++) t.Dirty[i] = 1; // the reader re-reads every slot once from the new table
        t.Count = n;
        Volatile.Write(ref _table, t);
        return t;
    }
}
