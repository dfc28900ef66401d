using System.Globalization;

namespace Dispatch.Server.Metrics;

/// <summary>Figures of the server process and its data directory for the ServerStats reply (docs/protocol.md, "Server stats").</summary>
internal static class ProcessStats
{
    /// <summary>Resident set size: VmRSS of /proc/self/status on Linux, <see cref="Environment.WorkingSet"/> elsewhere or if it cannot be read.</summary>
    public static long RssBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/status"))
                {
                    if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                    // "VmRSS:     123456 kB"
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                        return kb * 1024;
                }
            }
            catch (IOException) { /* fall back below */ }
            catch (UnauthorizedAccessException) { }
        }
        return Environment.WorkingSet;
    }

    /// <summary>
    /// Bytes of the journal files (names starting with "journal", set-aside ".bad" copies left out) and of the
    /// snapshot files (names starting with "snapshot" and ending ".snap") in <paramref name="dataDirectory"/>.
    /// </summary>
    public static (long Journal, long Snapshots) BytesOnDisk(string dataDirectory)
    {
        long journal = 0, snapshots = 0;
        try
        {
            foreach (var f in new DirectoryInfo(dataDirectory).EnumerateFiles())
            {
                string name = f.Name;
                if (name.StartsWith("journal", StringComparison.Ordinal) && !name.Contains(".bad", StringComparison.Ordinal)) journal += f.Length;
                else if (name.StartsWith("snapshot", StringComparison.Ordinal) && name.EndsWith(".snap", StringComparison.Ordinal)) snapshots += f.Length;
            }
        }
        catch (IOException) { /* a file went away while listing: the next request measures again */ }
        catch (UnauthorizedAccessException) { }
        return (journal, snapshots);
    }
}
