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
    }

    public int Capacity => Id.Length;

    public int Add(in OrderRequest r, int site)
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
    }
}
