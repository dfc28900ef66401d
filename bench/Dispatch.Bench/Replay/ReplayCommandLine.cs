namespace Dispatch.Bench.Replay;

/// <summary>
/// The command line the replay commands share (replay-speed, replay-recorded): what to replay as positional
/// arguments, <c>--runs N</c> measured replays (default 5) and <c>--out path</c> for the results page
/// (default bench/results/ and the command's own page name).
/// </summary>
internal sealed record ReplayCommandLine(List<string> Inputs, int Runs, string Output)
{
    public static ReplayCommandLine Read(string[] args, string resultsPage)
    {
        var cli = new BenchArguments(args);
        return new(cli.Positional, cli.Int("--runs", 5), cli.Text("--out") ?? Path.Combine(BenchPaths.ResultsDir, resultsPage));
    }
}
