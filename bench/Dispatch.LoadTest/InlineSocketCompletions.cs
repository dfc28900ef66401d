namespace Dispatch.LoadTest;

/// <summary>
/// The load generator's socket completions run on the runtime's socket event thread, not through the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>): a reply is parsed and the next requests sent by the thread
/// that saw the socket become readable. The thread-pool hand-off it saves cost a pool thread's wake-up and spinning
/// per reply, most of the generator's CPU per request on a 2-core box shared with the server (bench/results/server-load.md,
/// 2026-12-01). What runs there never blocks: a connection's loop encodes, sends (non-blocking) and parses. The latency
/// measured is the same: the send timestamp to the moment the Ack is parsed. The server child does not inherit the
/// setting (<see cref="ServerProcess"/> removes it): the server makes its own choice.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Call before the process's first socket (the runtime reads the switch once); an explicit setting wins.</summary>
    public static void Prefer()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null) Environment.SetEnvironmentVariable(Variable, "1");
    }
}
