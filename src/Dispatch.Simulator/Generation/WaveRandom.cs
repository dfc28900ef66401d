using System.Numerics;

namespace Dispatch.Simulator.Generation;

/// <summary>
/// The generator's own pseudo-random source: xoshiro256** (Blackman and Vigna, 2018) seeded
/// through SplitMix64. Written out here rather than taken from <see cref="System.Random"/>, whose
/// algorithm is an implementation detail that has changed between .NET versions: a generated
/// instance must stay the same for a seed forever.
/// </summary>
/// <remarks>
/// Integer and uniform draws are exact integer arithmetic. Gaussian and gamma draws call
/// <see cref="Math.Log"/> and <see cref="Math.Sqrt"/> (the latter is exact IEEE); the generator
/// rounds what it derives from them to whole metres and minutes, so a last-bit difference in a
/// platform's logarithm cannot realistically change an instance.
/// </remarks>
internal sealed class WaveRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>A stream for <paramref name="seed"/>; different <paramref name="stream"/> values give independent streams.</summary>
    public WaveRandom(long seed, ulong stream = 0)
    {
        ulong x = unchecked((ulong)seed ^ (stream * 0xD1B54A32D192ED03UL));
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>One SplitMix64 step (Steele, Lea and Flood 2014): advances <paramref name="state"/> and returns a mixed value.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = BitOperations.RotateLeft(_s3, 45);
            return result;
        }
    }

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in the open interval (0, 1): safe to take the logarithm of.</summary>
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="n"/>), n &gt; 0 (multiply-shift; bias below 2^-32).</summary>
    public int NextInt(int n) => (int)Math.BigMul(NextUInt64(), (ulong)n, out _);

    /// <summary>Standard normal draw (Marsaglia polar method; the second value of each pair is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }
        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);
        double f = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareGaussian = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Gamma(shape 3, <paramref name="scale"/>): the sum of three exponentials, mean 3 x scale.</summary>
    public double NextGamma3(double scale) =>
        -scale * Math.Log(NextOpenDouble() * NextOpenDouble() * NextOpenDouble());
}
