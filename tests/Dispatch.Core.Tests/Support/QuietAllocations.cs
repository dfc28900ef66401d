namespace Dispatch.Core.Tests.Support;

/// <summary>
/// Bytes a pass allocates on this thread, read from <see cref="GC.GetAllocatedBytesForCurrentThread"/> over a pass during
/// which no collection ran: a collection started by another thread retires this thread's allocation buffer, and its
/// unused rest can then be counted without this thread allocating (2-6.6 kB now and then, in CI: see
/// <see cref="AllocationCollection"/>). The tick's allocation test skips such ticks the same way.
/// </summary>
internal static class QuietAllocations
{
    /// <summary>Runs <paramref name="pass"/> until one run sees no collection (at most <paramref name="attempts"/>) and
    /// returns what that run allocated. The delegate is made by the caller before it is measured.</summary>
    public static long Of(Action pass, int attempts = 50)
    {
        for (int attempt = 0; ; attempt++)
        {
            int collections = GC.CollectionCount(0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            pass();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (GC.CollectionCount(0) == collections) return bytes;
            Assert.True(attempt < attempts, "a collection ran during every measured pass");
        }
    }
}
