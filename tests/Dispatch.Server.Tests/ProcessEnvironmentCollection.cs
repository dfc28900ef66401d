namespace Dispatch.Server.Tests;

/// <summary>
/// Tests that set a process environment variable (the server reads <c>Dispatch__*</c> from the environment) run alone.
/// Every server another test starts meanwhile, in process or as a child process (which inherits the environment when it
/// is spawned), would read the value too: a CI run once saw a crash test's restarted server pick up
/// <c>Dispatch__TravelWeight=0.3</c> from <see cref="ConfigFileTests"/>, refuse the snapshots its first run had taken
/// under 0.2, and stop, because its journal was compacted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "process environment (not in parallel)";
}
