namespace Dispatch.Promises;

/// <summary>
/// The calibration of promises: for each situation bucket, a ring of the most recent errors (realised drop-off minus
/// the point estimate made at placement), plus one ring over every bucket. A promise is the point estimate plus the
/// <c>p</c>-quantile of its bucket's recent errors, so it is met with probability about <c>p</c> in that situation,
/// and the margin follows the engine's own recent record instead of a fixed pad: it shrinks where estimates are good
/// and grows where they are not. A ring (not a running average) forgets old behaviour at a known pace and gives an
/// exact empirical quantile; it is fixed-size, so learning never allocates. Deterministic: no clock, no randomness.
/// An entry may be provisional (an order's error as far as it is known yet, with the order it belongs to), settled to
/// the whole error later (<see cref="Settle"/>): see <see cref="OrderPromises"/> for how the engine uses that.
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

    /// <summary>Per entry, beside <see cref="Errors"/>: -1 when the entry is a whole error, else the placement sequence
    /// of the order whose provisional error it is (its commit error, settled to the whole error at its delivery).</summary>
    public readonly long[] Owner;

    /// <summary>Per ring: errors held (at most <see cref="Window"/>) and the next slot to write.</summary>
    public readonly int[] Counts, Next;

    private readonly double[] _scratch = new double[Window];

    public ErrorQuantiles(int buckets)
    {
        Buckets = buckets;
        Errors = new double[(buckets + 1) * Window];
        Owner = new long[(buckets + 1) * Window];
        Owner.AsSpan().Fill(-1);
        Counts = new int[buckets + 1];
        Next = new int[buckets + 1];
    }

    /// <summary>Situation buckets (the pooled ring is index <see cref="Buckets"/>).</summary>
    public int Buckets { get; }

    /// <summary>Learns one realised error of <paramref name="bucket"/>: into its ring and the pooled one (with no buckets,
    /// <paramref name="bucket"/> 0 is the pooled ring itself).</summary>
    public void Add(int bucket, double error) => Add(bucket, error, owner: -1);

    /// <summary>Learns a provisional error of <paramref name="bucket"/> for the order of placement sequence
    /// <paramref name="owner"/> (&gt;= 0), to be settled by <see cref="Settle"/> while the ring still holds it.</summary>
    public void Add(int bucket, double error, long owner)
    {
        if (!double.IsFinite(error)) return;
        if (bucket != Buckets) Push(bucket, error, owner); // with no buckets, the pooled ring is the only one
        Push(Buckets, error, owner);
    }

    /// <summary>The order of placement sequence <paramref name="owner"/> was delivered with error
    /// <paramref name="whole"/>: its provisional entries (in its bucket's ring and the pooled one), if not yet pushed
    /// out, become that whole error. A scan of two rings; allocates nothing.</summary>
    public void Settle(int bucket, long owner, double whole)
    {
        if (owner < 0 || !double.IsFinite(whole)) return;
        SettleIn(bucket, owner, whole);
        SettleIn(Buckets, owner, whole);
    }

    private void SettleIn(int ring, long owner, double whole)
    {
        int b = ring * Window, n = Counts[ring];
        for (int i = 0; i < n; i++)
            if (Owner[b + i] == owner) { Errors[b + i] = whole; Owner[b + i] = -1; return; }
    }

    private void Push(int ring, double error, long owner)
    {
        Errors[ring * Window + Next[ring]] = error;
        Owner[ring * Window + Next[ring]] = owner;
        Next[ring] = (Next[ring] + 1) % Window;
        if (Counts[ring] < Window) Counts[ring]++;
    }

    /// <summary>Copies these rings into <paramref name="wider"/>, whose buckets split each of these in as many parts
    /// (numbered part first: bucket <c>k * Buckets + b</c> is part k of bucket b): every part of a bucket gets its whole
    /// ring, entries, owners and write position alike, and the pooled ring goes to the pooled ring. What a snapshot from
    /// before a split holds answers for each part until the part's own errors push it out. A provisional entry is settled
    /// in the part its order is in (the one it keeps the number of, part 0); its copies in the other parts stay
    /// provisional, completed by the drifts like any other, until pushed out.</summary>
    public void SpreadInto(ErrorQuantiles wider)
    {
        if (Buckets == 0 || wider.Buckets % Buckets != 0)
            throw new ArgumentException($"{wider.Buckets} buckets do not split {Buckets}", nameof(wider));
        for (int to = 0; to <= wider.Buckets; to++)
        {
            int from = to == wider.Buckets ? Buckets : to % Buckets;
            Errors.AsSpan(from * Window, Window).CopyTo(wider.Errors.AsSpan(to * Window));
            Owner.AsSpan(from * Window, Window).CopyTo(wider.Owner.AsSpan(to * Window));
            wider.Counts[to] = Counts[from];
            wider.Next[to] = Next[from];
        }
    }

    /// <summary>The margin to add to a point estimate of <paramref name="bucket"/> so it is met with probability
    /// <paramref name="p"/>: the bucket's empirical quantile once it holds <see cref="MinSamples"/> errors, else the
    /// pooled ring's from <see cref="MinPooledSamples"/>, else 0. Allocates nothing.</summary>
    public double Margin(int bucket, double p)
    {
        int n = Copy(bucket, _scratch, _scratch, out _, out _);
        return n == 0 ? 0 : Quantile(_scratch.AsSpan(0, n), p);
    }

    /// <summary>Copies the entries that answer for <paramref name="bucket"/> (its own ring once it holds
    /// <see cref="MinSamples"/>, else the pooled ring from <see cref="MinPooledSamples"/>): whole errors to the front
    /// of <paramref name="whole"/>, provisional ones to the front of <paramref name="provisional"/> (both at least
    /// <see cref="Window"/> long; when they are one array, every entry lands in it in ring order). Returns how many
    /// entries in all; 0 when neither ring has enough.</summary>
    public int Copy(int bucket, Span<double> whole, Span<double> provisional, out int wholeCount, out int provisionalCount)
    {
        wholeCount = provisionalCount = 0;
        int ring = Counts[bucket] >= MinSamples ? bucket : Buckets;
        int n = Counts[ring];
        if (n < MinPooledSamples) return 0;
        bool one = whole.Overlaps(provisional);
        for (int i = 0, b = ring * Window; i < n; i++)
        {
            if (one || Owner[b + i] < 0) whole[wholeCount++] = Errors[b + i];
            else provisional[provisionalCount++] = Errors[b + i];
        }
        return n;
    }

    /// <summary>
    /// The <paramref name="p"/>-quantile, by the nearest-rank rule, of a mixture: each of the <paramref name="whole"/>
    /// errors as it is, and each <paramref name="provisional"/> error plus a drift drawn from
    /// <paramref name="drift"/> (taken as independent of it), every entry weighing the same. That is the distribution
    /// of the whole error of a recent order when some orders' errors are known only up to their drift. All three
    /// are sorted in place; <paramref name="drift"/> must not be empty. Allocates nothing.
    /// </summary>
    public static double MixtureQuantile(Span<double> whole, Span<double> provisional, Span<double> drift, double p)
        => MixtureQuantile(whole, provisional, drift, NoSlip, NoSlipCount, p);

    /// <summary>No kitchen slip: one slip of 0 (the mixture as it is, to the bit).</summary>
    internal static ReadOnlySpan<double> NoSlip => [0.0];
    internal static ReadOnlySpan<int> NoSlipCount => [1];

    /// <summary>
    /// As <see cref="MixtureQuantile(Span{double}, Span{double}, Span{double}, double)"/>, every entry of that mixture
    /// then plus a kitchen slip drawn from <paramref name="slip"/> (distinct values, ascending, each weighing its
    /// <paramref name="slipCount"/>; taken as independent of the rest). Exact without listing the sums: bisection on
    /// the value, each step counting the mixture's mass at or below it by merge-like walks (one per distinct slip),
    /// until the bracket holds a single double; the answer is then the smallest value of the mixture above the
    /// bracket's low end. A single slip of 0 gives the mixture without slips, to the bit. Allocates nothing.
    /// </summary>
    public static double MixtureQuantile(Span<double> whole, Span<double> provisional, Span<double> drift, ReadOnlySpan<double> slip, ReadOnlySpan<int> slipCount, double p)
    {
        whole.Sort();
        provisional.Sort();
        drift.Sort();
        long nd = drift.Length, ns = 0;
        foreach (int c in slipCount) ns += c;
        long total = nd * (whole.Length + provisional.Length) * ns;
        long rank = Math.Clamp((long)Math.Ceiling(p * total), 1, total);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        if (whole.Length > 0) { lo = whole[0] + slip[0]; hi = whole[^1] + slip[^1]; }
        if (provisional.Length > 0) { lo = Math.Min(lo, provisional[0] + drift[0] + slip[0]); hi = Math.Max(hi, provisional[^1] + drift[^1] + slip[^1]); }
        // Invariant: the mass at or below lo is under rank, at or below hi at least rank.
        if (MassAtMost(whole, provisional, drift, slip, slipCount, lo) >= rank) return lo;
        // Bisection to a bracket a millionth of a minute wide (some 30 steps over a 100-minute spread), then value by
        // value upwards from lo (usually one step): exact, since the answer is a value of the mixture.
        while (hi - lo > 1e-6)
        {
            double mid = lo + (hi - lo) * 0.5;
            if (mid <= lo || mid >= hi) break; // no double between them: as narrow as it gets
            if (MassAtMost(whole, provisional, drift, slip, slipCount, mid) >= rank) hi = mid; else lo = mid;
        }
        while (true)
        {
            double next = NextAbove(whole, provisional, drift, slip, lo);
            if (MassAtMost(whole, provisional, drift, slip, slipCount, next) >= rank) return next;
            lo = next;
        }
    }

    /// <summary>The smallest value of the mixture above <paramref name="lo"/> (one exists below the bracket's high
    /// end while the bracket's invariant holds). A value is always summed as (whole, or provisional + drift) + slip,
    /// the same way <see cref="MassAtMost"/> compares it.</summary>
    private static double NextAbove(ReadOnlySpan<double> whole, ReadOnlySpan<double> provisional, ReadOnlySpan<double> drift, ReadOnlySpan<double> slip, double lo)
    {
        double best = double.PositiveInfinity;
        foreach (double s in slip)
        {
            foreach (double w in whole) if (w + s > lo) { best = Math.Min(best, w + s); break; }
            int j = drift.Length - 1;
            for (int i = 0; i < provisional.Length; i++)
            {
                while (j > 0 && provisional[i] + drift[j - 1] + s > lo) j--;
                double v = provisional[i] + drift[j] + s;
                if (v > lo && v < best) best = v;
            }
        }
        return best;
    }

    /// <summary>Mass of the mixture at or below <paramref name="t"/>, in units of one provisional sum with one slip (a
    /// whole error weighs as many as there are drifts; each slip value as many as its count). Inputs sorted
    /// ascending.</summary>
    private static long MassAtMost(ReadOnlySpan<double> whole, ReadOnlySpan<double> provisional, ReadOnlySpan<double> drift, ReadOnlySpan<double> slip, ReadOnlySpan<int> slipCount, double t)
    {
        long mass = 0;
        for (int k = 0; k < slip.Length; k++)
        {
            double s = slip[k];
            long wholeAtMost = 0;
            while (wholeAtMost < whole.Length && whole[(int)wholeAtMost] + s <= t) wholeAtMost++;
            long m = wholeAtMost * drift.Length;
            int j = drift.Length;
            for (int i = 0; i < provisional.Length; i++)
            {
                while (j > 0 && provisional[i] + drift[j - 1] + s > t) j--;
                m += j;
            }
            mass += m * slipCount[k];
        }
        return mass;
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
