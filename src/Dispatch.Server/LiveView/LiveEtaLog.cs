using Dispatch.Model;

namespace Dispatch.Server.LiveView;

/// <summary>
/// The engine thread's ETA changes for the live view, kept apart from the <see cref="LiveRing"/>: the engine re-times a
/// courier's orders at every position report it plans from and hands them over at the next tick, tens of thousands
/// in one burst, each order many times. Written here as plain sequential entries (no lookup, no fence, no per-entry
/// lock: a claim counter before, the head after, both release stores), so the engine thread's cost per change is a
/// few stores; the <see cref="LiveProjection"/> folds them into each order's latest drop-off. A reader that falls a
/// whole log behind, or whose copy the writer laps meanwhile, counts what it missed (<see cref="LiveViewStats.EventsLost"/>);
/// the engine never waits.
/// </summary>
internal sealed class LiveEtaLog
{
    private readonly EtaEntry[] _entries;
    private readonly long _mask;
    private long _head;    // entries written; engine thread only writes it
    private long _claimed; // entries being or been written: the slot of (_claimed - 1) may be mid-write

    public LiveEtaLog(int capacityPowerOfTwo)
    {
        if (capacityPowerOfTwo < 2 || (capacityPowerOfTwo & (capacityPowerOfTwo - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacityPowerOfTwo), capacityPowerOfTwo, "must be a power of two, at least 2");
        _entries = new EtaEntry[capacityPowerOfTwo];
        _mask = capacityPowerOfTwo - 1;
    }

    public int Capacity => _entries.Length;

    /// <summary>Entries written so far (any thread).</summary>
    public long Head => Volatile.Read(ref _head);

    /// <summary>Engine thread only: an <see cref="PlanChangeKind.EtaChanged"/> change, when the ring's head was <paramref name="ringHead"/>.</summary>
    public void Write(in PlanChange c, long ringHead)
    {
        long h = _head;
        // Claimed first: a reader that copied this slot's previous entry meanwhile sees the claim and discards it.
        Volatile.Write(ref _claimed, h + 1);
        ref var e = ref _entries[h & _mask];
        Volatile.Write(ref e.Order, c.OrderId);
        Volatile.Write(ref e.Courier, c.CourierId);
        Volatile.Write(ref e.RingSeq, ringHead);
        Volatile.Write(ref e.Previous, c.PreviousTime);
        Volatile.Write(ref e.Drop, c.NewTime);
        Volatile.Write(ref e.At, c.At);
        e.Reason = c.Reason;
        Volatile.Write(ref _head, h + 1);
    }

    /// <summary>
    /// Reader: copies the entries from <paramref name="cursor"/> on (at most <paramref name="into"/>'s length) and moves
    /// the cursor past them; <paramref name="lost"/> says how many before them were overwritten before they could be read.
    /// Returns how many were copied (0: nothing new).
    /// </summary>
    public int Read(ref long cursor, Span<EtaEntry> into, out long lost)
    {
        lost = 0;
        long head = Volatile.Read(ref _head);
        if (head - cursor > _entries.Length)
        {
            // Lapped: go on from the newest batch, not the oldest entries still there (the writer is about to reuse them).
            long from = head - Math.Min(into.Length, _entries.Length);
            lost = from - cursor;
            cursor = from;
        }
        int n = (int)Math.Min(head - cursor, into.Length);
        for (int i = 0; i < n; i++) into[i] = _entries[(cursor + i) & _mask];
        Interlocked.MemoryBarrier();
        // Entries below claimed - capacity may have been rewritten while they were copied.
        long safeFrom = Volatile.Read(ref _claimed) - _entries.Length;
        int skip = (int)Math.Clamp(safeFrom - cursor, 0, n);
        if (skip > 0)
        {
            lost += skip;
            into[skip..n].CopyTo(into);
            n -= skip;
        }
        cursor += n + skip;
        return n;
    }
}
