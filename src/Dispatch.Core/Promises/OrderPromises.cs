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
/// independent of it: <see cref="ErrorQuantiles.MixtureQuantile"/>), so it stays a quantile of the whole error, with
/// the delivered orders' errors as they were (commit error and drift together, however they are related).
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

    /// <summary>The planned drop-off when the plan first committed the order (NaN: not committed yet, or no point
    /// estimate to score it against).</summary>
    public double[] CommitDrop;

    /// <summary>Scratch of the tick's commit learning: the newly committed orders' slots and placement sequences, learnt
    /// in placement order (never slot order), so the rings' contents do not depend on storage.</summary>
    public int[] Committed;
    public long[] CommittedSeq;

    // Margins per bucket, computed on first use after the rings last changed (derived state: never in a snapshot).
    private readonly double[] _margin = new double[PromiseSituation.Count];
    private readonly bool[] _marginKnown = new bool[PromiseSituation.Count];
    private double _marginP = double.NaN;
    private readonly double[] _wholeScratch = new double[ErrorQuantiles.Window];
    private readonly double[] _provisionalScratch = new double[ErrorQuantiles.Window];
    private readonly double[] _driftScratch = new double[ErrorQuantiles.Window];

    public readonly DropoffEstimator Estimator = new();

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
            Broken = new int[orders]; BrokenSeq = new long[orders];
            Committed = new int[orders]; CommittedSeq = new long[orders];
        }
        if (SiteLateness.Length < sites) Array.Resize(ref SiteLateness, sites);
    }

    /// <summary>Records a placement's estimate and promise in slot <paramref name="o"/>.</summary>
    public void Record(int o, double point, int bucket, double promise)
    {
        Point[o] = point;
        Bucket[o] = (byte)bucket;
        Current[o] = promise;
        Reason[o] = PlanChangeReason.None;
        CommitDrop[o] = double.NaN;
    }

    /// <summary>The plan committed order <paramref name="o"/> (placement sequence <paramref name="seq"/>) for the
    /// first time, to drop it off at <paramref name="plannedDrop"/>: its commit error enters its bucket's ring, provisional
    /// until its delivery.</summary>
    public void LearnCommit(int o, long seq, double plannedDrop)
    {
        CommitDrop[o] = plannedDrop;
        if (!double.IsFinite(Point[o]) || !double.IsFinite(plannedDrop)) return;
        Calibration.Add(Bucket[o], plannedDrop - Point[o], seq);
        RingsChanged();
    }

    /// <summary>
    /// The margin for a point estimate of <paramref name="bucket"/>, met with probability <paramref name="p"/>: the
    /// <paramref name="p"/>-quantile of the errors that answer for the bucket, each provisional one completed by the
    /// recent drifts; with too few drifts yet (<see cref="ErrorQuantiles.MinPooledSamples"/>), of the errors as they are
    /// (no evidence of drift is taken as none); with too few errors, 0. Kept per bucket until a ring changes. Allocates
    /// nothing.
    /// </summary>
    public double Margin(int bucket, double p)
    {
        if (p != _marginP) { Array.Clear(_marginKnown); _marginP = p; }
        if (_marginKnown[bucket]) return _margin[bucket];
        int nd = Drift.Copy(bucket, _driftScratch, _driftScratch, out _, out _);
        double m;
        if (nd == 0) m = Calibration.Margin(bucket, p);
        else
        {
            int n = Calibration.Copy(bucket, _wholeScratch, _provisionalScratch, out int whole, out int provisional);
            m = n == 0 ? 0 : ErrorQuantiles.MixtureQuantile(_wholeScratch.AsSpan(0, whole), _provisionalScratch.AsSpan(0, provisional), _driftScratch.AsSpan(0, nd), p);
        }
        _margin[bucket] = m;
        _marginKnown[bucket] = true;
        return m;
    }

    /// <summary>The rings changed (an error learnt or settled, a snapshot read, a history forgotten): margins are computed afresh.</summary>
    public void RingsChanged() => Array.Clear(_marginKnown);

    /// <summary>A pickup at <paramref name="site"/> came <paramref name="late"/> minutes after its planned time.</summary>
    public void LearnPickup(int site, double late)
    {
        if (!double.IsFinite(late)) return;
        late = Math.Clamp(late, 0, 60); // one lost courier says little about the kitchen
        SiteLateness[site] += LatenessWeight * (late - SiteLateness[site]);
    }

    /// <summary>Order <paramref name="o"/> (placement sequence <paramref name="seq"/>) was handed over at
    /// <paramref name="at"/>: its drift from the plan it was committed with teaches its bucket, and its provisional
    /// error becomes its whole error.</summary>
    public void LearnDropoff(int o, long seq, double at)
    {
        // An order never seen committed (placed before a snapshot of format 7 and delivered before the next tick's
        // check) has no commit to measure its drift from: it teaches nothing.
        if (!double.IsFinite(Point[o]) || !double.IsFinite(CommitDrop[o])) return;
        Drift.Add(Bucket[o], at - CommitDrop[o]);
        Calibration.Settle(Bucket[o], seq, at - Point[o]);
        RingsChanged();
    }
}
