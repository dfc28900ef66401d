using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dispatch.Protocol;

namespace Dispatch.LoadTest.Soak;

/// <summary>
/// One timed start of the server on a data directory, from the process's start to the first answered engine request
/// (GetServerStats: recovery is done before the engine thread answers anything), split in phases so a slow start can
/// be placed: the server's own "Serving" line (process start to Main, Main to the open port, recovery inside that)
/// and the driver's marks (the listening line seen, the probe connected and greeted, the reply). The probe is a
/// connection with a tiny ring, so the driver allocates next to nothing inside the window (a driving connection's
/// 13 MB of buffers could start a full collection of the driver's heap on the core the server needs).
/// Before each start the driver collects its own heap and times a fixed piece of CPU work (<see cref="PaceMs"/>), so
/// a start that is slow because the machine's cores run slow at that moment shows as such.
/// </summary>
internal static partial class TimedStart
{
    [GeneratedRegex(@"Serving \d+ ms after the process started: (\d+|NaN) ms to Main, then (\d+) ms to the open port \(recovery (\d+) ms of it\)")]
    private static partial Regex Serving();

    /// <summary>A timed start's figures (ms; NaN where the server's line was not found).</summary>
    public readonly record struct Timing(
        double TotalMs, double ToMainMs, double HostMs, double RecoveryMs, double ListeningSeenMs, double GreetedMs, double PaceMs, double ServerCpuMs, double StealMs, double IoWaitMs)
    {
        /// <summary>"to Main + Main to port (recovery) / listening seen / greeted / reply, server CPU, pace" in whole ms, and the
        /// machine's steal and iowait across the start when there was any.</summary>
        public string Split => string.Create(CultureInfo.InvariantCulture,
            $"{F(ToMainMs)}+{F(HostMs)} (rec {F(RecoveryMs)}) / seen {F(ListeningSeenMs)} / greeted {F(GreetedMs)} / reply {F(TotalMs)}, cpu {F(ServerCpuMs)}, pace {PaceMs:F1}") +
            (StealMs > 0 || IoWaitMs > 0 ? string.Create(CultureInfo.InvariantCulture, $", steal {F(StealMs)}, iowait {F(IoWaitMs)}") : "");

        private static string F(double ms) => double.IsNaN(ms) ? "?" : ms.ToString("F0", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Starts the server on <paramref name="dataDir"/> and times it up to the first answered request. The caller owns the
    /// returned server (kill or keep it); the probe connection is closed.
    /// </summary>
    public static async Task<(ServerProcess Server, Timing Timing)> StartAsync(string dll, string dataDir, string fsync)
    {
        // Outside the window: the driver's own garbage, and the machine's pace right now.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        double pace = PaceMs();
        var (steal0, iowait0) = MachineWaits();
        long started = Stopwatch.GetTimestamp();
        var server = await ServerProcess.StartAsync(dll, dataDir, "Manual", fsync).ConfigureAwait(false);
        double greeted, total;
        using (var probe = await SoakConnection.ConnectAsync(server.Port, "start-probe", subscribe: false, SoakConnection.ProbeRing).ConfigureAwait(false))
        {
            greeted = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            probe.Add(Command.GetServerStats(0));
            await probe.SendAndWaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        double cpu = CpuMilliseconds(server.Pid);
        var (steal1, iowait1) = MachineWaits();
        // The server logs its line just after the port opens: wait for it (up to 2 s) outside the window.
        Match m = Match.Empty;
        for (int i = 0; i < 200 && !(m = Serving().Match(server.Log)).Success; i++) await Task.Delay(10).ConfigureAwait(false);
        double G(int g) => m.Success && double.TryParse(m.Groups[g].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
        double seen = server.ListeningSeenTimestamp == 0 ? double.NaN : Stopwatch.GetElapsedTime(started, server.ListeningSeenTimestamp).TotalMilliseconds;
        var timing = new Timing(total, G(1), G(2), G(3), seen, greeted, pace, cpu, steal1 - steal0, iowait1 - iowait0);
        return (server, timing);
    }

    /// <summary>A start timed as <see cref="StartAsync"/> times it, and the server killed (SIGKILL) and gone right after.</summary>
    public static async Task<Timing> TimeOnceAsync(string dll, string dataDir, string fsync)
    {
        var (server, timing) = await StartAsync(dll, dataDir, fsync).ConfigureAwait(false);
        server.Kill();
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        server.Dispose();
        return timing;
    }

    /// <summary>
    /// The CPU time one thread takes for a fixed piece of integer work (about 30 ms on this machine; compiled optimized from the first call, so the first sample is like the others), from
    /// the thread's own /proc schedstat (wall time where that cannot be read): how fast a core runs at the moment a start
    /// is timed. CPU time, not wall: a core shared with another process makes the loop wait, not run slower, and that
    /// waiting is what the start's wall time already shows; a slower core (its hyperthread sibling busy with another
    /// guest, a lower clock) makes both the loop and the server's start take more CPU.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double PaceMs()
    {
        double cpu0 = ThreadCpuMilliseconds();
        long t = Stopwatch.GetTimestamp();
        ulong x = 0x9E3779B97F4A7C15UL;
        for (int i = 0; i < 20_000_000; i++) x = (x ^ (x >> 29)) * 0xBF58476D1CE4E5B9UL + (ulong)i;
        double wall = Stopwatch.GetElapsedTime(t).TotalMilliseconds, cpu1 = ThreadCpuMilliseconds();
        GC.KeepAlive(x);
        double ms = double.IsNaN(cpu0) || double.IsNaN(cpu1) ? wall : cpu1 - cpu0;
        return ms + (x == 42 ? 1 : 0); // use x, so the loop is not removed
    }

    private static double ThreadCpuMilliseconds() => SchedstatMilliseconds("/proc/thread-self/schedstat");

    /// <summary>The first field of a schedstat file (ns on a CPU) in ms; NaN where it cannot be read.</summary>
    private static double SchedstatMilliseconds(string path)
    {
        try
        {
            string line = File.ReadAllText(path);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            return long.Parse(space < 0 ? line : line[..space], CultureInfo.InvariantCulture) / 1e6;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }

    /// <summary>
    /// The CPU time all threads of a process have run so far (ms, from each thread's /proc/PID/task/TID/schedstat in
    /// nanoseconds; NaN where that cannot be read). Read right after the first reply, it is the start's CPU: the server is
    /// idle then (manual clock), and unlike the wall time it does not grow when the start waits for a busy core.
    /// Threads that already ended are not counted (the runtime's start-up threads mostly live on).
    /// </summary>
    public static double CpuMilliseconds(int pid)
    {
        string[] tasks;
        try { tasks = Directory.GetDirectories($"/proc/{pid}/task"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return double.NaN; }
        double ms = 0;
        foreach (string task in tasks)
        {
            double t = SchedstatMilliseconds(Path.Combine(task, "schedstat"));
            if (!double.IsNaN(t)) ms += t; // NaN: the thread ended meanwhile
        }
        return ms;
    }

    /// <summary>
    /// The machine's steal and iowait time so far (ms summed over its CPUs, from /proc/stat's cpu line; 0 where it cannot
    /// be read): a start that waited while the hypervisor ran someone else on our cores, or while the disk was slow,
    /// shows it in the difference across the start.
    /// </summary>
    private static (double StealMs, double IoWaitMs) MachineWaits()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            string? line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal)) return (0, 0);
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...; in USER_HZ (100 a second).
            const double msPerTick = 10;
            return (long.Parse(f[8], CultureInfo.InvariantCulture) * msPerTick, long.Parse(f[5], CultureInfo.InvariantCulture) * msPerTick);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }

    /// <summary>Writes the machine's dirty pages out (<c>sync</c>) before a timed start, so that the kernel's writeback of
    /// what came before (a copied data directory, a killed server's files) does not fall inside the start's window. No-op
    /// where there is no <c>sync</c>.</summary>
    public static void FlushDisk()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false });
            sync?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no sync binary: the start is timed as before
        }
    }

    /// <summary>The median of a few samples (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
