using Dispatch.State;

namespace Dispatch.Planning;

/// <summary>
/// The couriers a matching may use this tick (the columns of the MDRP and Reyes policies): on shift, able to start
/// before their shift ends, free (at the point and time their committed work ends) within a horizon, with room in
/// their route for an order. Each column keeps its courier, free point and time, and route room, so the one rule of
/// what a courier can take (<see cref="HasRoomFor"/>) is decided here for both policies. Buffers grow with the courier
/// store only; collecting allocates nothing.
/// </summary>
internal sealed class CandidateCouriers
{
    private int[] _courier = [], _room = [];
    private double[] _x = [], _y = [], _avail = [];

    /// <summary>Columns collected by the last <see cref="Collect"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Courier slot of each column.</summary>
    public int[] Courier => _courier;

    /// <summary>Free point and time of each column (the spans the courier grid is built from).</summary>
    public double[] X => _x;
    public double[] Y => _y;
    public double[] Avail => _avail;

    public void EnsureCapacity(int couriers)
    {
        if (_courier.Length >= couriers) return;
        _courier = new int[couriers]; _room = new int[couriers];
        _x = new double[couriers]; _y = new double[couriers]; _avail = new double[couriers];
    }

    /// <summary>
    /// Collects the couriers free by <paramref name="horizon"/> (engine time) with room for an order; returns how many
    /// couriers able to work (room or not) are free by <paramref name="countBy"/> (the Reyes policy's supply count).
    /// </summary>
    public int Collect(CourierStore cs, double now, double horizon, double countBy)
    {
        int n = 0, freeBy = 0;
        for (int c = 0; c < cs.Count; c++)
        {
            if (cs.State[c] == CourierState.Ended || cs.ShiftEnd[c] <= now) continue;
            double avail = Math.Max(now, Math.Max(cs.FreeAt[c], cs.ShiftStart[c]));
            if (avail > cs.ShiftEnd[c]) continue;
            if (avail <= countBy) freeBy++;
            int room = cs.Room(c);
            if (avail > horizon || room < 2) continue;
            _courier[n] = c; _room[n] = room; _x[n] = cs.X[c]; _y[n] = cs.Y[c]; _avail[n] = avail;
            n++;
        }
        Count = n;
        return freeBy;
    }

    /// <summary>Whether column <paramref name="col"/>'s route has room for a bundle of <paramref name="orders"/> (a pickup and a
    /// drop-off each): a courier whose unconfirmed stops fill its route cannot take more.</summary>
    public bool HasRoomFor(int col, int orders) => 2 * orders <= _room[col];
}
