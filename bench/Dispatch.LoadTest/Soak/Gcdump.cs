using System.Diagnostics;

namespace Dispatch.LoadTest.Soak;

/// <summary>
/// A heap dump of the server process through <c>dotnet-gcdump</c> (a .NET global tool, on PATH): what the soak's
/// <c>--gcdump-dir</c> takes at each day's end, so a day whose live heap stands out can be compared type by type
/// (<c>dotnet-gcdump report FILE</c>) with a day that does not.
/// </summary>
internal static class Gcdump
{
    public static async Task CollectAsync(int pid, string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var psi = new ProcessStartInfo("dotnet-gcdump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "collect", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", file }) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi) ?? throw new InvalidOperationException("dotnet-gcdump did not start"); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("--gcdump-dir needs dotnet-gcdump on PATH (dotnet tool install -g dotnet-gcdump)", e);
        }
        using (p)
        {
            string err = await p.StandardError.ReadToEndAsync().ConfigureAwait(false);
            await p.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            await p.WaitForExitAsync().ConfigureAwait(false);
            if (p.ExitCode != 0) throw new InvalidOperationException($"dotnet-gcdump exited {p.ExitCode}: {err.Trim()}");
        }
    }
}
