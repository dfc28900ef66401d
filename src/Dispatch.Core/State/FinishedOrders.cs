using Dispatch.Model;

namespace Dispatch.State;

/// <summary>
/// The finished (delivered or cancelled) orders still retained, as struct-of-arrays holding only what queries and
/// event refusals read of them: a busy hour retains more finished orders than open ones, and a snapshot copies every
/// column of every hot slot, so keeping them in the <see cref="OrderStore"/> (some 166 bytes a slot) made the
/// snapshot pause follow history rather than open work.
/// </summary>
/// <remarks>
/// An entry is taken when an order finishes (an event, so growth happens at the edge, never in the tick) and holds
/// its id and its hot slot in <see cref="Hot"/>. While a route stop still names that slot (a drop-off confirmed
/// before an earlier stop) the order stays in the hot store, which the routes read; the first tick after it left
/// every route copies its fields here (<see cref="Take"/>), the caller frees the hot slot and points the order index
/// at the entry. The entry lives until the order's retention ends; entries are stable, so the retention queue names
/// them, not hot slots. Sized by doubling with a free list: the tick never allocates.
/// </remarks>
internal sealed class FinishedOrders
{
    /// <summary>Entries ever used (the high-water mark): live entries and free ones lie below it.</summary>
    public int Count;
    public long[] Id;
    /// <summary>Delivered or Cancelled; Unknown for a free entry.</summary>
    public OrderStatus[] Status;
    /// <summary>The courier's id, not its slot: the courier may leave the engine before the order does.</summary>
    public long[] CourierId;
    public double[] PlannedPickup, PlannedDrop, PickedAt, DroppedAt;
    /// <summary>Read by a refused ready-time change, which compares with the placement before the status.</summary>
    public double[] PlacedAt;
    /// <summary>The hot slot still holding the order, or -1 once its fields are here.</summary>
    public int[] Hot;
    /// <summary>What a wrong delivery needs to bring the order back to the hot store and re-make it: its site slot
    /// (-1 when not kept: a snapshot before format 5), drop-off, size and how often it was re-made already.</summary>
    public int[] Site;
    public double[] DropX, DropY;
    public int[] Size, Remakes;

    // Sized with the entries, so neither the free list nor the waiting list grows in the tick.
    private int[] _free;
    private int _freeCount;
    private int[] _waiting;
    private int _waitingCount;

    public FinishedOrders(int capacity)
    {
        capacity = Math.Max(1, capacity);
        Id = new long[capacity];
        Status = new OrderStatus[capacity];
        CourierId = new long[capacity];
        PlannedPickup = new double[capacity]; PlannedDrop = new double[capacity];
        PickedAt = new double[capacity]; DroppedAt = new double[capacity];
        PlacedAt = new double[capacity];
        Hot = new int[capacity];
        Site = new int[capacity];
        DropX = new double[capacity]; DropY = new double[capacity];
        Size = new int[capacity]; Remakes = new int[capacity];
        _free = new int[capacity];
        _waiting = new int[capacity];
    }

    public int Capacity => Id.Length;

    /// <summary>Entries whose order still sits in the hot store, in the order they finished.</summary>
    public ReadOnlySpan<int> Waiting => _waiting.AsSpan(0, _waitingCount);

    /// <summary>Entries free for reuse, in the order they will be taken (last first).</summary>
    public ReadOnlySpan<int> FreeEntries => _free.AsSpan(0, _freeCount);

    /// <summary>Makes room for <paramref name="capacity"/> entries (outside the tick; snapshots).</summary>
    public void EnsureCapacity(int capacity)
    {
        if (Id.Length < capacity) Grow(Math.Max(capacity, StoreGrowth.Next(Id.Length)));
    }

    /// <summary>An order in hot slot <paramref name="hot"/> finished: its entry, waiting for the move. Outside the tick.</summary>
    public int Add(long id, int hot)
    {
        int h;
        if (_freeCount > 0) h = _free[--_freeCount];
        else
        {
            if (Count == Id.Length) Grow(StoreGrowth.Next(Id.Length));
            h = Count++;
        }
        Id[h] = id;
        Status[h] = OrderStatus.Unknown; // filled by Take; until then the hot slot answers
        Hot[h] = hot;
        _waiting[_waitingCount++] = h;
        return h;
    }

    /// <summary>Copies the order's fields out of hot slot <see cref="Hot"/>[<paramref name="h"/>] (whose courier is
    /// <paramref name="courierId"/>); the caller frees the slot. Does not touch the waiting list (see <see cref="KeepWaiting"/>).</summary>
    public void Take(int h, OrderStore os, long courierId)
    {
        int o = Hot[h];
        Status[h] = os.Status[o];
        CourierId[h] = courierId;
        PlannedPickup[h] = os.PlannedPickup[o]; PlannedDrop[h] = os.PlannedDrop[o];
        PickedAt[h] = os.PickedAt[o]; DroppedAt[h] = os.DroppedAt[o];
        PlacedAt[h] = os.PlacedAt[o];
        Site[h] = os.Site[o];
        DropX[h] = os.DropX[o]; DropY[h] = os.DropY[o];
        Size[h] = os.Size[o]; Remakes[h] = os.Remakes[o];
        Hot[h] = -1;
    }

    /// <summary>Rewrites the waiting list to its first <paramref name="n"/> entries, which the caller has compacted
    /// in place through <see cref="WaitingAt"/>.</summary>
    public void KeepWaiting(int n) => _waitingCount = n;

    /// <summary>Entry <paramref name="i"/> of the waiting list, writable so the tick compacts it in place.</summary>
    public ref int WaitingAt(int i) => ref _waiting[i];

    /// <summary>Forgets an entry whose retention ended (its order already moved here).</summary>
    public void Free(int h)
    {
        Status[h] = OrderStatus.Unknown;
        Id[h] = -1;
        Hot[h] = -1;
        _free[_freeCount++] = h;
    }

    /// <summary>
    /// The order of entry <paramref name="h"/> went back to the hot store (a wrong delivery re-makes it): the entry
    /// stays taken, with no id, so the retention queue that names it frees it in its turn (freeing it now would let
    /// another order take it and be forgotten at this one's time). A waiting entry leaves the waiting list at the next
    /// move (<see cref="Hot"/> is -1).
    /// </summary>
    public void Abandon(int h)
    {
        Status[h] = OrderStatus.Unknown;
        Id[h] = -1;
        Hot[h] = -1;
    }

    /// <summary>Snapshot load: the free and waiting lists as written.</summary>
    public void Restore(ReadOnlySpan<int> free, ReadOnlySpan<int> waiting)
    {
        free.CopyTo(_free);
        _freeCount = free.Length;
        waiting.CopyTo(_waiting);
        _waitingCount = waiting.Length;
    }

    private void Grow(int n)
    {
        Array.Resize(ref Id, n); Array.Resize(ref Status, n); Array.Resize(ref CourierId, n);
        Array.Resize(ref PlannedPickup, n); Array.Resize(ref PlannedDrop, n);
        Array.Resize(ref PickedAt, n); Array.Resize(ref DroppedAt, n); Array.Resize(ref PlacedAt, n);
        Array.Resize(ref Hot, n); Array.Resize(ref _free, n); Array.Resize(ref _waiting, n);
        Array.Resize(ref Site, n); Array.Resize(ref DropX, n); Array.Resize(ref DropY, n);
        Array.Resize(ref Size, n); Array.Resize(ref Remakes, n);
    }
}
