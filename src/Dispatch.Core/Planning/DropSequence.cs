namespace Dispatch.Planning;

/// <summary>A one-site bundle's orders in drop-off order, as the MDRP planners build them by insertion.</summary>
internal static class DropSequence
{
    /// <summary>Writes <paramref name="seq"/> with <paramref name="order"/> inserted at <paramref name="pos"/> (0 .. its
    /// length) into <paramref name="into"/>; returns the new length.</summary>
    public static int Insert(ReadOnlySpan<int> seq, int order, int pos, Span<int> into)
    {
        int w = 0;
        for (int i = 0; i < seq.Length; i++)
        {
            if (i == pos) into[w++] = order;
            into[w++] = seq[i];
        }
        if (pos == seq.Length) into[w++] = order;
        return w;
    }
}
