namespace Dispatch.Server.Hosting;

/// <summary>
/// The server process runs socket completions on the runtime's socket event thread instead of handing each one to the
/// thread pool (the runtime's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>). Every received batch of every
/// connection otherwise took a thread-pool work item, a pool thread's wake-up and its spinning before the read loop
/// ran; at 16 connections of position updates that hand-off was the largest scheduling cost left on the server's path
/// (context switches per command halved without it, in the measurements of bench/results/server-load.md). What runs
/// there is safe for it: a connection's read loop decodes, checks and posts to the engine's bounded inbox, and waits
/// for room, for a throttle or for the socket only asynchronously; a write loop's socket sends never block. Only the
/// process's own start (Program) calls <see cref="Prefer"/>: the runtime reads the setting once, before the first
/// socket, so a host inside another process (tests, a cluster silo) keeps that process's choice.
/// </summary>
public static class InlineSocketCompletions
{
    /// <summary>The runtime's switch (read once per process, at its first asynchronous socket operation).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process unless the environment already says (<c>0</c> turns them off).</summary>
    public static void Prefer()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null) Environment.SetEnvironmentVariable(Variable, "1");
    }
}
