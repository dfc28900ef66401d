using Dispatch.Model;

namespace Dispatch.State;

/// <summary>
/// Orders as struct-of-arrays, indexed by a dense slot the engine assigns at placement. Fields are
/// public arrays on purpose: the tick reads them in tight loops. Grown by doubling, never in the tick.
/// A finished order's slot is freed (<see cref="Free"/>) as soon as no route names it: what queries still read of it
/// moves to <see cref="FinishedOrders"/> for its retention, and the next placement reuses the slot, so the store holds
/// open work, not the retention window (with infinite retention nothing moves and every order stays here).
/// </summary>
internal sealed class OrderStore
{
    /// <summary>Slots ever used (the high-water mark): live slots and free ones lie below it.</summary>
    public int Count;
    public long[] Id;
    /// <summary>Placement sequence number: ties between orders are broken by it, never by slot, so a reused
    /// slot decides exactly as a fresh one would.</summary>
    public long[] Seq;
    public int[] Site;
    public double[] DropX, DropY, PlacedAt, ReadyAt;
    public int[] Size;
    public OrderStatus[] Status;
    public int[] Courier;
    public double[] PlannedPickup, PlannedDrop, PickedAt, DroppedAt;
    /// <summary>Time windows as placed (see <see cref="OrderRequest"/>): +inf / 0 / +inf when none.</summary>
    public double[] PickupBy, DeliverAfter, DeliverBy;
    /// <summary>Service minutes of the order: as placed, or the options' defaults.</summary>
    public double[] PickupService, DropoffService;
    /// <summary>Times the order was re-made after a failed or wrong delivery (see DispatchEngine.Exceptions.cs).</summary>
    public int[] Remakes;

    // Sized with the store, so freeing (in the tick) never grows it.
    private int[] _free;
    private int _freeCount;
    private long _nextSeq;

    public OrderStore(int capacity)
    {
        Id = new long[capacity];
        Seq = new long[capacity];
        _free = new int[capacity];
        Site = new int[capacity];
        DropX = new double[capacity]; DropY = new double[capacity];
        PlacedAt = new double[capacity]; ReadyAt = new double[capacity];
        Size = new int[capacity];
        Status = new OrderStatus[capacity];
        Courier = new int[capacity];
        PlannedPickup = new double[capacity]; PlannedDrop = new double[capacity];
        PickedAt = new double[capacity]; DroppedAt = new double[capacity];
        PickupBy = new double[capacity]; DeliverAfter = new double[capacity]; DeliverBy = new double[capacity];
        PickupService = new double[capacity]; DropoffService = new double[capacity];
        Remakes = new int[capacity];
    }

    public int Capacity => Id.Length;

    /// <summary>Adds an order; its service minutes default to <paramref name="pickupService"/> and <paramref name="dropoffService"/>.</summary>
    public int Add(in OrderRequest r, int site, double pickupService, double dropoffService)
    {
        int i;
        if (_freeCount > 0) i = _free[--_freeCount];
        else
        {
            if (Count == Id.Length) Grow(StoreGrowth.Next(Id.Length));
            i = Count++;
        }
        Id[i] = r.OrderId; Seq[i] = _nextSeq++; Site[i] = site;
        DropX[i] = r.DropX; DropY[i] = r.DropY;
        PlacedAt[i] = r.PlacedAt; ReadyAt[i] = r.ReadyAt;
        Size[i] = r.Size;
        Status[i] = OrderStatus.Open;
        Courier[i] = -1;
        PlannedPickup[i] = double.NaN; PlannedDrop[i] = double.NaN;
        PickedAt[i] = double.NaN; DroppedAt[i] = double.NaN;
        PickupBy[i] = r.PickupBy; DeliverAfter[i] = r.DeliverAfter; DeliverBy[i] = r.DeliverBy;
        PickupService[i] = r.PickupServiceMinutes ?? pickupService;
        DropoffService[i] = r.DropoffServiceMinutes ?? dropoffService;
        Remakes[i] = 0;
        return i;
    }

    /// <summary>Slots free for reuse, in the order they will be taken (last first).</summary>
    public ReadOnlySpan<int> FreeSlots => _free.AsSpan(0, _freeCount);

    /// <summary>Slots holding an order (used minus free).</summary>
    public int Live => Count - _freeCount;

    /// <summary>Sequence number the next placement gets.</summary>
    public long NextSeq { get => _nextSeq; set => _nextSeq = value; }

    /// <summary>Frees a finished order's slot for the next placement. The caller has dropped every reference to it.</summary>
    public void Free(int o)
    {
        Status[o] = OrderStatus.Unknown;
        Id[o] = -1;
        _free[_freeCount++] = o;
    }

    private void Grow(int n)
    {
        Array.Resize(ref Id, n); Array.Resize(ref Seq, n); Array.Resize(ref _free, n); Array.Resize(ref Site, n);
        Array.Resize(ref DropX, n); Array.Resize(ref DropY, n);
        Array.Resize(ref PlacedAt, n); Array.Resize(ref ReadyAt, n);
        Array.Resize(ref Size, n); Array.Resize(ref Status, n); Array.Resize(ref Courier, n);
        Array.Resize(ref PlannedPickup, n); Array.Resize(ref PlannedDrop, n);
        Array.Resize(ref PickedAt, n); Array.Resize(ref DroppedAt, n);
        Array.Resize(ref PickupBy, n); Array.Resize(ref DeliverAfter, n); Array.Resize(ref DeliverBy, n);
        Array.Resize(ref PickupService, n); Array.Resize(ref DropoffService, n);
        Array.Resize(ref Remakes, n);
    }
}
