using System.Diagnostics;

namespace Dispatch.Server.Hosting;

/// <summary>
/// When this process reached Main, so that the host can log, once it serves, how its start split: the runtime's part
/// (process start to Main: loading the runtime and the precompiled code) and the host's (Main to the open port:
/// configuration, logging, recovery, listening). A restart after a crash is the sum; the soak bench reads the line to
/// split each restart it times. Main only takes two clock readings: the process's own start time is read when the
/// split is asked for, after the port is open, not on the way to it.
/// </summary>
internal static class ProcessStartClock
{
    private static long MainTimestamp;
    private static DateTime MainUtc;

    /// <summary>Called first thing in Main.</summary>
    public static void MainEntered()
    {
        MainTimestamp = Stopwatch.GetTimestamp();
        MainUtc = DateTime.UtcNow;
    }

    /// <summary>
    /// Milliseconds from the process's start (the kernel's record, 10 ms resolution on Linux) to Main; NaN when unknown
    /// (<see cref="MainEntered"/> not called, or a platform that does not say when a process started).
    /// </summary>
    public static double ToMainMilliseconds
    {
        get
        {
            if (MainTimestamp == 0) return double.NaN;
            try
            {
                using var self = Process.GetCurrentProcess();
                return Math.Max(0, (MainUtc - self.StartTime.ToUniversalTime()).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
            {
                return double.NaN;
            }
        }
    }

    /// <summary>Milliseconds since Main; NaN when <see cref="MainEntered"/> was not called (the server hosted in another process).</summary>
    public static double SinceMainMilliseconds => MainTimestamp == 0 ? double.NaN : Stopwatch.GetElapsedTime(MainTimestamp).TotalMilliseconds;
}
