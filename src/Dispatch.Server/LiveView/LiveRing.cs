namespace Dispatch.Server.LiveView;

/// <summary>
/// The one hand-off from the engine thread to the live view: a fixed ring of <see cref="LiveEvent"/> slots the engine
/// thread writes without ever waiting, allocating or knowing how many browsers watch. A single reader (the
/// <see cref="LiveProjection"/>) follows it with its own cursor; if it falls a whole ring behind, the slots it missed
/// are counted (<see cref="LiveViewStats.EventsLost"/>) and it carries on from the oldest slot still intact: the engine
/// is never held back by the view. Each slot carries its sequence number (a seqlock), so a reader can tell a slot that
/// was overwritten while it copied it.
/// </summary>
internal sealed class LiveRing
{
    private struct Slot
    {
        public long Seq;
        public LiveEvent Event;
    }

    private readonly Slot[] _slots;
    private readonly long _mask;
    private long _head; // next sequence number to write; written by the engine thread only

    public LiveRing(int capacityPowerOfTwo)
    {
        if (capacityPowerOfTwo < 2 || (capacityPowerOfTwo & (capacityPowerOfTwo - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacityPowerOfTwo), capacityPowerOfTwo, "must be a power of two, at least 2");
        _slots = new Slot[capacityPowerOfTwo];
        _mask = capacityPowerOfTwo - 1;
        for (int i = 0; i < _slots.Length; i++) _slots[i].Seq = -1;
    }

    public int Capacity => _slots.Length;

    /// <summary>The sequence number the next write gets (any thread).</summary>
    public long Head => Volatile.Read(ref _head);

    /// <summary>Engine thread only: appends one event. Constant time; never blocks.</summary>
    public void Write(in LiveEvent e)
    {
        long seq = _head;
        ref var slot = ref _slots[seq & _mask];
        // Mark the slot as being written before touching the event, so a reader copying it sees the change.
        Volatile.Write(ref slot.Seq, -1);
        Interlocked.MemoryBarrier();
        slot.Event = e;
        Volatile.Write(ref slot.Seq, seq);
        Volatile.Write(ref _head, seq + 1);
    }

    /// <summary>
    /// Reader: the event with sequence number <paramref name="seq"/>, if it is still in the ring. False when it was
    /// overwritten (the reader fell behind) or is not written yet.
    /// </summary>
    public bool TryRead(long seq, out LiveEvent e)
    {
        ref var slot = ref _slots[seq & _mask];
        if (Volatile.Read(ref slot.Seq) != seq) { e = default; return false; }
        e = slot.Event;
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref slot.Seq) == seq) return true;
        e = default;
        return false;
    }
}
