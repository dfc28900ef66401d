using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dispatch.Core.Tests.Architecture;

/// <summary>
/// The folders of src/Dispatch.Core (Engine, Planning, State, Model, ...) as a dependency graph: folder A
/// points to folder B when a file in A names, in code, a type declared in B. Comments (doc crefs too) and
/// string literals are left out; a subfolder counts as its top folder (Routing/Search is Routing). The
/// graph must have no cycle, so each folder can be read, tested and changed with only what it points to.
/// </summary>
public sealed partial class CoreFolderGraphTests(ITestOutputHelper output)
{
    [Fact]
    public void Core_folders_depend_on_each_other_without_a_cycle()
    {
        var graph = CoreFolderGraph.Build(Path.Combine(FindRepoRoot(), "src", "Dispatch.Core"));
        output.WriteLine(graph.Describe());
        var cycle = graph.FindCycle();
        Assert.True(cycle is null, "folder cycle: " + (cycle is null ? "" : string.Join(" -> ", cycle)) + "\n" + graph.Describe());
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Dispatch.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>Which folder's files use types of which other folder (see <see cref="CoreFolderGraphTests"/>).</summary>
internal sealed partial class CoreFolderGraph
{
    /// <summary>Edges: from folder, to folder, and the type names that make the edge.</summary>
    public SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> Edges { get; } = new(StringComparer.Ordinal);

    public static CoreFolderGraph Build(string root)
    {
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(root, f))
            .Select(f => (Folder: FolderOf(root, f), Code: StripCommentsAndStrings(File.ReadAllText(f))))
            .ToList();
        // A type name declared in more than one folder says nothing about which one a file means: left out.
        var declaredIn = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (folder, code) in files)
        {
            foreach (Match m in Declaration().Matches(code))
            {
                string name = m.Groups["name"].Value;
                declaredIn[name] = declaredIn.TryGetValue(name, out var other) && other != folder ? null : folder;
            }
        }
        var graph = new CoreFolderGraph();
        foreach (var (folder, code) in files)
        {
            if (!graph.Edges.ContainsKey(folder)) graph.Edges[folder] = new(StringComparer.Ordinal);
            foreach (Match m in Identifier().Matches(code))
            {
                if (!declaredIn.TryGetValue(m.Value, out var target) || target is null || target == folder) continue;
                var to = graph.Edges[folder];
                if (!to.TryGetValue(target, out var names)) to[target] = names = new(StringComparer.Ordinal);
                names.Add(m.Value);
            }
        }
        return graph;
    }

    /// <summary>One line per folder: the folders it uses, each with the types it names there.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (var (from, to) in Edges)
        {
            sb.Append(from).Append(" -> ");
            sb.AppendLine(to.Count == 0 ? "(nothing)" : string.Join("; ", to.Select(t => $"{t.Key} ({string.Join(", ", t.Value)})")));
        }
        return sb.ToString();
    }

    /// <summary>A cycle of folders (first folder repeated at the end), or null when there is none.</summary>
    public List<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();
        List<string>? Visit(string f)
        {
            state[f] = 1;
            path.Add(f);
            if (Edges.TryGetValue(f, out var to))
            {
                foreach (var next in to.Keys)
                {
                    state.TryGetValue(next, out int s);
                    if (s == 1) return [.. path.Skip(path.IndexOf(next)), next];
                    if (s == 0 && Visit(next) is { } cycle) return cycle;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[f] = 2;
            return null;
        }
        foreach (var f in Edges.Keys)
        {
            if (!state.ContainsKey(f) && Visit(f) is { } cycle) return cycle;
        }
        return null;
    }

    private static bool IsBuildOutput(string root, string file)
    {
        string first = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }

    private static string FolderOf(string root, string file)
    {
        var parts = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
        return parts.Length == 1 ? "(root)" : parts[0];
    }

    private static string StripCommentsAndStrings(string code) =>
        CommentOrString().Replace(code, m => m.Value.StartsWith("//", StringComparison.Ordinal) || m.Value.StartsWith("/*", StringComparison.Ordinal) ? " " : "\"\"");

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Identifier();

    // Comments, verbatim/raw/regular strings and char literals (interpolation holes are dropped with their string).
    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|""""""[\s\S]*?""""""|@""(?:[^""]|"""")*""|\$?""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'", RegexOptions.Singleline)]
    private static partial Regex CommentOrString();
}
