namespace Dispatch.Promises;

/// <summary>
/// The calibration of promises: for each situation bucket, a ring of the most recent errors (realised drop-off minus
/// the point estimate made at placement), plus one ring over every bucket. A promise is the point estimate plus the
/// <c>p</c>-quantile of its bucket's recent errors, so it is met with probability about <c>p</c> in that situation,
/// and the margin follows the engine's own recent record instead of a fixed pad: it shrinks where estimates are good
/// and grows where they are not. A ring (not a running average) forgets old behaviour at a known pace and gives an
/// exact empirical quantile; it is fixed-size, so learning never allocates. Deterministic: no clock, no randomness.
/// </summary>
internal sealed class ErrorQuantiles
{
    /// <summary>Errors kept per bucket: enough for a stable 90 % quantile (about ten errors above it), few enough to
    /// follow a day's changes within an hour of deliveries.</summary>
    public const int Window = 128;

    /// <summary>A bucket answers on its own from this many errors on; before that the pooled ring answers.</summary>
    public const int MinSamples = 24;

    /// <summary>The pooled ring answers from this many errors on; before that there is no margin (the promise is the
    /// point estimate): an engine that has delivered nothing has no evidence of its own errors, and a fixed pad would
    /// be a guess tuned to some city.</summary>
    public const int MinPooledSamples = 8;

    /// <summary>Errors, bucket after bucket (<see cref="Window"/> each), the pooled ring last.</summary>
    public readonly double[] Errors;

    /// <summary>Per ring: errors held (at most <see cref="Window"/>) and the next slot to write.</summary>
    public readonly int[] Counts, Next;

    private readonly double[] _scratch = new double[Window];

    public ErrorQuantiles(int buckets)
    {
        Buckets = buckets;
        Errors = new double[(buckets + 1) * Window];
        Counts = new int[buckets + 1];
        Next = new int[buckets + 1];
    }

    /// <summary>Situation buckets (the pooled ring is index <see cref="Buckets"/>).</summary>
    public int Buckets { get; }

    /// <summary>Learns one realised error of <paramref name="bucket"/>: into its ring and the pooled one.</summary>
    public void Add(int bucket, double error)
    {
        if (!double.IsFinite(error)) return;
        Push(bucket, error);
        Push(Buckets, error);
    }

    private void Push(int ring, double error)
    {
        Errors[ring * Window + Next[ring]] = error;
        Next[ring] = (Next[ring] + 1) % Window;
        if (Counts[ring] < Window) Counts[ring]++;
    }

    /// <summary>The margin to add to a point estimate of <paramref name="bucket"/> so it is met with probability
    /// <paramref name="p"/>: the bucket's empirical quantile once it holds <see cref="MinSamples"/> errors, else the
    /// pooled ring's from <see cref="MinPooledSamples"/>, else 0. Allocates nothing.</summary>
    public double Margin(int bucket, double p)
    {
        int ring = Counts[bucket] >= MinSamples ? bucket : Buckets;
        int n = Counts[ring];
        if (n < MinPooledSamples) return 0;
        var errors = _scratch.AsSpan(0, n);
        Errors.AsSpan(ring * Window, n).CopyTo(errors);
        return Quantile(errors, p);
    }

    /// <summary>The <paramref name="p"/>-quantile of <paramref name="values"/> (sorted in place) by the nearest-rank
    /// rule: the smallest value with at least a share <paramref name="p"/> of the values at or below it.</summary>
    public static double Quantile(Span<double> values, double p)
    {
        values.Sort();
        int k = (int)Math.Ceiling(p * values.Length) - 1;
        return values[Math.Clamp(k, 0, values.Length - 1)];
    }
}
