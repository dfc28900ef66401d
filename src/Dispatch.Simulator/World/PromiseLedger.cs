using System.Globalization;

namespace Dispatch.Simulator.World;

/// <summary>How promises fared over a run: share of scored orders dropped off more than
/// <see cref="PromiseLedger.LateToleranceMinutes"/> after their promise, mean absolute error and mean slack (promise minus
/// actual drop-off: positive is padding), over delivered orders that had a finite promise; and re-quotes pushed.</summary>
public readonly record struct PromiseFigures(int Scored, double LateShare, double Mae, double SlackMean, long Requotes)
{
    /// <summary>Share on time (1 - late share).</summary>
    public double OnTimeShare => Scored == 0 ? 1 : 1 - LateShare;
}

/// <summary>
/// The one place every simulated world keeps its promises: the promise the engine recorded for an order when it was
/// placed (<see cref="DispatchEngine{TTravel}.TryGetPromise"/>, what a customer was shown) and when the world really
/// dropped it off, scored the same way for the trace replay and the scenarios.
/// </summary>
public sealed class PromiseLedger
{
    /// <summary>A drop-off up to half a minute after its promise counts as on time: the minute a customer is shown.</summary>
    public const double LateToleranceMinutes = 0.5;

    private readonly double[] _promise, _drop, _placed, _point;
    private readonly int[] _situation;

    public PromiseLedger(int orders)
    {
        _promise = new double[orders];
        _drop = new double[orders];
        _placed = new double[orders];
        _point = new double[orders];
        _situation = new int[orders];
        Array.Fill(_promise, double.NaN);
        Array.Fill(_drop, double.NaN);
        Array.Fill(_placed, double.NaN);
        Array.Fill(_point, double.NaN);
    }

    /// <summary>Order <paramref name="index"/> (engine id <paramref name="orderId"/>) was just placed at <paramref name="now"/>:
    /// keeps its promise, with the point estimate and situation it was made of (for <see cref="WriteCsv"/>).</summary>
    public void Placed<TTravel>(int index, DispatchEngine<TTravel> engine, long orderId, double now) where TTravel : struct, ITravelTime
    {
        _placed[index] = now;
        if (!engine.TryGetPromise(orderId, out var p)) return;
        _promise[index] = p.FirstPromised;
        _point[index] = p.PointEstimate;
        _situation[index] = p.Situation;
    }

    /// <summary>The world dropped order <paramref name="index"/> off at <paramref name="at"/>.</summary>
    public void Delivered(int index, double at) => _drop[index] = at;

    /// <summary>The promise kept for order <paramref name="index"/> (NaN: none).</summary>
    public double PromiseOf(int index) => _promise[index];

    /// <summary>One line per order (placement minute, point estimate, promise at placement, actual drop-off, situation; NaN
    /// where none), so the calibration can be studied offline against its alternatives (bench/promises/).</summary>
    public void WriteCsv(TextWriter w)
    {
        w.WriteLine("order,placed,point,promise,drop,situation");
        for (int i = 0; i < _promise.Length; i++)
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i},{_placed[i]:R},{_point[i]:R},{_promise[i]:R},{_drop[i]:R},{_situation[i]}"));
    }

    /// <summary>The figures over every delivered order with a finite promise.</summary>
    public PromiseFigures Figures(long requotes)
    {
        int n = 0, late = 0;
        double abs = 0, slack = 0;
        for (int i = 0; i < _promise.Length; i++)
        {
            if (double.IsNaN(_drop[i]) || !double.IsFinite(_promise[i])) continue;
            double s = _promise[i] - _drop[i];
            n++;
            slack += s;
            abs += Math.Abs(s);
            if (-s > LateToleranceMinutes) late++;
        }
        return n == 0 ? new PromiseFigures(0, 0, 0, 0, requotes) : new PromiseFigures(n, late / (double)n, abs / n, slack / n, requotes);
    }
}
