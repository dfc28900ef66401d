using Dispatch.Model;

namespace Dispatch.Promises;

/// <summary>
/// What the engine promised each order and what it needs to learn from the order's delivery, as columns beside the
/// order store (same slots, grown with it), plus each site's recent pickup lateness and the calibration. Recorded at
/// placement: the point estimate and its situation bucket (so the drop-off can be scored against what was predicted,
/// not against the padded promise), the promise made then, and the promise now (moved later by a re-quote).
/// <para>
/// An order's error (drop-off minus its point estimate) is learnt in two parts, each when it becomes known: the commit
/// error (the planned drop-off when the plan first commits the order to a courier, minus the point estimate), minutes
/// after placement, and the drift (the realised drop-off minus that planned one), at delivery. Learning the whole error
/// only at delivery told the margins about a shortage some 20-40 minutes after it began (the order's wait, pickup and
/// ride), which is when promises break in a load onset; the commit error carries most of that news (how long the order
/// waited for a courier) as soon as the plan knows it. The calibration ring takes each order at its commit, with its
/// commit error as a provisional error, settled to its whole error at delivery if the ring still holds it; the margin
/// is the quantile of the ring's errors where each still-provisional one is completed by the recent drifts (taken as
/// independent of it: <see cref="ErrorQuantiles.MixtureQuantile(Span{double}, Span{double}, Span{double}, ReadOnlySpan{double}, ReadOnlySpan{int}, double)"/>), so it stays a quantile of the whole error, with
/// the delivered orders' errors as they were (commit error and drift together, however they are related).
/// </para>
/// <para>
/// A kitchen's slip (the ready time in force when the promised one comes due, minus the promised one) is learnt apart,
/// in one city-wide ring, at the moment the promised ready time comes due, for every order alike, slipped or not; the
/// errors in the situation rings are net of it (the slip known when each part is learnt is taken off), and the margin
/// adds a slip drawn from that ring (taken as independent). Kitchens running late are an outside cause, told early and
/// order by order: learnt in the errors, they reached the margins at the orders' commits and stayed in the rings for a
/// window of deliveries after the kitchens had caught up (a late-running peak padded every promise for hours after it);
/// learnt apart, the slip ring hears of each late kitchen as its food comes due and of every kitchen on time as soon,
/// so the margin follows the kitchens both ways within a window of orders coming due. Without slips (a world whose
/// kitchens keep the ready times they gave) the ring holds zeros and the margins are the same to the bit.
/// </para>
/// </summary>
internal sealed class OrderPromises
{
    /// <summary>Weight of the newest pickup in a site's lateness average: the last ten or so pickups count.</summary>
    private const double LatenessWeight = 0.1;

    /// <summary>Point estimate of the drop-off made at placement (NaN: none, e.g. no courier on shift then).</summary>
    public double[] Point;

    /// <summary>The promise standing now (later than the one made at placement after a re-quote; that one is the
    /// state's <see cref="Dispatch.State.EngineState.PromisedDrop"/>, which the planner reads).</summary>
    public double[] Current;

    /// <summary>Calibration bucket of the placement estimate (<see cref="PromiseSituation"/>).</summary>
    public byte[] Bucket;

    /// <summary>The reason of the last change that moved the order's plan: what a re-quote names.</summary>
    public PlanChangeReason[] Reason;

    /// <summary>Per site slot: recent minutes pickups ran past their planned time (exponential average).</summary>
    public double[] SiteLateness;

    /// <summary>Re-quotes made since the engine was built (a promise broken by the plan, reported once per break).</summary>
    public long Requotes;

    /// <summary>Errors of the orders committed lately, in commit order: the whole error (drop-off minus point
    /// estimate) of those delivered, the commit error (planned drop-off at commit minus point estimate) of the others
    /// (a snapshot older than format 7 holds whole errors only: its margins are what they were).</summary>
    public readonly ErrorQuantiles Calibration = new(PromiseSituation.Count);

    /// <summary>Drifts: the realised drop-off minus the planned drop-off at commit.</summary>
    public readonly ErrorQuantiles Drift = new(PromiseSituation.Count);

    /// <summary>The planned drop-off when the plan first committed the order, less the kitchen's slip known then (NaN:
    /// not committed yet).</summary>
    public double[] CommitDrop;

    /// <summary>The ready time the order's promise was made for (NaN: an order from a snapshot older than format 8,
    /// whose slip is never learnt and counts as none).</summary>
    public double[] ReadyPromised;

    /// <summary>The kitchen's slip, learnt when the promised ready time came due: the ready time then in force minus
    /// the promised one (NaN: not due yet).</summary>
    public double[] Slip;

    /// <summary>The slips of the orders come due lately, in the order they came due (one ring, every site). Its owner
    /// column holds each slip's learn time, in thousandths of a minute (no entry of it is ever settled).</summary>
    public readonly ErrorQuantiles Slips = new(buckets: 0);

    /// <summary>Scratch of the tick's slip learning: the orders come due (slots, placement sequences), learnt in
    /// placement order.</summary>
    public int[] Due;
    public long[] DueSeq;

    /// <summary>Scratch of the tick's commit learning: the newly committed orders' slots and placement sequences, learnt
    /// in placement order (never slot order), so the rings' contents do not depend on storage.</summary>
    public int[] Committed;
    public long[] CommittedSeq;

    // Margins per bucket, computed on first use after the rings last changed (derived state: never in a snapshot).
    private readonly double[] _margin = new double[PromiseSituation.Count];
    private readonly bool[] _marginKnown = new bool[PromiseSituation.Count];
    private double _marginP = double.NaN, _marginNow = double.NaN;
    private int _slips = -1; // distinct recent slips in _slipValue / _slipCount (-1: not found yet)
    /// <summary>The slips that count for a margin: those learnt in the last half hour, the kitchens as they run now (about
    /// one preparation's time), whatever the city's order rate.</summary>
    private const double SlipHorizonMinutes = 30;
    private readonly double[] _wholeScratch = new double[ErrorQuantiles.Window];
    private readonly double[] _provisionalScratch = new double[ErrorQuantiles.Window];
    private readonly double[] _driftScratch = new double[ErrorQuantiles.Window];
    private readonly double[] _slipScratch = new double[ErrorQuantiles.Window];
    private readonly double[] _slipValue = new double[ErrorQuantiles.Window];
    private readonly int[] _slipCount = new int[ErrorQuantiles.Window];
    private static readonly double[] NoDrift = [0.0];

    public readonly DropoffEstimator Estimator = new();

    /// <summary>The last half hour's placements, for the demand still to come in a promise's situation.</summary>
    public readonly RecentPlacements Recent = new();

    /// <summary>Scratch of the tick's promise check: the broken orders' slots and placement sequences, so they are
    /// reported in placement order (never slot order: a reused slot must decide and report as a fresh one).</summary>
    public int[] Broken;
    public long[] BrokenSeq;

    public OrderPromises(int orders, int sites)
    {
        Point = new double[orders]; Current = new double[orders];
        Bucket = new byte[orders]; Reason = new PlanChangeReason[orders];
        SiteLateness = new double[sites];
        Broken = new int[orders];
        BrokenSeq = new long[orders];
        CommitDrop = new double[orders];
        ReadyPromised = new double[orders]; Slip = new double[orders];
        Due = new int[orders]; DueSeq = new long[orders];
        Committed = new int[orders];
        CommittedSeq = new long[orders];
    }

    /// <summary>Grows the columns to the stores' capacities (outside the tick).</summary>
    public void EnsureCapacity(int orders, int sites)
    {
        if (Point.Length < orders)
        {
            Array.Resize(ref Point, orders); Array.Resize(ref Current, orders);
            Array.Resize(ref Bucket, orders); Array.Resize(ref Reason, orders);
            Array.Resize(ref CommitDrop, orders);
            Array.Resize(ref ReadyPromised, orders); Array.Resize(ref Slip, orders);
            Due = new int[orders]; DueSeq = new long[orders];
            Broken = new int[orders]; BrokenSeq = new long[orders];
            Committed = new int[orders]; CommittedSeq = new long[orders];
        }
        if (SiteLateness.Length < sites) Array.Resize(ref SiteLateness, sites);
    }

    /// <summary>Records a placement's estimate and promise in slot <paramref name="o"/>, made for food ready at
    /// <paramref name="readyAt"/>.</summary>
    public void Record(int o, double point, int bucket, double promise, double readyAt)
    {
        ReadyPromised[o] = readyAt;
        Slip[o] = double.NaN;
        Point[o] = point;
        Bucket[o] = (byte)bucket;
        Current[o] = promise;
        Reason[o] = PlanChangeReason.None;
        CommitDrop[o] = double.NaN;
    }

    /// <summary>The kitchen's slip of order <paramref name="o"/> as known now, its ready time being
    /// <paramref name="readyAt"/>: the learnt one once due, else the change so far (none without a promised ready
    /// time).</summary>
    public double SlipNow(int o, double readyAt)
    {
        double s = double.IsNaN(Slip[o]) ? readyAt - ReadyPromised[o] : Slip[o];
        return double.IsFinite(s) ? s : 0;
    }

    /// <summary>Order <paramref name="o"/>'s promised ready time came due with the kitchen's ready time at
    /// <paramref name="readyAt"/>: its slip is learnt (call in placement order).</summary>
    public void LearnSlip(int o, double readyAt, double now)
    {
        double s = readyAt - ReadyPromised[o];
        Slip[o] = s;
        Slips.Add(0, s, owner: (long)Math.Round(now * 1000));
        RingsChanged();
    }

    /// <summary>The plan committed order <paramref name="o"/> (placement sequence <paramref name="seq"/>) for the
    /// first time, to drop it off at <paramref name="plannedDrop"/>, the kitchen's slip known then being
    /// <paramref name="slip"/>: its commit error net of the slip enters its bucket's ring, provisional until its
    /// delivery.</summary>
    public void LearnCommit(int o, long seq, double plannedDrop, double slip)
    {
        CommitDrop[o] = plannedDrop - slip;
        if (!double.IsFinite(Point[o]) || !double.IsFinite(plannedDrop)) return;
        Calibration.Add(Bucket[o], CommitDrop[o] - Point[o], seq);
        RingsChanged();
    }

    /// <summary>
    /// The margin for a point estimate of <paramref name="bucket"/>, met with probability <paramref name="p"/>: the
    /// <paramref name="p"/>-quantile of the errors that answer for the bucket, each provisional one completed by the
    /// recent drifts; with too few drifts yet (<see cref="ErrorQuantiles.MinPooledSamples"/>), of the errors as they are
    /// (no evidence of drift is taken as none); with too few errors, 0. Each entry of that mixture is then completed by
    /// a kitchen's slip drawn from those learnt in the last <see cref="SlipHorizonMinutes"/> before
    /// <paramref name="now"/> (with fewer than <see cref="ErrorQuantiles.MinPooledSamples"/> of them, or all 0, none).
    /// Kept per bucket until a ring changes or the time moves. Allocates nothing.
    /// </summary>
    public double Margin(int bucket, double p, double now)
    {
        if (p != _marginP || now != _marginNow) { RingsChanged(); _marginP = p; _marginNow = now; }
        if (_marginKnown[bucket]) return _margin[bucket];
        int nd = Drift.Copy(bucket, _driftScratch, _driftScratch, out _, out _);
        // The recent slips are the same for every bucket: found once until the rings change or the time moves.
        if (_slips < 0) _slips = DistinctSlips(now);
        int slips = _slips;
        double m;
        if (nd == 0 && slips == 0) m = Calibration.Margin(bucket, p);
        else
        {
            int n = Calibration.Copy(bucket, _wholeScratch, _provisionalScratch, out int whole, out int provisional);
            Span<double> drift = nd == 0 ? NoDrift : _driftScratch.AsSpan(0, nd);
            m = n == 0 ? 0 : ErrorQuantiles.MixtureQuantile(_wholeScratch.AsSpan(0, whole), _provisionalScratch.AsSpan(0, provisional), drift,
                slips == 0 ? ErrorQuantiles.NoSlip : _slipValue.AsSpan(0, slips), slips == 0 ? ErrorQuantiles.NoSlipCount : _slipCount.AsSpan(0, slips), p);
        }
        _margin[bucket] = m;
        _marginKnown[bucket] = true;
        return m;
    }

    /// <summary>The recent slips as distinct values (ascending) with their counts, into the scratch; 0 when there are
    /// too few (<see cref="ErrorQuantiles.MinPooledSamples"/>) or all are 0 (no evidence of kitchens slipping is taken as
    /// none, and the margin is then the one without slips, to the bit).</summary>
    private int DistinctSlips(double now)
    {
        long from = (long)Math.Round((now - SlipHorizonMinutes) * 1000);
        int n = 0;
        for (int i = 0; i < Slips.Counts[0]; i++)
            if (Slips.Owner[i] >= from) _slipScratch[n++] = Slips.Errors[i];
        if (n < ErrorQuantiles.MinPooledSamples) return 0;
        var s = _slipScratch.AsSpan(0, n);
        s.Sort();
        if (s[0] == 0 && s[^1] == 0) return 0;
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            if (k > 0 && _slipValue[k - 1] == s[i]) { _slipCount[k - 1]++; continue; }
            _slipValue[k] = s[i];
            _slipCount[k++] = 1;
        }
        return k;
    }

    /// <summary>The rings changed (an error learnt or settled, a snapshot read, a history forgotten): margins are computed afresh.</summary>
    public void RingsChanged()
    {
        Array.Clear(_marginKnown);
        _slips = -1;
    }

    /// <summary>A pickup at <paramref name="site"/> came <paramref name="late"/> minutes after its planned time.</summary>
    public void LearnPickup(int site, double late)
    {
        if (!double.IsFinite(late)) return;
        late = Math.Clamp(late, 0, 60); // one lost courier says little about the kitchen
        SiteLateness[site] += LatenessWeight * (late - SiteLateness[site]);
    }

    /// <summary>Order <paramref name="o"/> (placement sequence <paramref name="seq"/>) was handed over at
    /// <paramref name="at"/>, its kitchen's slip being <paramref name="slip"/>: its drift from the plan it was committed
    /// with teaches its bucket, and its provisional error becomes its whole error (both net of the slip).</summary>
    public void LearnDropoff(int o, long seq, double at, double slip)
    {
        at -= slip;
        // An order never seen committed (placed before a snapshot of format 7 and delivered before the next tick's
        // check) has no commit to measure its drift from: it teaches nothing.
        if (!double.IsFinite(Point[o]) || !double.IsFinite(CommitDrop[o])) return;
        Drift.Add(Bucket[o], at - CommitDrop[o]);
        Calibration.Settle(Bucket[o], seq, at - Point[o]);
        RingsChanged();
    }
}
