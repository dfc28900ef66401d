using Dispatch.Model;

namespace Dispatch.Promises;

/// <summary>
/// What the engine promised each order and what it needs to learn from the order's delivery, as columns beside the
/// order store (same slots, grown with it), plus each site's recent pickup lateness and the calibration. Recorded at
/// placement: the point estimate and its situation bucket (so the drop-off can be scored against what was predicted,
/// not against the padded promise), the promise made then, and the promise now (moved later by a re-quote).
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

    public readonly ErrorQuantiles Calibration = new(PromiseSituation.Count);

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
    }

    /// <summary>Grows the columns to the stores' capacities (outside the tick).</summary>
    public void EnsureCapacity(int orders, int sites)
    {
        if (Point.Length < orders)
        {
            Array.Resize(ref Point, orders); Array.Resize(ref Current, orders);
            Array.Resize(ref Bucket, orders); Array.Resize(ref Reason, orders);
            Broken = new int[orders]; BrokenSeq = new long[orders];
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
    }

    /// <summary>A pickup at <paramref name="site"/> came <paramref name="late"/> minutes after its planned time.</summary>
    public void LearnPickup(int site, double late)
    {
        if (!double.IsFinite(late)) return;
        late = Math.Clamp(late, 0, 60); // one lost courier says little about the kitchen
        SiteLateness[site] += LatenessWeight * (late - SiteLateness[site]);
    }

    /// <summary>Order <paramref name="o"/> was handed over at <paramref name="at"/>: its error teaches its bucket.</summary>
    public void LearnDropoff(int o, double at)
    {
        if (double.IsFinite(Point[o])) Calibration.Add(Bucket[o], at - Point[o]);
    }
}
