namespace Dispatch.Simulator.Replay;

/// <summary>What a replay produced: the solution files' content and how fast the engine decided.</summary>
public sealed class ReplayResult
{
    public required MdrpSolution Solution { get; init; }

    /// <summary>Wall time of each engine tick, in milliseconds.</summary>
    public required double[] TickMilliseconds { get; init; }

    /// <summary>Total wall time spent inside the engine (events and ticks), in milliseconds.</summary>
    public required double EngineMilliseconds { get; init; }

    /// <summary>Wall time of the whole replay, in milliseconds.</summary>
    public required double WallMilliseconds { get; init; }

    /// <summary>Simulated minute at which the replay ended.</summary>
    public required double EndMinute { get; init; }

    /// <summary>How the engine's promises (recorded at placement) fared against the replay's drop-offs.</summary>
    public World.PromiseFigures Promises { get; init; }

    /// <summary>Percentile (nearest rank) of tick time in ms.</summary>
    public double TickPercentile(double p)
    {
        if (TickMilliseconds.Length == 0) return 0;
        var sorted = (double[])TickMilliseconds.Clone();
        Array.Sort(sorted);
        return Evaluation.EvaluationMetrics.NearestRank(sorted, p);
    }

    public double TickMax => TickMilliseconds.Length == 0 ? 0 : TickMilliseconds.Max();
}
