using System.Text;

namespace Dispatch.Bench.Infrastructure;

/// <summary>
/// The parts every results page under bench/results shares: the title with the machine and the command
/// that produced it (so a figure can be re-measured), sections of notes, and the write.
/// </summary>
internal static class ResultsPage
{
    /// <summary>
    /// A page that starts with <paramref name="title"/> and the line naming the machine and the command:
    /// <c>dotnet run -c Release --project bench/Dispatch.Bench -- </c><paramref name="arguments"/>, then
    /// <paramref name="commandNote"/> (e.g. " (the defaults of ...)") before the full stop.
    /// </summary>
    public static StringBuilder Start(string title, string arguments, string commandNote = "")
    {
        var md = new StringBuilder();
        md.AppendLine("# " + title);
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Stats.Machine()}. Command: `dotnet run -c Release --project bench/Dispatch.Bench -- {arguments}`{commandNote}.");
        md.AppendLine();
        return md;
    }

    /// <summary>Appends a blank line, <paramref name="heading"/>, a blank line and <paramref name="notes"/> (a list, one line per item).</summary>
    public static void AppendNotes(StringBuilder md, string heading, StringBuilder notes)
    {
        md.AppendLine();
        md.AppendLine(heading);
        md.AppendLine();
        md.Append(notes);
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>, creating its folder first.</summary>
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }
}
