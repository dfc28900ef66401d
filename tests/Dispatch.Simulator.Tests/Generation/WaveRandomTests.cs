using Dispatch.Simulator.Generation;

namespace Dispatch.Simulator.Tests.Generation;

public class WaveRandomTests
{
    [Fact]
    public void SplitMix64_matches_the_reference_sequence()
    {
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, WaveRandom.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, WaveRandom.SplitMix64(ref state));
    }

    [Fact]
    public void Xoshiro256StarStar_matches_the_reference_implementation()
    {
        // Reference C code of Blackman and Vigna, state filled by SplitMix64 from 42.
        var rng = new WaveRandom(42);
        Assert.Equal(0x15780B2E0C2EC716UL, rng.NextUInt64());
        Assert.Equal(0x6104D9866D113A7EUL, rng.NextUInt64());
        Assert.Equal(0xAE17533239E499A1UL, rng.NextUInt64());
    }

    [Fact]
    public void Draws_stay_in_range_and_have_the_right_moments()
    {
        var rng = new WaveRandom(7, stream: 3);
        const int n = 200_000;
        double sum = 0, sumSq = 0, gammaSum = 0;
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            Assert.InRange(u, 0.0, 0.9999999999999999);
            int k = rng.NextInt(10);
            Assert.InRange(k, 0, 9);
            double g = rng.NextGaussian();
            sum += g;
            sumSq += g * g;
            gammaSum += rng.NextGamma3(6);
        }
        Assert.InRange(sum / n, -0.01, 0.01);
        Assert.InRange(sumSq / n, 0.98, 1.02);
        Assert.InRange(gammaSum / n, 17.8, 18.2);
    }

    [Fact]
    public void Streams_of_one_seed_differ()
    {
        Assert.NotEqual(new WaveRandom(1, 1).NextUInt64(), new WaveRandom(1, 2).NextUInt64());
        Assert.NotEqual(new WaveRandom(1).NextUInt64(), new WaveRandom(2).NextUInt64());
    }
}
