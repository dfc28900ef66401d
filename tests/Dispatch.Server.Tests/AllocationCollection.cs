namespace Dispatch.Server.Tests;

/// <summary>
/// Tests that read <see cref="GC.GetAllocatedBytesForCurrentThread"/> run alone: a collection started
/// by another thread retires this thread's allocation buffer, and its unused rest can then be counted
/// as if this thread had allocated it (the engine thread's test once saw 152 bytes over 1,081 batches while the other
/// server tests ran beside it under a loaded CI run, and 0 alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "allocation measurements (not in parallel)";
}
