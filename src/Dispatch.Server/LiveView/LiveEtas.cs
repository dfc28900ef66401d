using Dispatch.Model;

namespace Dispatch.Server.LiveView;

/// <summary>
/// Orders' latest planned drop-off for the live view, one slot per open order, overwritten by every ETA change: the
/// engine thread writes (<see cref="Report"/>), the <see cref="LiveProjection"/> takes the slots that changed once per
/// feed message (<see cref="Take"/>). Under load the engine re-times the orders of a courier at each position report
/// it plans from: hundreds of thousands of ETA changes a second, each order dozens of times within one feed interval.
/// One ring entry each was most of what the engine thread wrote into the ring, lapped it, and was most of the
/// projection's work and of the feed's bytes; the page needs each order's latest drop-off. What a slot folds together is
/// counted (<see cref="Count"/> per slot, the first previous time kept), so the timeline says how many re-timings a
/// line stands for. Each slot is a seqlock; the writer never waits and never fences (release stores only). Nothing
/// allocates on the engine thread except when more orders are open at once than ever before (the table doubles), and
/// a finished order's slot is reused (<see cref="Forget"/>).
/// </summary>
internal sealed class LiveEtas
{
    private sealed class Table(int capacity)
    {
        public readonly long[] Order = new long[capacity], Courier = new long[capacity];
        /// <summary>The ring's head when the latest change was written: orders it against the ring's events (a route's stops).</summary>
        public readonly long[] RingSeq = new long[capacity];
        public readonly double[] Drop = new double[capacity], Previous = new double[capacity], At = new double[capacity];
        /// <summary>Reasons seen since the slot was last taken, one bit per <see cref="PlanChangeReason"/>.</summary>
        public readonly int[] Reasons = new int[capacity];
        /// <summary>The latest change's reason.</summary>
        public readonly int[] Reason = new int[capacity];
        public readonly int[] Changes = new int[capacity];
        public readonly int[] Seq = new int[capacity];   // odd while the engine thread writes the slot
        public readonly int[] Dirty = new int[capacity]; // 1 = changed since the reader last took it
        public int Count;                                 // slots ever used (written by the engine thread, read with Volatile)
    }

    private readonly Dictionary<long, int> _slotOf = new(); // engine thread only
    private int[] _free = new int[64];                      // engine thread only
    private int _freeCount;
    private Table _table = new(1024);

    /// <summary>Engine thread only: an <see cref="PlanChangeKind.EtaChanged"/> change, written when the ring's head was <paramref name="ringHead"/>.</summary>
    public void Report(in PlanChange c, long ringHead)
    {
        var t = _table;
        if (!_slotOf.TryGetValue(c.OrderId, out int i))
        {
            if (_freeCount > 0) i = _free[--_freeCount];
            else
            {
                i = t.Count;
                if (i == t.Order.Length) t = Grow(t);
                Volatile.Write(ref t.Count, i + 1);
            }
            _slotOf[c.OrderId] = i;
        }
        int s = t.Seq[i];
        // Release stores in this order: the odd sequence is visible before any field, the even one after all of them.
        Volatile.Write(ref t.Seq[i], s + 1);
        bool fresh = Volatile.Read(ref t.Dirty[i]) == 0 || t.Order[i] != c.OrderId;
        Volatile.Write(ref t.Order[i], c.OrderId);
        Volatile.Write(ref t.Courier[i], c.CourierId);
        Volatile.Write(ref t.RingSeq[i], ringHead);
        Volatile.Write(ref t.Drop[i], c.NewTime);
        Volatile.Write(ref t.At[i], c.At);
        Volatile.Write(ref t.Reason[i], (int)c.Reason);
        int bit = (int)c.Reason < 32 ? 1 << (int)c.Reason : 0;
        if (fresh)
        {
            Volatile.Write(ref t.Previous[i], c.PreviousTime);
            Volatile.Write(ref t.Reasons[i], bit);
            Volatile.Write(ref t.Changes[i], 1);
        }
        else
        {
            Volatile.Write(ref t.Reasons[i], t.Reasons[i] | bit);
            Volatile.Write(ref t.Changes[i], t.Changes[i] + 1);
        }
        Volatile.Write(ref t.Seq[i], s + 2);
        Volatile.Write(ref t.Dirty[i], 1);
    }

    /// <summary>Engine thread only: the order finished (delivered, cancelled, returned); its slot goes to the next new order.</summary>
    public void Forget(long orderId)
    {
        if (!_slotOf.Remove(orderId, out int i)) return;
        if (_freeCount == _free.Length) Array.Resize(ref _free, _free.Length * 2);
        _free[_freeCount++] = i;
    }

    /// <summary>Slots the reader may look at (it re-reads this each pass: the table can grow meanwhile).</summary>
    public int Count => Volatile.Read(ref Volatile.Read(ref _table).Count);

    /// <summary>Reader: true when slot <paramref name="slot"/> changed since it was last taken.</summary>
    public bool Pending(int slot)
    {
        var t = Volatile.Read(ref _table);
        return slot < Volatile.Read(ref t.Count) && Volatile.Read(ref t.Dirty[slot]) != 0;
    }

    /// <summary>Reader: slot <paramref name="slot"/>'s latest change and what it folds together, marking it taken.</summary>
    public EtaReport Take(int slot)
    {
        var t = Volatile.Read(ref _table); // slot numbers survive growth: a grown table holds the same slots
        // Cleared before the copy: a change landing during it sets the flag again and is taken next time.
        Volatile.Write(ref t.Dirty[slot], 0);
        Interlocked.MemoryBarrier();
        while (true)
        {
            int s1 = Volatile.Read(ref t.Seq[slot]);
            if ((s1 & 1) == 0)
            {
                var r = new EtaReport(t.Order[slot], t.Courier[slot], t.RingSeq[slot], t.Previous[slot], t.Drop[slot], t.At[slot], (PlanChangeReason)t.Reason[slot], t.Reasons[slot], t.Changes[slot]);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref t.Seq[slot]) == s1) return r;
            }
            Thread.SpinWait(1);
        }
    }

    /// <summary>Reader: a change taken too early (its order's placement is still in the ring) goes back for the next time.</summary>
    public void Keep(int slot) => Volatile.Write(ref Volatile.Read(ref _table).Dirty[slot], 1);

    private Table Grow(Table old)
    {
        var t = new Table(old.Order.Length * 2);
        int n = old.Count;
        Array.Copy(old.Order, t.Order, n); Array.Copy(old.Courier, t.Courier, n); Array.Copy(old.RingSeq, t.RingSeq, n);
        Array.Copy(old.Drop, t.Drop, n); Array.Copy(old.Previous, t.Previous, n); Array.Copy(old.At, t.At, n);
        Array.Copy(old.Reasons, t.Reasons, n); Array.Copy(old.Reason, t.Reason, n); Array.Copy(old.Changes, t.Changes, n); Array.Copy(old.Seq, t.Seq, n);
        Array.Copy(old.Dirty, t.Dirty, n); // a take racing the copy may read a slot twice (harmless), never miss one
        t.Count = n;
        Volatile.Write(ref _table, t);
        return t;
    }
}
