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
}
