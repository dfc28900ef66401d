using Dispatch.Model;

namespace Dispatch.State;

/// <summary>
/// Orders as struct-of-arrays, indexed by a dense int the engine assigns at placement. Fields are
/// public arrays on purpose: the tick reads them in tight loops. Grown by doubling, never in the tick.
/// </summary>
internal sealed class OrderStore
{
    public int Count;
    public long[] Id;
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

    public OrderStore(int capacity)
    {
        Id = new long[capacity];
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
    }

    public int Capacity => Id.Length;

    /// <summary>Adds an order; its service minutes default to <paramref name="pickupService"/> and <paramref name="dropoffService"/>.</summary>
    public int Add(in OrderRequest r, int site, double pickupService, double dropoffService)
    {
        if (Count == Id.Length) Grow(Id.Length * 2);
        int i = Count++;
        Id[i] = r.OrderId; Site[i] = site;
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
        return i;
    }

    private void Grow(int n)
    {
        Array.Resize(ref Id, n); Array.Resize(ref Site, n);
        Array.Resize(ref DropX, n); Array.Resize(ref DropY, n);
        Array.Resize(ref PlacedAt, n); Array.Resize(ref ReadyAt, n);
        Array.Resize(ref Size, n); Array.Resize(ref Status, n); Array.Resize(ref Courier, n);
        Array.Resize(ref PlannedPickup, n); Array.Resize(ref PlannedDrop, n);
        Array.Resize(ref PickedAt, n); Array.Resize(ref DroppedAt, n);
        Array.Resize(ref PickupBy, n); Array.Resize(ref DeliverAfter, n); Array.Resize(ref DeliverBy, n);
        Array.Resize(ref PickupService, n); Array.Resize(ref DropoffService, n);
    }
}
