namespace Dispatch.Core.Tests.Support;

/// <summary>
/// Tests that read <see cref="GC.GetAllocatedBytesForCurrentThread"/> run in this collection, alone.
/// The counter is exact for the thread's own allocations, but a garbage collection started by another
/// thread retires this thread's allocation buffer, and its unused rest can then be counted: with the
/// other test classes allocating in parallel, a measured tick now and then read a few kilobytes it
/// never allocated (2,032 and 4,056 B, in CI and under load, never alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "allocation measurements (not in parallel)";
}
