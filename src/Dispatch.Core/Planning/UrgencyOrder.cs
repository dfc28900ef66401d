namespace Dispatch.Planning;

/// <summary>Orders open orders most urgent first: re-made orders (a failed or wrong delivery: their customer has waited a
/// whole trip already) before the rest, then earliest ready time, then placement order (sequence number, not slot: slots
/// are reused).</summary>
internal static class UrgencyOrder
{
    /// <summary>Sorts <paramref name="orders"/> in place by (not re-made, ready time, placement sequence). Insertion sort:
    /// the span is nearly sorted from one tick to the next, and it allocates nothing.</summary>
    public static void Sort(Span<int> orders, double[] readyAt, long[] seq, int[] remakes)
    {
        for (int i = 1; i < orders.Length; i++)
        {
            int o = orders[i];
            int p = i;
            while (p > 0 && Before(o, orders[p - 1], readyAt, seq, remakes)) { orders[p] = orders[p - 1]; p--; }
            orders[p] = o;
        }
    }

    private static bool Before(int a, int b, double[] readyAt, long[] seq, int[] remakes)
    {
        bool ra = remakes[a] > 0, rb = remakes[b] > 0;
        if (ra != rb) return ra;
        if (readyAt[a] != readyAt[b]) return readyAt[a] < readyAt[b];
        return seq[a] < seq[b];
    }
}
