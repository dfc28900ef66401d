namespace Dispatch.Routing.Search;

/// <summary>
/// The search's random source: xoshiro256** seeded by splitmix64. Our own, so a seed gives the same
/// search on every .NET version and platform (System.Random's algorithm is not a contract); a struct,
/// so drawing allocates nothing.
/// </summary>
internal struct SearchRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SearchRandom(long seed)
    {
        ulong x = (ulong)seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => (int)((NextULong() >> 33) % (ulong)n);

    /// <summary>Uniform in [lo, hi] (inclusive).</summary>
    public int Next(int lo, int hi) => lo + Next(hi - lo + 1);
}
