namespace Dispatch.Routing;

/// <summary>How long and how the <see cref="RouteOptimizer"/> searches.</summary>
public sealed record OptimizerOptions
{
    /// <summary>Seed of the search's random choices: the same seed and iteration limit give the same solution.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Wall-clock limit (null: none). For users; tests use <see cref="MaxIterations"/>.</summary>
    public TimeSpan? TimeLimit { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Iteration limit (null: none). With no time limit the search is deterministic.</summary>
    public long? MaxIterations { get; init; }
    /// <summary>
    /// Fewest vehicles first, then least cost (the Li &amp; Lim benchmark's hierarchical objective):
    /// the search spends part of its budget emptying routes and never goes back above the fewest
    /// vehicles it managed. False: vehicles count only through their <see cref="RoutingVehicle.FixedCost"/>.
    /// </summary>
    public bool MinimizeVehiclesFirst { get; init; } = true;
    /// <summary>
    /// Independent searches run at once, sharing their best solution (1: single-threaded, and
    /// deterministic with an iteration limit). Default: one per core, at most 2.
    /// </summary>
    public int Threads { get; init; } = Math.Min(2, Environment.ProcessorCount);
}
