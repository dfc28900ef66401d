using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Dispatch.Protocol;

namespace Dispatch.LoadTest.Soak;

internal sealed record SoakSettings(string ServerDll, int Days, int OrdersPerDay, string Fsync, int Seed, double CancelShare, string OutPath, bool KeepData, string? ServerLogPath, int Restarts, string? GcdumpDir);

/// <summary>One simulated day: what the driver did, the server's figures at its end, and the restart after the kill -9 that ended it.</summary>
internal sealed record SoakDayResult(
    int Day, int Orders, int PeakOpen, int Acked, int Refused, int Delivered, int CancelledByCustomer, int CancelledAtClose, int Unfinished,
    int Couriers, int CouriersOff, int Released, long Errors, ServerStats Stats, ServerStats Collected, double RestartMs, double[] RestartSamplesMs, double ReferenceRestartMs, double[] ReferenceSamplesMs, double RestartOverReference, string[] RestartSplits, double RestartCpuMs, double PaceMs, string Recovery,
    long Checked, long Lost, long ConfirmationsLost, long FinishedForgotten, double DriveSeconds, double ServerCpuSeconds, double DriverCpuSeconds);

/// <summary>
/// <c>soak</c>: N generated days through the real server (a child process, manual clock), a kill -9 at the end of
/// every day, and per day the server's memory, disk, snapshot pauses, restart time and acknowledged orders lost
/// (bench/README.md, "Soak").
/// </summary>
internal static partial class SoakRun
{
    /// <summary>Orders still not picked up this long after the last shift ends are cancelled by the platform.</summary>
    private const int SweepAfterCloseMinutes = 60;

    private static readonly TimeSpan RoundTrip = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Night = TimeSpan.FromSeconds(3);

    [GeneratedRegex(@"covering (\d+) journal records, then replayed (\d+) journal records after it in (\d+) ms")]
    private static partial Regex FromSnapshot();

    [GeneratedRegex(@"replayed (\d+) records in (\d+) ms \(\d+ refused\), no snapshot used")]
    private static partial Regex FromJournal();

    [GeneratedRegex(@"engine thread paused ([0-9.]+) ms")]
    private static partial Regex SnapshotPause();

    public static async Task<int> RunAsync(SoakSettings s)
    {
        var total = Stopwatch.StartNew();
        string dataDir = Path.Combine(Path.GetTempPath(), "dispatch-soak", Guid.NewGuid().ToString("N"));
        string referenceMaster = dataDir + "-reference", referenceRun = dataDir + "-reference-run";
        var results = new List<SoakDayResult>();
        var allFlags = new List<SoakFleet.OrderFlags[]>();
        var errors = new SoakErrors();
        var pauses = new List<double>(); // every snapshot's engine-thread pause of the run, from the servers' logs
        long finalChecked = 0, finalLost = 0, finalConfirmationsLost = 0, finalForgotten = 0;
        Console.WriteLine($"soak: {s.Days} days x {s.OrdersPerDay:N0} orders, fsync {s.Fsync}, data {dataDir}");
        ServerProcess? server = null;
        try
        {
            var city = SoakDay.City(s.Seed, s.OrdersPerDay);
            server = await ServerProcess.StartAsync(s.ServerDll, dataDir, "Manual", s.Fsync).ConfigureAwait(false);
            var conn = await SoakConnection.ConnectAsync(server.Port, "soak-driver", subscribe: true).ConfigureAwait(false);
            for (int i = 0; i < city.Length; i++) conn.Add(Command.AddSite(0, i + 1, city[i].X, city[i].Y));
            await conn.SendAndWaitAsync(RoundTrip).ConfigureAwait(false);
            while (conn.TryTake(out var item)) if (item.Message is ErrorMessage e) errors.Add(item.Asked, e);

            for (int d = 0; d < s.Days; d++)
            {
                var day = SoakDay.Create(d, s.Seed, s.OrdersPerDay, city, s.CancelShare);
                var fleet = new SoakFleet(day, errors);
                long errorsBefore = errors.Total;
                var drive = Stopwatch.StartNew();
                var driverCpu = Process.GetCurrentProcess().TotalProcessorTime;
                var serverCpu = ServerCpu(server);
                int sweep = day.Close + SweepAfterCloseMinutes;
                for (int m = 0; m < SoakDay.Minutes; m++)
                {
                    double now = day.Start + m;
                    conn.Add(Command.Tick(0, now));
                    await conn.SendAndWaitAsync(RoundTrip).ConfigureAwait(false);
                    while (conn.TryTake(out var item)) fleet.Handle(item);
                    fleet.AddEvents(conn, m, now, sweep);
                }
                // The last minute's events, answered: the day's driving ends there.
                await conn.SendAndWaitAsync(RoundTrip).ConfigureAwait(false);
                while (conn.TryTake(out var item)) fleet.Handle(item);
                drive.Stop();
                // CPU of the day's driving (the restart's recovery not included): the machine's load does not distort it.
                double serverCpuSeconds = (ServerCpu(server) - serverCpu).TotalSeconds;
                double driverCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - driverCpu).TotalSeconds;

                // The night: the server sits idle as it would between the last delivery and the morning (long enough for
                // its idle snapshot, ServerOptions.SnapshotWhenIdleMilliseconds, to be taken and written).
                await Task.Delay(Night).ConfigureAwait(false);
                // The day's figures (a query: answered after everything before it): as the server finds them, and again
                // after a full collection (collect), which reads the memory the process holds now instead of what its last
                // collection, mid-peak or idle, happened to find.
                conn.Add(Command.GetServerStats(0));
                conn.Add(Command.GetServerStats(0, collectFirst: true));
                await conn.SendAndWaitAsync(RoundTrip).ConfigureAwait(false);
                ServerStats stats = default, collected = default;
                int statsSeen = 0;
                while (conn.TryTake(out var item))
                {
                    if (item.Message is ServerStatsMessage st) { if (statsSeen++ == 0) stats = st.Stats; else collected = st.Stats; }
                    else fleet.Handle(item);
                }

                if (s.GcdumpDir is { } dumpDir) await Gcdump.CollectAsync(server.Pid, Path.Combine(dumpDir, $"day-{d + 1:D2}.gcdump")).ConfigureAwait(false);

                // kill -9 at the end of the day, nothing in flight; restart and time it up to the first answered request.
                // The restart is timed Restarts times (a kill -9 between them, nothing new journaled): one process start is
                // a noisy sample (runtime, JIT, host: 150-230 ms on this machine), the median is the day's figure.
                // Beside each, a reference start on day 1's state (a frozen copy of the directory after day 1, a fresh copy
                // per start, so its starts change nothing), alternately just before and just after: the machine's speed
                // moves from night to night, and today's start over the reference's at the same moment is what says
                // whether a restart grows with history.
                conn.Dispose();
                var restartSamples = new double[s.Restarts];
                var referenceSamples = new double[s.Restarts];
                var restartSplits = new string[s.Restarts];
                var restartCpu = new double[s.Restarts];
                var paces = new double[s.Restarts];
                for (int k = 0; k < s.Restarts; k++)
                {
                    server.Kill();
                    await server.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                    foreach (Match pause in SnapshotPause().Matches(server.Log)) pauses.Add(double.Parse(pause.Groups[1].Value, CultureInfo.InvariantCulture));
                    if (s.ServerLogPath is { } logPath) await File.AppendAllTextAsync(logPath, server.Log).ConfigureAwait(false);
                    server.Dispose();
                    server = null;
                    if (d == 0 && k == 0) RestartComparison.CopyDirectory(dataDir, referenceMaster);
                    if (k % 2 == 1) referenceSamples[k] = await ReferenceStartAsync(s, referenceMaster, referenceRun).ConfigureAwait(false);
                    TimedStart.FlushDisk();
                    (server, var timing) = await TimedStart.StartAsync(s.ServerDll, dataDir, s.Fsync).ConfigureAwait(false);
                    restartSamples[k] = timing.TotalMs;
                    restartSplits[k] = timing.Split;
                    restartCpu[k] = timing.ServerCpuMs;
                    paces[k] = timing.PaceMs;
                    if (k % 2 == 0) referenceSamples[k] = await ReferenceStartAsync(s, referenceMaster, referenceRun).ConfigureAwait(false);
                }
                // The driving connection is opened after the timed starts: its buffers are allocated outside their windows.
                conn = await SoakConnection.ConnectAsync(server.Port, "soak-driver", subscribe: true).ConfigureAwait(false);
                double restartMs = TimedStart.Median(restartSamples);
                // Each restart over the reference start beside it (the same minute of the machine), then the median of those.
                double overReference = TimedStart.Median(restartSamples.Select((x, k) => x / referenceSamples[k]).ToArray());
                string recovery = Recovery(server.Log);

                // Every order acknowledged today must still be there (or reported finished, once it is).
                allFlags.Add(fleet.Flags);
                bool last = d == s.Days - 1;
                var check = await CheckAsync(conn, last ? allFlags : [fleet.Flags], last ? 0 : d).ConfigureAwait(false);
                var today = last ? await CheckAsync(conn, [fleet.Flags], d).ConfigureAwait(false) : check;
                if (last) (finalChecked, finalLost, finalConfirmationsLost, finalForgotten) = check;

                var r = new SoakDayResult(d + 1, day.Orders, fleet.PeakOpen, fleet.Acked, fleet.Refused, fleet.Delivered, fleet.CancelledByCustomer, fleet.CancelledAtClose,
                    fleet.Unfinished, day.Couriers, fleet.CouriersOff, fleet.Released, errors.Total - errorsBefore, stats, collected, restartMs, restartSamples, TimedStart.Median(referenceSamples), referenceSamples, overReference, restartSplits, TimedStart.Median(restartCpu), TimedStart.Median(paces), recovery,
                    today.Checked, today.Lost, today.ConfirmationsLost, today.Forgotten, drive.Elapsed.TotalSeconds, serverCpuSeconds, driverCpuSeconds);
                results.Add(r);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"day {r.Day}: {r.Acked:N0}/{r.Orders:N0} orders acknowledged, {r.Delivered:N0} delivered, {r.CancelledByCustomer + r.CancelledAtClose:N0} cancelled, {r.Errors} refusals; " +
                    $"RSS {Mb(stats.RssBytes)} MB, heap {Mb(stats.ManagedHeapBytes)} MB (live {Mb(stats.LiveHeapBytes)} MB; after a full collection RSS {Mb(collected.RssBytes)}, live {Mb(collected.LiveHeapBytes)} MB), journal {Mb(stats.JournalBytesOnDisk)} MB, snapshots {Mb(stats.SnapshotBytesOnDisk)} MB, " +
                    $"pause p99 {Ms(stats.SnapshotPauseP99Ms)} max {Ms(stats.SnapshotPauseMaxMs)} ms ({stats.SnapshotsWritten} snapshots); restart {restartMs:F0} ms ({recovery}; samples {string.Join(" / ", restartSamples.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))}, split {string.Join(" · ", restartSplits)}); " +
                    $"lost {r.Lost} of {r.Checked:N0}; {r.DriveSeconds:F1} s (CPU: server {r.ServerCpuSeconds:F1} s, driver {r.DriverCpuSeconds:F1} s)"));
            }
            conn.Dispose();
        }
        finally
        {
            server?.Dispose();
            if (!s.KeepData)
            {
                foreach (string dir in new[] { dataDir, referenceMaster, referenceRun })
                {
                    try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
            }
        }

        string report = Report(results, s, errors, (finalChecked, finalLost, finalConfirmationsLost, finalForgotten), pauses, total.Elapsed);
        await ResultPage.PublishAsync(report, s.OutPath).ConfigureAwait(false);
        bool nothingLost = finalLost == 0 && finalConfirmationsLost == 0 && results.All(r => r.Lost == 0 && r.ConfirmationsLost == 0);
        return nothingLost ? 0 : 1;
    }

    /// <summary>
    /// GetOrder for every acknowledged order of the given days (pipelined). Lost: acknowledged, and answered
    /// unknown although no drop-off or cancellation of it was acknowledged (an engine that forgets finished
    /// orders after a retention window may answer those unknown by design: counted apart, as forgotten).
    /// Confirmations lost: an acknowledged drop-off or cancellation the answer does not show.
    /// </summary>
    private static async Task<(long Checked, long Lost, long ConfirmationsLost, long Forgotten)> CheckAsync(SoakConnection c, List<SoakFleet.OrderFlags[]> days, int firstDay)
    {
        long checkedCount = 0, lost = 0, confirmationsLost = 0, forgotten = 0;
        var flagsOf = new Dictionary<long, SoakFleet.OrderFlags>();
        for (int d = 0; d < days.Count; d++)
        {
            var flags = days[d];
            int day = firstDay + d;
            for (int i = 0; i < flags.Length; i++)
            {
                if ((flags[i] & SoakFleet.OrderFlags.Acked) == 0) continue;
                long id = (day + 1) * SoakDay.OrderIdBase + i + 1;
                c.Add(Command.GetOrder(0, id), id);
                flagsOf[id] = flags[i];
                if (c.Pending >= 32_768) await Drain().ConfigureAwait(false);
            }
        }
        await Drain().ConfigureAwait(false);
        return (checkedCount, lost, confirmationsLost, forgotten);

        async Task Drain()
        {
            await c.SendAndWaitAsync(RoundTrip).ConfigureAwait(false);
            while (c.TryTake(out var item))
            {
                if (item.Message is not OrderInfoMessage o) continue;
                checkedCount++;
                var f = flagsOf[item.Ref];
                bool delivered = (f & SoakFleet.OrderFlags.DropAcked) != 0, cancelled = (f & SoakFleet.OrderFlags.CancelAcked) != 0;
                if (o.Status == WireOrderStatus.Unknown)
                {
                    if (delivered || cancelled) forgotten++;
                    else lost++;
                }
                else if ((delivered && o.Status != WireOrderStatus.Delivered && o.Status <= WireOrderStatus.Cancelled)
                    || (cancelled && o.Status != WireOrderStatus.Cancelled && o.Status <= WireOrderStatus.Cancelled))
                {
                    confirmationsLost++;
                }
            }
            flagsOf.Clear();
        }
    }

    private static TimeSpan ServerCpu(ServerProcess server)
    {
        server.Process.Refresh();
        return server.Process.TotalProcessorTime;
    }

    /// <summary>One timed start on a fresh copy of day 1's state (see the restart loop), killed at once; its wall ms.</summary>
    private static async Task<double> ReferenceStartAsync(SoakSettings s, string master, string run)
    {
        if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        RestartComparison.CopyDirectory(master, run);
        TimedStart.FlushDisk();
        return (await TimedStart.TimeOnceAsync(s.ServerDll, run, s.Fsync).ConfigureAwait(false)).TotalMs;
    }

    private static string Recovery(string log)
    {
        var m = FromSnapshot().Match(log);
        if (m.Success) return $"snapshot of {m.Groups[1].Value} records + {m.Groups[2].Value} replayed in {m.Groups[3].Value} ms";
        m = FromJournal().Match(log);
        return m.Success ? $"no snapshot, {m.Groups[1].Value} replayed in {m.Groups[2].Value} ms" : "?";
    }

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => double.IsNaN(ms) ? "-" : ms.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>Largest day-to-day change |x[d] / x[d-1] - 1| over the days after day 2 (days 3..N against the day before), or NaN with fewer than 3 days.</summary>
    private static double MaxStep(IReadOnlyList<double> values)
    {
        double worst = double.NaN;
        for (int d = 2; d < values.Count; d++)
        {
            if (!(values[d - 1] > 0)) continue;
            double step = Math.Abs(values[d] / values[d - 1] - 1);
            if (!(step <= worst)) worst = step;
        }
        return worst;
    }

    private static string Report(List<SoakDayResult> days, SoakSettings s, SoakErrors errors,
        (long Checked, long Lost, long ConfirmationsLost, long Forgotten) final, List<double> runPauses, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        ResultPage.Header(b, "Sidecar server: soak", string.Create(inv, $"bench/Dispatch.LoadTest soak --days {s.Days} --orders-per-day {s.OrdersPerDay} --fsync {s.Fsync} --seed {s.Seed} --restarts {s.Restarts}"),
            string.Create(inv, $"; wall time {elapsed.TotalMinutes:F1} min."));
        b.AppendLine();
        b.AppendLine(string.Create(inv,
            $"Each day is a generated peak-hour wave (lunch and dinner peaks over a base rate; couriers on shifts sized to the orders) of about {s.OrdersPerDay:N0} orders in one city, " +
            $"streamed through the Release server (child process, manual clock, fsync {s.Fsync}, default snapshot settings) on one pipelined connection: a tick every simulated minute, " +
            $"couriers on shift at their start (off at their shift end; one in ten of those on 2 h+ shifts stops up to an hour early: CourierOffShift once nothing is planned for it), {s.CancelShare:P0} of orders cancelled 2-15 minutes after placement (unless picked up), " +
            $"orders no courier took cancelled {SweepAfterCloseMinutes} minutes after the last shift, and every pushed pickup and drop-off confirmed at its planned time. " +
            $"At the end of each day (all orders finished) the driver leaves the server idle for {Night.TotalSeconds:F0} s (the night: time for the server's idle snapshot), reads GetServerStats twice, as found and with collect (a full compacting collection first), SIGKILLs the server by PID, restarts it on the same data directory and " +
            $"times it from process start to the first answered engine request (GetServerStats: recovery done), {s.Restarts} time(s) with a kill -9 between (nothing new journaled; the day's restart figure is their median, the samples beside it), " +
            $"each beside a reference start on day 1's state (a frozen copy of the data directory after day 1, a fresh copy per start; alternately just before and just after): the machine's speed moves from night to night, and each restart over the reference start beside it (the median of those ratios) says whether a restart grows with history; every timed start follows a `sync`, so that no writeback of what came before falls inside it; then it asks GetOrder for every order acknowledged that day. " +
            $"After the last day every order of every day is checked."));
        b.AppendLine();
        b.AppendLine("| day | orders acknowledged | peak open orders | delivered | cancelled | refusals | engine orders placed (Counts.known) | server RSS MB | managed heap MB | live heap MB | RSS MB, collected | live heap MB, collected | journal MB | snapshots MB | snapshots written | pause p99 ms | pause max ms | restart ms (median) | reference restart ms (median) | restart / reference (median of the pairs) | restart server CPU ms (median) | pace ms (median) | restart samples ms | reference samples ms | each sample's split ms: the server's process start to Main + Main to open port (its recovery) / the driver: listening line seen / probe greeted / first reply; pace = CPU ms of a fixed loop on a driver thread just before | recovery | acknowledged orders lost | day's wall s | server CPU s | driver CPU s |");
        b.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|");
        foreach (var r in days)
        {
            var st = r.Stats;
            b.AppendLine(string.Create(inv,
                $"| {r.Day} | {r.Acked:N0} | {r.PeakOpen:N0} | {r.Delivered:N0} | {r.CancelledByCustomer + r.CancelledAtClose:N0} | {r.Errors} | {st.KnownOrders:N0} | {Mb(st.RssBytes)} | {Mb(st.ManagedHeapBytes)} | {Mb(st.LiveHeapBytes)} | {Mb(r.Collected.RssBytes)} | {Mb(r.Collected.LiveHeapBytes)} | " +
                $"{Mb(st.JournalBytesOnDisk)} | {Mb(st.SnapshotBytesOnDisk)} | {st.SnapshotsWritten} | {Ms(st.SnapshotPauseP99Ms)} | {Ms(st.SnapshotPauseMaxMs)} | {r.RestartMs:F0} | {r.ReferenceRestartMs:F0} | {r.RestartOverReference:F2} | {r.RestartCpuMs:F0} | {r.PaceMs:F1} | {string.Join(" / ", r.RestartSamplesMs.Select(x => x.ToString("F0", inv)))} | {string.Join(" / ", r.ReferenceSamplesMs.Select(x => x.ToString("F0", inv)))} | {string.Join(" · ", r.RestartSplits)} | {r.Recovery} | {r.Lost} of {r.Checked:N0} | {r.DriveSeconds:F0} | {r.ServerCpuSeconds:F0} | {r.DriverCpuSeconds:F0} |"));
        }
        b.AppendLine();
        b.AppendLine("Server figures are GetServerStats at the end of the day, before the kill (the process started at the end of the day before, so the pauses are the day's); " +
            "managed heap = `GC.GetGCMemoryInfo().HeapSizeBytes` (the GC heap at the last collection, usually a gen-0 one: it also holds whatever the young generations held then); live heap = what every generation held after the last full collection, fragmentation not counted (ServerStats `liveHeapBytes`: the live data); " +
            "collected = the same query with `collect`, right after: a full compacting collection that returns free memory to the OS, so RSS and live heap are what the process holds at the day's end, whenever its own last collection fell; pause = engine-thread time of a snapshot (journal segment roll and the copy of the state into memory; the file is written in the background); " +
            "wall and CPU seconds are the day's driving (ticks, events, confirmations), without the restart.");
        b.AppendLine();

        // The Must-show bars of issue 11.
        string Bar(bool ok) => ok ? "**met**" : "**not met**";
        string Pct(double v) => double.IsNaN(v) ? "n/a (fewer than 3 days)" : (v * 100).ToString("F1", inv) + " %";
        // Memory is compared as collected at the day's end (the same moment of every day); as found it depends on when the last collection fell.
        double rss = MaxStep(days.Select(r => (double)r.Collected.RssBytes).ToList());
        double heap = MaxStep(days.Select(r => (double)r.Collected.LiveHeapBytes).ToList());
        double rssAsFound = MaxStep(days.Select(r => (double)r.Stats.RssBytes).ToList());
        double heapAsFound = MaxStep(days.Select(r => (double)r.Stats.LiveHeapBytes).ToList());
        double heapAtLastGc = MaxStep(days.Select(r => (double)r.Stats.ManagedHeapBytes).ToList());
        double disk = MaxStep(days.Select(r => (double)(r.Stats.JournalBytesOnDisk + r.Stats.SnapshotBytesOnDisk)).ToList());
        double restart = MaxStep(days.Select(r => r.RestartMs).ToList());
        double restartCpu = MaxStep(days.Select(r => r.RestartCpuMs).ToList());
        double restartRatio = MaxStep(days.Select(r => r.RestartOverReference).ToList());
        double pace = MaxStep(days.Select(r => r.PaceMs).ToList());
        bool memoryFlat = !double.IsNaN(rss) && Math.Max(Math.Max(rss, heap), disk) <= 0.10;
        // "Any day" reads every sample, not the median: the slowest restart seen is the one the bar is about.
        double maxRestart = days.Count == 0 ? double.NaN : days.Max(r => r.RestartSamplesMs.Max());
        // The bar is read over every snapshot of the run: a day has 50-70, so a day's own "p99" is its maximum.
        var sorted = runPauses.Order().ToList();
        double Rank(double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1)];
        double runP99 = Rank(0.99);
        double worstDay = days.Select(r => r.Stats.SnapshotPauseMaxMs).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
        long lost = days.Sum(r => r.Lost) + final.Lost;
        long confLost = days.Sum(r => r.ConfirmationsLost) + final.ConfirmationsLost;
        b.AppendLine("Must-show bars (issue 11):");
        b.AppendLine();
        b.AppendLine(string.Create(inv,
            $"- RSS, heap and disk after day 2 flat within +-10 % from day to day: {(double.IsNaN(rss) ? "**not measured** (needs 3 days or more)" : Bar(memoryFlat))}. Largest day-to-day change over days 3..{days.Count}: RSS {Pct(rss)} and live heap {Pct(heap)} (after a full collection at the day's end; as found: RSS {Pct(rssAsFound)}, live heap {Pct(heapAsFound)}, heap at the last collection {Pct(heapAtLastGc)}), disk (journal + snapshots) {Pct(disk)}."));
        b.AppendLine(string.Create(inv,
            $"- Restart time after day 2 flat within +-10 % from day to day: measured side by side with a reference start on day 1's state, the restart over the reference (median of the pairs) {(double.IsNaN(restartRatio) ? "**not measured**" : Bar(restartRatio <= 0.10))}: largest day-to-day change {Pct(restartRatio)}; " +
            $"the day's median wall time alone {(double.IsNaN(restart) ? "**not measured**" : Bar(restart <= 0.10))}: {Pct(restart)} (the machine's speed moves it: the restart's server CPU {Pct(restartCpu)}, which waiting for a busy core does not inflate; the driver's pace loop {Pct(pace)})."));
        b.AppendLine(string.Create(inv,
            $"- Restart < 2 s on any day: {Bar(maxRestart < 2000)}. Longest restart {maxRestart:F0} ms (day {days.OrderByDescending(r => r.RestartSamplesMs.Max()).Select(r => r.Day).FirstOrDefault()}; the day-to-day flatness above reads each day's median)."));
        b.AppendLine(double.IsNaN(runP99)
            ? "- Snapshot pause < 5 ms p99: **not measured** (no snapshot pause in the servers' logs)."
            : string.Create(inv, $"- Snapshot pause < 5 ms p99: {Bar(runP99 < 5)}. Over the run's {sorted.Count} snapshots (the servers' logs): median {Rank(0.5):F2} ms, p90 {Rank(0.9):F2}, **p99 {runP99:F2}** (nearest rank), max {sorted[^1]:F2}; the longest of a day {worstDay:F1} ms (a day's own p99 column is its maximum: {days.Sum(r => r.Stats.SnapshotsWritten)} snapshots over {days.Count} days)."));
        b.AppendLine(string.Create(inv,
            $"- 0 acknowledged orders lost: {Bar(lost == 0)}. Lost {lost} (per-day checks {days.Sum(r => r.Lost)}, final check of all {final.Checked:N0} acknowledged orders {final.Lost}); " +
            $"acknowledged drop-offs or cancellations not shown after a restart: {confLost}; finished orders answered unknown (retention, by design): {days.Sum(r => r.FinishedForgotten) + final.Forgotten}."));
        b.AppendLine();
        long unfinished = days.Sum(r => r.Unfinished);
        b.AppendLine(string.Create(inv,
            $"Driver: {days.Sum(r => r.Acked):N0} orders acknowledged of {days.Sum(r => r.Orders):N0} placed, {days.Sum(r => r.Delivered):N0} delivered, " +
            $"{days.Sum(r => r.CancelledByCustomer):N0} cancelled by customers, {days.Sum(r => r.CancelledAtClose):N0} cancelled at close (never collected), {unfinished} left unfinished at a day's end; " +
            $"{days.Sum(r => r.Couriers):N0} courier shifts ({days.Sum(r => r.CouriersOff):N0} stopped early with CourierOffShift), {days.Sum(r => r.Released):N0} plan releases; {errors.Total} refusals."));
        foreach (var line in errors.Summary()) b.AppendLine($"- {line}");
        return b.ToString();
    }
}
