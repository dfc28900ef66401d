namespace Dispatch.Simulator;

internal static class Cli
{
    public static int Run(string[] args) { Console.WriteLine("not yet"); return 1; }
}
