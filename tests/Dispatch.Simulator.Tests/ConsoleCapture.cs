namespace Dispatch.Simulator.Tests;

/// <summary>What a command writes to standard error, for tests of its messages (the simulator's commands report
/// errors and progress there). The previous writer is put back even when the body throws.</summary>
public static class ConsoleCapture
{
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
