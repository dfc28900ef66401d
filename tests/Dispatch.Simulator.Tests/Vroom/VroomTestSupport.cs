using System.Text.Json;
using Dispatch.Simulator.Vroom;

namespace Dispatch.Simulator.Tests.Vroom;

/// <summary>Runs <see cref="VroomCommand"/> deterministically (iteration budget, one thread) on a file or JSON text.</summary>
internal static class VroomTestSupport
{
    public const long Iterations = 2000;

    public static string SamplesDir => Path.Combine(TestPaths.RepoRoot, "samples", "vroom");

    public sealed record Run(int Code, string Output, string Log)
    {
        public JsonElement Root => JsonDocument.Parse(Output).RootElement;
    }

    public static Run SolveFile(string inputPath, long iterations = Iterations, int seed = 1)
    {
        string outPath = Path.Combine(Path.GetTempPath(), $"dispatch-vroom-{Guid.NewGuid():N}", "solution.json");
        var log = new StringWriter();
        try
        {
            int code = VroomCommand.Solve(inputPath, outPath, VroomCommand.Deterministic(iterations, seed), log);
            return new Run(code, File.ReadAllText(outPath), log.ToString());
        }
        finally
        {
            if (Directory.Exists(Path.GetDirectoryName(outPath))) Directory.Delete(Path.GetDirectoryName(outPath)!, true);
        }
    }

    public static Run SolveJson(string problemJson, long iterations = Iterations)
    {
        string inPath = Path.Combine(Path.GetTempPath(), $"dispatch-vroom-{Guid.NewGuid():N}.json");
        File.WriteAllText(inPath, problemJson);
        try { return SolveFile(inPath, iterations); }
        finally { File.Delete(inPath); }
    }

    /// <summary>Solves and checks the output against the problem with <see cref="VroomOutputValidator"/>.</summary>
    public static JsonElement SolveValid(string problemJson)
    {
        var run = SolveJson(problemJson);
        Assert.True(run.Code == 0, $"exit code {run.Code}: {run.Log}");
        var errors = VroomOutputValidator.Validate(problemJson, run.Output);
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + run.Output);
        return run.Root;
    }

    public static List<JsonElement> Steps(JsonElement route) => route.GetProperty("steps").EnumerateArray().ToList();
}
