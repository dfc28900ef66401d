using System.Runtime.CompilerServices;

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

    /// <summary>Engine thread only: appends one event. Constant time; never blocks, never fences.</summary>
    public void Write(in LiveEvent e)
    {
        long seq = _head;
        ref var slot = ref _slots[seq & _mask];
        // Mark the slot as being written before touching the event, so a reader copying it sees the change. Each field
        // is a release store after the mark (ordered after it without a full fence, which cost the engine thread more
        // than the copy itself on a tick's burst of plan changes).
        Volatile.Write(ref slot.Seq, -1);
        ref var d = ref slot.Event;
        Volatile.Write(ref Unsafe.As<LiveEventKind, byte>(ref d.Kind), (byte)e.Kind);
        Volatile.Write(ref d.Flag, e.Flag);
        Volatile.Write(ref d.Reason, e.Reason);
        Volatile.Write(ref d.Count, e.Count);
        Volatile.Write(ref d.Id, e.Id);
        Volatile.Write(ref d.Other, e.Other);
        Volatile.Write(ref d.At, e.At);
        Volatile.Write(ref d.X, e.X);
        Volatile.Write(ref d.Y, e.Y);
        Volatile.Write(ref d.T1, e.T1);
        Volatile.Write(ref d.T2, e.T2);
        Volatile.Write(ref d.Value, e.Value);
        Volatile.Write(ref d.Points, e.Points);
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
