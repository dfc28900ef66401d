using System.Runtime.InteropServices;
using System.Text;

namespace Dispatch.Server.Journal;

/// <summary>
/// fsync of a directory, so a rename into it survives a power cut. .NET cannot open a directory as a
/// file handle, so on Unix this calls open/fsync/close from libc; on Windows (where NTFS journals the
/// rename itself and directories cannot be flushed this way) it does nothing.
/// </summary>
internal static class DirectorySync
{
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        byte[] path = Encoding.UTF8.GetBytes(Path.GetFullPath(directory) + "\0");
        int fd = open(path, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
