using System.Globalization;
using System.Text;

namespace Dispatch.LoadTest.Soak;

internal sealed record RestartSettings(string[] ServerDlls, string[] DataDirs, int Runs, string Fsync, string OutPath);

/// <summary>
/// <c>restarts</c>: server builds started side by side on the same data directories (a soak's kept directory, an empty
/// one), alternated run by run, each start timed and split as the soak's (<see cref="TimedStart"/>), a kill -9 after
/// each. Each build and directory gets its own copy of the directory, made once, so one build's starts never change
/// what the other's start on. What it is for: telling a change to the start path from the machine's moods (a
/// comparison in one run, as the bench's other comparisons), and catching a rare stalled start with its split.
/// </summary>
internal static class RestartComparison
{
    private const string Empty = "empty";

    public static async Task<int> RunAsync(RestartSettings s)
    {
        string work = Path.Combine(Path.GetTempPath(), "dispatch-restarts", Guid.NewGuid().ToString("N"));
        var combos = new List<(string Dll, string Data, string Copy)>();
        try
        {
            foreach (string dll in s.ServerDlls)
                foreach (string data in s.DataDirs)
                {
                    string copy = Path.Combine(work, combos.Count.ToString(CultureInfo.InvariantCulture));
                    if (data == Empty) Directory.CreateDirectory(copy);
                    else CopyDirectory(data, copy);
                    combos.Add((dll, data, copy));
                }
            var samples = combos.Select(_ => new List<TimedStart.Timing>()).ToArray();
            for (int r = 0; r < s.Runs; r++)
            {
                // Rotate who goes first, so no build is always the one started right after another's kill.
                for (int j = 0; j < combos.Count; j++)
                {
                    int c = (r + j) % combos.Count;
                    var timing = await TimedStart.TimeOnceAsync(combos[c].Dll, combos[c].Copy, s.Fsync).ConfigureAwait(false);
                    samples[c].Add(timing);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {r + 1}, {Label(combos[c].Dll, combos[c].Data)}: {timing.TotalMs:F0} ms ({timing.Split})"));
                }
            }
            await ResultPage.PublishAsync(Report(s, combos, samples), s.OutPath).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Report(RestartSettings s, List<(string Dll, string Data, string Copy)> combos, List<TimedStart.Timing>[] samples)
    {
        var inv = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        ResultPage.Header(b, "Sidecar server: restarts side by side",
            $"bench/Dispatch.LoadTest restarts --runs {s.Runs} --fsync {s.Fsync} --server-dll {string.Join(",", s.ServerDlls)} --data {string.Join(",", s.DataDirs)}");
        b.AppendLine();
        b.AppendLine("Each start is timed from the process's start to the first answered GetServerStats, then the server is killed (SIGKILL). " +
                     "Builds and directories alternate run by run. Phases (medians, ms): the server's own split (process start to Main, Main to the open port, the recovery inside it) " +
                     "and the driver's marks (listening line seen, probe greeted). Server CPU: the CPU time of the server's threads when the first reply arrived (/proc schedstat), which waiting for a busy core does not inflate. Pace: the CPU ms a fixed loop took on a driver thread just before each start (how fast a core ran at that moment; waiting for a core does not count).");
        b.AppendLine();
        b.AppendLine("| build | data | starts | median | p90 | max | to Main | Main to port | recovery | listening seen | greeted | server CPU | pace |");
        b.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int c = 0; c < combos.Count; c++)
        {
            var t = samples[c];
            double Med(Func<TimedStart.Timing, double> f) => TimedStart.Median(t.Select(f).ToList());
            var totals = t.Select(x => x.TotalMs).Order().ToArray();
            double p90 = totals.Length == 0 ? double.NaN : totals[Math.Min(totals.Length - 1, (int)Math.Ceiling(0.9 * totals.Length) - 1)];
            b.AppendLine(string.Create(inv,
                $"| {combos[c].Dll} | {combos[c].Data} | {t.Count} | {Med(x => x.TotalMs):F0} | {p90:F0} | {totals.LastOrDefault():F0} | {Med(x => x.ToMainMs):F0} | {Med(x => x.HostMs):F0} | {Med(x => x.RecoveryMs):F0} | {Med(x => x.ListeningSeenMs):F0} | {Med(x => x.GreetedMs):F0} | {Med(x => x.ServerCpuMs):F0} | {Med(x => x.PaceMs):F1} |"));
        }
        b.AppendLine();
        b.AppendLine("Every sample, in run order:");
        b.AppendLine();
        for (int c = 0; c < combos.Count; c++)
            b.AppendLine($"- {Label(combos[c].Dll, combos[c].Data)}: {string.Join("; ", samples[c].Select(x => x.Split))}");
        return b.ToString();
    }

    private static string Label(string dll, string data) => $"{Path.GetFileName(Path.GetDirectoryName(dll))} on {Path.GetFileName(data.TrimEnd('/'))}";

    /// <summary>Copies a data directory (its files and folders) to a new one.</summary>
    internal static void CopyDirectory(string from, string to)
    {
        if (!Directory.Exists(from)) throw new DirectoryNotFoundException($"--data: {from} is not a directory");
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
