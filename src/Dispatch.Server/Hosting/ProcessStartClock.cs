using System.Diagnostics;

namespace Dispatch.Server.Hosting;

/// <summary>
/// When this process started and when it reached Main, so that the host can log, once it serves, how its start split:
/// the runtime's part (process start to Main: loading the runtime and the precompiled code) and the host's (Main to the
/// open port: configuration, logging, recovery, listening). A restart after a crash is the sum; the soak bench reads the
/// line to split each restart it times.
/// </summary>
internal static class ProcessStartClock
{
    private static long MainTimestamp;

    /// <summary>Milliseconds from the process's start (the kernel's record, 10 ms resolution on Linux) to Main; NaN if unknown.</summary>
    public static double ToMainMilliseconds { get; private set; } = double.NaN;

    /// <summary>Called first thing in Main.</summary>
    public static void MainEntered()
    {
        MainTimestamp = Stopwatch.GetTimestamp();
        try
        {
            using var self = Process.GetCurrentProcess();
            ToMainMilliseconds = Math.Max(0, (DateTime.Now - self.StartTime).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            // Not every platform says when a process started: the split is then Main to the port only.
        }
    }

    /// <summary>Milliseconds since Main; NaN when <see cref="MainEntered"/> was not called (the server hosted in another process).</summary>
    public static double SinceMainMilliseconds => MainTimestamp == 0 ? double.NaN : Stopwatch.GetElapsedTime(MainTimestamp).TotalMilliseconds;
}
