using System.Diagnostics;

namespace Dispatch.Routing.Search;

/// <summary>
/// How far through its budget a search is, as a fraction: the larger of elapsed / time limit and
/// iterations / iteration limit. With only an iteration limit the answer, and so the search, is
/// deterministic.
/// </summary>
internal readonly struct SearchBudget
{
    private readonly long _startTimestamp;
    private readonly double _limitTicks;      // +inf: no time limit
    private readonly double _maxIterations;   // +inf: no iteration limit

    public SearchBudget(TimeSpan? timeLimit, long? maxIterations, long startTimestamp)
    {
        _startTimestamp = startTimestamp;
        _limitTicks = timeLimit is { } t ? t.TotalSeconds * Stopwatch.Frequency : double.PositiveInfinity;
        _maxIterations = maxIterations is { } m ? Math.Max(1, m) : double.PositiveInfinity;
    }

    public long StartTimestamp => _startTimestamp;

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the time limit is spent; <see cref="long.MaxValue"/>
    /// without one (so a search under an iteration limit only is never cut short by the clock and stays
    /// deterministic).</summary>
    public long Deadline => double.IsPositiveInfinity(_limitTicks) ? long.MaxValue : _startTimestamp + (long)_limitTicks;

    public double Progress(long iterations)
    {
        double byIterations = iterations / _maxIterations;
        if (double.IsPositiveInfinity(_limitTicks)) return byIterations;
        double byTime = (Stopwatch.GetTimestamp() - _startTimestamp) / _limitTicks;
        return byTime > byIterations ? byTime : byIterations;
    }
}
