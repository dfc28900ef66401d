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
    /// A full, blocking, compacting collection that also gives unused memory back to the OS (GetServerStats with
    /// collect): afterwards the live heap, heap size and RSS read what the process holds now, not what the last
    /// collection happened to find. It stops every thread for the collection (tens of milliseconds for a heap of
    /// tens of megabytes), so it is an operator's diagnostic, never a routine poll.
    /// </summary>
    public static void CollectEverything() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>
    /// The live heap as of the last full collection (blocking or background, whichever came last): what every
    /// generation held after it, fragmentation not counted. 0 before the first full collection.
    /// </summary>
    public static long LiveHeapBytes()
    {
        var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var background = GC.GetGCMemoryInfo(GCKind.Background);
        var last = background.Index > blocking.Index ? background : blocking;
        if (last.Index == 0) return 0;
        long live = 0;
        foreach (var g in last.GenerationInfo) live += g.SizeAfterBytes - g.FragmentationAfterBytes;
        return live;
    }
}
