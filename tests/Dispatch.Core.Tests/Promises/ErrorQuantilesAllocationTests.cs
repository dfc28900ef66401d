using Dispatch.Core.Tests.Support;
using Dispatch.Promises;

namespace Dispatch.Core.Tests.Promises;

/// <summary>The calibration allocates nothing once its rings exist; alone, as every test reading the thread's allocation
/// counter (<see cref="AllocationCollection"/>: beside other tests it read 24 and 6,600 B it never allocated), and over a
/// pass no collection ran during (<see cref="QuietAllocations"/>: alone, in CI, it once read 4,904 B).</summary>
[Collection(AllocationCollection.Name)]
public class ErrorQuantilesAllocationTests
{
    [Fact]
    public void Learning_and_quoting_allocate_nothing()
    {
        var q = new ErrorQuantiles(buckets: 4);
        // Both calls run before the measured loop, so their first compilation is not in it.
        for (int i = 0; i < 300; i++) { q.Add(i % 4, i % 17); q.Margin(i % 4, 0.9); }
        double sum = 0;
        Assert.Equal(0, QuietAllocations.Of(() =>
        {
            for (int i = 0; i < 1000; i++) { q.Add(i % 4, i % 13); sum += q.Margin(i % 4, 0.9); }
        }));
        Assert.True(sum > 0);
    }

    [Fact]
    public void Commit_learning_settling_and_the_mixture_margin_allocate_nothing()
    {
        var q = new ErrorQuantiles(buckets: 4);
        var whole = new double[ErrorQuantiles.Window];
        var provisional = new double[ErrorQuantiles.Window];
        var drift = new double[ErrorQuantiles.Window];
        double Round(int i)
        {
            q.Add(i % 4, i % 17, owner: i);
            q.Settle(i % 4, owner: i - 40, whole: i % 23);
            q.Copy(i % 4, whole, provisional, out int w, out int v);
            for (int k = 0; k < 32; k++) drift[k] = (k * 7 + i) % 11 - 5;
            return w + v == 0 ? 0 : ErrorQuantiles.MixtureQuantile(whole.AsSpan(0, w), provisional.AsSpan(0, v), drift.AsSpan(0, 32), 0.9);
        }
        for (int i = 0; i < 300; i++) Round(i);
        double sum = 0;
        int from = 300;
        Assert.Equal(0, QuietAllocations.Of(() =>
        {
            for (int i = from; i < from + 1000; i++) sum += Round(i);
            from += 1000;
        }));
        Assert.True(sum > 0);
    }
}
