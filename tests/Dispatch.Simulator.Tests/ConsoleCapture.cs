namespace Dispatch.Simulator.Tests;

/// <summary>What a command writes to standard error, for tests of its messages (the simulator's commands report
/// errors and progress there). The previous writer is put back even when the body throws. Standard error is one for the
/// whole process: a class that captures it belongs to <see cref="Collection"/>, whose tests run alone (two captures at
/// once took each other's writer, and one of them read nothing).</summary>
public static class ConsoleCapture
{
    /// <summary>The xUnit collection of the test classes that capture standard error.</summary>
    public const string Collection = "console capture";

    /// <summary>Runs <paramref name="body"/> with standard error redirected and returns what it wrote.</summary>
    public static string StandardError(Action body)
    {
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            body();
        }
        finally
        {
            Console.SetError(old);
        }
        return err.ToString();
    }
}

/// <summary>The tests that redirect the process's standard error run in this collection, after every other one and never
/// beside another test (which could write to, or redirect, the same writer).</summary>
[CollectionDefinition(ConsoleCapture.Collection, DisableParallelization = true)]
public sealed class ConsoleCaptureCollection;
