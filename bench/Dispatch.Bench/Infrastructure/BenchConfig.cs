using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Validators;

namespace Dispatch.Bench.Infrastructure;

/// <summary>
/// The one config of every suite: allocations measured (every hot path must show 0 B), Workstation
/// non-concurrent GC on every job (also jobs given on the command line, e.g. --job short), and a
/// non-optimized build is an error, not a warning. The default job keeps a suite within minutes on
/// a 2-core machine; pass --job short for a quicker look or --job default for BenchmarkDotNet's own.
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        AddValidator(JitOptimizationsValidator.FailOnError);
        AddJob(Job.Default
            .WithGcServer(false).WithGcConcurrent(false)
            .AsMutator());
        AddJob(new Job("Bench")
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithLaunchCount(1)
            .AsDefault());
        WithOptions(ConfigOptions.JoinSummary);
        // Reports land beside the bench, not in whatever folder the command ran from.
        ArtifactsPath = Path.Combine(BenchPaths.RepoRoot, "bench", "BenchmarkDotNet.Artifacts");
    }
}
