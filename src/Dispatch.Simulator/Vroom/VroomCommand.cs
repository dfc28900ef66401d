using System.Diagnostics;
using System.Globalization;
using Dispatch.Routing;

namespace Dispatch.Simulator.Vroom;

/// <summary>
/// <c>solve problem.json --out solution.json</c> for VROOM users: reads VROOM's problem JSON, solves
/// it with <see cref="RouteOptimizer"/> (least cost; vehicles count only through their fixed cost,
/// as in VROOM) and writes VROOM's solution JSON. Bad input writes VROOM's error JSON
/// (<c>code</c> 2) to the output path instead, and returns 2.
/// </summary>
public static class VroomCommand
{
    /// <summary>Exit code and <c>code</c> of a solved problem.</summary>
    public const int Ok = VroomSolutionWriter.CodeOk;
    /// <summary>Exit code and <c>code</c> of an internal error (a bug: please report the input).</summary>
    public const int InternalError = VroomSolutionWriter.CodeInternalError;
    /// <summary>Exit code and <c>code</c> of an input error.</summary>
    public const int InputError = VroomSolutionWriter.CodeInputError;

    /// <summary>
    /// Solves <paramref name="inputPath"/> for <paramref name="timeLimitSeconds"/> (wall clock) with
    /// the given seed and writes <paramref name="outputPath"/>; one summary line (routes, unassigned,
    /// cost) goes to <paramref name="log"/>, after any warnings. Returns 0, or 2 on bad input (the
    /// message is in the output file and the log), or 1 on an internal error.
    /// </summary>
    public static int Solve(string inputPath, string outputPath, double timeLimitSeconds, int seed, TextWriter log)
    {
        if (!(timeLimitSeconds > 0) || !double.IsFinite(timeLimitSeconds))
            throw new ArgumentOutOfRangeException(nameof(timeLimitSeconds), timeLimitSeconds, "the time limit must be a positive number of seconds");
        return Solve(inputPath, outputPath, new OptimizerOptions { TimeLimit = TimeSpan.FromSeconds(timeLimitSeconds), Seed = seed }, log);
    }

    /// <summary>
    /// As <see cref="Solve(string, string, double, int, TextWriter)"/> with the optimizer's options
    /// given in full (an iteration budget and one thread make the result deterministic).
    /// <see cref="OptimizerOptions.MinimizeVehiclesFirst"/> is always set to false: VROOM minimises
    /// cost.
    /// </summary>
    public static int Solve(string inputPath, string outputPath, OptimizerOptions options, TextWriter log, VroomReaderOptions? readerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(outputPath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.TimeLimit is null && options.MaxIterations is null)
            throw new ArgumentException("give a TimeLimit, a MaxIterations or both", nameof(options));
        var sw = Stopwatch.StartNew();
        VroomProblem problem;
        try
        {
            problem = VroomProblemReader.Read(inputPath, readerOptions);
        }
        catch (VroomInputException ex)
        {
            log.WriteLine($"error: {inputPath}: {ex.Message}");
            TryWriteError(outputPath, InputError, ex.Message, log);
            return InputError;
        }
        long loadingMs = sw.ElapsedMilliseconds;
        foreach (string warning in problem.Warnings) log.WriteLine($"warning: {warning}");

        try
        {
            sw.Restart();
            var solution = new RouteOptimizer(problem.Problem, options with { MinimizeVehiclesFirst = false }).Solve();
            long solvingMs = sw.ElapsedMilliseconds;
            var summary = VroomSolutionWriter.WriteFile(outputPath, problem, solution, new VroomComputingTimes(loadingMs, solvingMs));
            string distance = summary.Distance is { } d ? $", distance {d.ToString(CultureInfo.InvariantCulture)} m" : "";
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(inputPath)}: {summary.Routes} routes, {summary.Unassigned} unassigned, cost {summary.Cost}, duration {summary.Duration} s{distance} ({solution.Iterations:N0} iterations, {solvingMs / 1000.0:F1} s) -> {outputPath}"));
            return Ok;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            string message = $"internal error: {ex.GetType().Name}: {ex.Message}";
            log.WriteLine($"error: {inputPath}: {message}");
            TryWriteError(outputPath, InternalError, message, log);
            return InternalError;
        }
    }

    private static void TryWriteError(string outputPath, int code, string message, TextWriter log)
    {
        try
        {
            VroomSolutionWriter.WriteErrorFile(outputPath, code, message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            log.WriteLine($"error: cannot write {outputPath}: {ex.Message}");
        }
    }

    /// <summary>Options for a deterministic run: no time limit, an iteration budget, one thread.</summary>
    public static OptimizerOptions Deterministic(long maxIterations, int seed = 1) =>
        new() { TimeLimit = null, MaxIterations = maxIterations, Threads = 1, Seed = seed, MinimizeVehiclesFirst = false };
}
