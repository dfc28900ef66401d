namespace Dispatch.Planning;

/// <summary>Orders open orders most urgent first: earliest ready time, then placement order (sequence number,
/// not slot: slots are reused).</summary>
internal static class UrgencyOrder
{
    /// <summary>Sorts <paramref name="orders"/> in place by (ready time, placement sequence). Insertion sort: the
    /// span is nearly sorted from one tick to the next, and it allocates nothing.</summary>
    public static void Sort(Span<int> orders, double[] readyAt, long[] seq)
    {
        for (int i = 1; i < orders.Length; i++)
        {
            int o = orders[i];
            double r = readyAt[o];
            long q = seq[o];
            int p = i;
            while (p > 0 && (readyAt[orders[p - 1]] > r || (readyAt[orders[p - 1]] == r && seq[orders[p - 1]] > q))) { orders[p] = orders[p - 1]; p--; }
            orders[p] = o;
        }
    }
}
