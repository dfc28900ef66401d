using Dispatch.Promises;
using FsCheck;
using FsCheck.Xunit;

namespace Dispatch.Core.Tests.Promises;

/// <summary>The calibration's quantile tracking: the margin it gives is the chosen quantile of the recent errors.</summary>
public class ErrorQuantilesTests
{
    /// <summary>Errors drawn from a known distribution (uniform on [-10, 30) minutes, by a fixed-seed generator): after
    /// a window of them, the margin is close to the distribution's p-quantile for several p, and a point estimate
    /// plus that margin is met by about a share p of fresh draws.</summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.9)]
    [InlineData(0.95)]
    public void The_margin_converges_to_the_chosen_quantile_of_a_known_distribution(double p)
    {
        var q = new ErrorQuantiles(buckets: 2);
        var rng = new Random(12);
        for (int i = 0; i < 20 * ErrorQuantiles.Window; i++) q.Add(1, -10 + 40 * rng.NextDouble());
        double margin = q.Margin(1, p);
        double exact = -10 + 40 * p;
        // A window of 128 draws: the empirical quantile's standard error is 40 sqrt(p (1-p) / 128) < 1.8 minutes.
        Assert.InRange(margin, exact - 5, exact + 5);
        int met = 0, n = 20_000;
        for (int i = 0; i < n; i++) if (-10 + 40 * rng.NextDouble() <= margin) met++;
        Assert.InRange(met / (double)n, p - 0.12, p + 0.12);
    }

    [Fact]
    public void It_follows_a_change_of_regime_within_a_window()
    {
        var q = new ErrorQuantiles(buckets: 1);
        for (int i = 0; i < ErrorQuantiles.Window; i++) q.Add(0, i % 10);          // errors 0..9
        Assert.Equal(8, q.Margin(0, 0.9));
        for (int i = 0; i < ErrorQuantiles.Window; i++) q.Add(0, 20 + i % 10);     // the kitchens got slower
        Assert.Equal(28, q.Margin(0, 0.9));
    }

    [Fact]
    public void A_thin_bucket_borrows_the_pooled_errors_and_no_evidence_gives_no_margin()
    {
        var q = new ErrorQuantiles(buckets: 3);
        Assert.Equal(0, q.Margin(0, 0.9));
        for (int i = 0; i < ErrorQuantiles.MinPooledSamples; i++) q.Add(2, 5);
        Assert.Equal(5, q.Margin(0, 0.9));                                          // bucket 0 has none: pooled
        for (int i = 0; i < ErrorQuantiles.MinSamples; i++) q.Add(0, -3);
        Assert.Equal(-3, q.Margin(0, 0.9));                                         // now its own
        // Bucket 1 has none: the pooled ring (24 errors of -3, 8 of 5) answers its 29th smallest.
        Assert.Equal(5, q.Margin(1, 0.9));
    }

    /// <summary>Nearest rank: at least a share p of the values lie at or below the quantile, fewer than that below it.</summary>
    [Property(MaxTest = 300)]
    public bool The_quantile_is_the_nearest_rank(NonEmptyArray<NormalFloat> values, byte pByte)
    {
        double p = (pByte + 1) / 257.0;
        var v = values.Get.Select(x => x.Get).ToArray();
        double q = ErrorQuantiles.Quantile(v.ToArray().AsSpan(), p);
        int atOrBelow = v.Count(x => x <= q), below = v.Count(x => x < q);
        int need = (int)Math.Ceiling(p * v.Length);
        return atOrBelow >= need && below < Math.Max(need, 1);
    }

    /// <summary>The mixture's quantile against its definition: every whole error listed as many times as there are
    /// drifts, every provisional error plus every drift, sorted, the nearest rank taken. Small integers, so ties abound.</summary>
    [Property(MaxTest = 300)]
    public bool The_mixture_quantile_is_the_nearest_rank_of_the_listed_mixture(sbyte[] whole, sbyte[] provisional, NonEmptyArray<sbyte> drift, byte pByte)
    {
        if (whole.Length + provisional.Length == 0) return true;
        double p = (pByte + 1) / 257.0;
        var w = whole.Select(x => (double)(x % 40)).ToArray();
        var v = provisional.Select(x => (double)(x % 40) / 4).ToArray();
        var d = drift.Get.Select(x => (double)(x % 30) / 2).ToArray();
        var listed = w.SelectMany(x => Enumerable.Repeat(x, d.Length)).Concat(v.SelectMany(x => d.Select(y => x + y))).ToArray();
        double expected = ErrorQuantiles.Quantile(listed.AsSpan(), p);
        return ErrorQuantiles.MixtureQuantile(w.AsSpan(), v.AsSpan(), d.AsSpan(), p) == expected;
    }

    /// <summary>With kitchen slips: every entry of the mixture above plus every slip (each distinct slip weighing its
    /// count), listed, sorted, the nearest rank taken.</summary>
    [Property(MaxTest = 300)]
    public bool The_mixture_quantile_with_slips_is_the_nearest_rank_of_the_listed_mixture(sbyte[] whole, sbyte[] provisional, NonEmptyArray<sbyte> drift, NonEmptyArray<sbyte> slips, byte pByte)
    {
        if (whole.Length + provisional.Length == 0) return true;
        double p = (pByte + 1) / 257.0;
        var w = whole.Select(x => (double)(x % 40)).ToArray();
        var v = provisional.Select(x => (double)(x % 40) / 4).ToArray();
        var d = drift.Get.Select(x => (double)(x % 30) / 2).ToArray();
        var s = slips.Get.Select(x => (double)(x % 16) / 4).ToArray();
        var distinct = s.Distinct().Order().ToArray();
        var counts = distinct.Select(x => s.Count(y => y == x)).ToArray();
        var listed = w.SelectMany(x => Enumerable.Repeat(x, d.Length)).Concat(v.SelectMany(x => d.Select(y => x + y)))
            .SelectMany(x => s.Select(y => x + y)).ToArray();
        double expected = ErrorQuantiles.Quantile(listed.AsSpan(), p);
        return ErrorQuantiles.MixtureQuantile(w.AsSpan(), v.AsSpan(), d.AsSpan(), distinct, counts, p) == expected;
    }

    [Fact]
    public void A_provisional_error_is_settled_to_the_whole_error_while_its_ring_holds_it()
    {
        var q = new ErrorQuantiles(buckets: 2);
        for (int i = 0; i < ErrorQuantiles.MinSamples; i++) q.Add(0, 10, owner: i);        // commit errors of orders 0..23
        var whole = new double[ErrorQuantiles.Window];
        var provisional = new double[ErrorQuantiles.Window];
        q.Copy(0, whole, provisional, out int w, out int v);
        Assert.Equal((0, ErrorQuantiles.MinSamples), (w, v));
        q.Settle(0, owner: 5, whole: 3);
        q.Copy(0, whole, provisional, out w, out v);
        Assert.Equal((1, ErrorQuantiles.MinSamples - 1), (w, v));
        Assert.Equal(3, whole[0]);
        // The pooled ring settled it too.
        q.Copy(1, whole, provisional, out w, out _);
        Assert.Equal(1, w);
        // Pushed out by a window of newer entries: nothing left to settle.
        for (int i = 0; i < ErrorQuantiles.Window; i++) q.Add(0, 1);
        q.Settle(0, owner: 7, whole: 99);
        Assert.Equal(1, q.Margin(0, 0.9));
    }
}
