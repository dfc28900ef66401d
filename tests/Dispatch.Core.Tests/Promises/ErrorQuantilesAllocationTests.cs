using Dispatch.Core.Tests.Support;
using Dispatch.Promises;

namespace Dispatch.Core.Tests.Promises;

/// <summary>The calibration allocates nothing once its rings exist; alone, as every test reading the thread's allocation
/// counter (<see cref="AllocationCollection"/>: beside other tests it read 24 and 6,600 B it never allocated).</summary>
[Collection(AllocationCollection.Name)]
public class ErrorQuantilesAllocationTests
{
    [Fact]
    public void Learning_and_quoting_allocate_nothing()
    {
        var q = new ErrorQuantiles(buckets: 4);
        // Both calls run before the measured loop, so their first compilation is not in it.
        for (int i = 0; i < 300; i++) { q.Add(i % 4, i % 17); q.Margin(i % 4, 0.9); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (int i = 0; i < 1000; i++) { q.Add(i % 4, i % 13); sum += q.Margin(i % 4, 0.9); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }
}
