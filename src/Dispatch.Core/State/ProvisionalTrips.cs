namespace Dispatch.State;

/// <summary>
/// The planner's provisional matching as its last tick left it: the trips it chose for couriers but did not commit
/// (the courier is still busy, or need not leave yet), which it will most likely send at a coming tick. A promise quote
/// reads them (<c>Promises.QueueRun</c>): the orders in them are the ones the planner serves next, and their couriers
/// are busy with them until the trip's last drop-off; without this the quote serves every open order first come, first
/// served, which is not the planner's order (it matches by cost: near orders first, bundles, orders about to break
/// their promise). Written by the MDRP planner only; under another planner <see cref="Stamp"/> stays 0 and a quote
/// reads nothing here.
/// Part of a snapshot (format 9), so a restored engine quotes, and through its promises plans, exactly as the original;
/// older snapshots load with none, which the first tick makes. Between two ticks it can grow stale (a courier's move,
/// a cancel); the next tick replaces it. A courier that goes on or off shift drops its trip at once (<see cref="Drop"/>),
/// and with it the trip's orders, which queue again. Arrays sized with the stores, grown at the edge.
/// </summary>
internal sealed class ProvisionalTrips
{
    /// <summary>The last planning tick's stamp (0: no tick has planned yet). An order or courier is in the matching
    /// when its stamp equals this one, so nothing is cleared between ticks.</summary>
    public int Stamp;

    /// <summary>Per order slot: <see cref="Stamp"/> when the last tick put the order in a trip it did not commit, and
    /// that trip's courier slot.</summary>
    public int[] OrderStamp = [], OrderCourier = [];

    /// <summary>Per courier slot: <see cref="Stamp"/> when the last tick gave the courier a trip it did not commit,
    /// and that trip: its site, orders, pickup time, latest ready time, and where and when its last drop-off is.</summary>
    public int[] CourierStamp = [];
    public int[] Site = [], Count = [];
    public double[] Pickup = [], Ready = [], LastX = [], LastY = [], LastDrop = [];

    public void EnsureCapacity(int orders, int couriers)
    {
        if (OrderStamp.Length < orders)
        {
            Array.Resize(ref OrderStamp, orders);
            Array.Resize(ref OrderCourier, orders);
        }
        if (CourierStamp.Length < couriers)
        {
            Array.Resize(ref CourierStamp, couriers);
            Array.Resize(ref Site, couriers); Array.Resize(ref Count, couriers);
            Array.Resize(ref Pickup, couriers); Array.Resize(ref Ready, couriers);
            Array.Resize(ref LastX, couriers); Array.Resize(ref LastY, couriers); Array.Resize(ref LastDrop, couriers);
        }
    }

    /// <summary>A planning tick starts: the previous matching no longer holds.</summary>
    public void Begin()
    {
        if (++Stamp == int.MaxValue) Clear();
    }

    /// <summary>No matching at all (as before the first tick): the stamps cleared, <see cref="Stamp"/> 1.</summary>
    public void Clear()
    {
        Array.Clear(OrderStamp);
        Array.Clear(CourierStamp);
        Stamp = 1;
    }

    /// <summary>Courier slot <paramref name="c"/>'s trip, in the current matching, of <paramref name="orders"/> from site
    /// slot <paramref name="site"/>, picked up at <paramref name="pickup"/> (the latest food ready at
    /// <paramref name="ready"/>), its last drop-off at (<paramref name="lastX"/>, <paramref name="lastY"/>) at
    /// <paramref name="lastDrop"/>.</summary>
    public void Note(int c, ReadOnlySpan<int> orders, int site, double pickup, double ready, double lastX, double lastY, double lastDrop)
    {
        for (int i = 0; i < orders.Length; i++)
        {
            OrderStamp[orders[i]] = Stamp;
            OrderCourier[orders[i]] = c;
        }
        CourierStamp[c] = Stamp;
        Site[c] = site;
        Count[c] = orders.Length;
        Pickup[c] = pickup;
        Ready[c] = ready;
        LastX[c] = lastX; LastY[c] = lastY;
        LastDrop[c] = lastDrop;
    }

    /// <summary>Courier slot <paramref name="c"/> no longer has its trip (it went on or off shift, or an order of the trip
    /// changed its ready time or was cancelled): the trip's orders queue again.</summary>
    public void Drop(int c) => CourierStamp[c] = 0;

    /// <summary>Order slot <paramref name="o"/> is new (a reused slot may hold the stamp of the order before it).</summary>
    public void Forget(int o) => OrderStamp[o] = 0;

    /// <summary>Whether order slot <paramref name="o"/> is in a trip of the last tick's provisional matching that its
    /// courier still has.</summary>
    public bool Holds(int o) => Stamp != 0 && OrderStamp[o] == Stamp && CourierStamp[OrderCourier[o]] == Stamp;

    /// <summary>Whether courier slot <paramref name="c"/> has a provisional trip from the last tick.</summary>
    public bool HasTrip(int c) => Stamp != 0 && CourierStamp[c] == Stamp;
}
