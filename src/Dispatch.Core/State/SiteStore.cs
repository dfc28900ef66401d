namespace Dispatch.State;

/// <summary>Pickup sites (restaurants) as struct-of-arrays.</summary>
internal sealed class SiteStore
{
    public int Count;
    public long[] Id;
    public double[] X, Y;

    public SiteStore(int capacity)
    {
        Id = new long[capacity];
        X = new double[capacity];
        Y = new double[capacity];
    }

    public int Add(long id, double x, double y)
    {
        if (Count == Id.Length)
        {
            int n = StoreGrowth.Next(Id.Length);
            Array.Resize(ref Id, n); Array.Resize(ref X, n); Array.Resize(ref Y, n);
        }
        int i = Count++;
        Id[i] = id; X[i] = x; Y[i] = y;
        return i;
    }
}
