using Dispatch.Simulator.Reports;

namespace Dispatch.Simulator.Tests.Reports;

/// <summary>Progress of long commands: thread-safe counting, periodic plain lines, nothing when quiet.</summary>
[Collection(ConsoleCapture.Collection)]
public class ProgressReporterTests
{
    [Fact]
    public void Plain_lines_count_every_increment_from_many_threads_and_print_about_every_ten_percent()
    {
        var writer = new StringWriter();
        var sink = new ProgressReporter.LineSink("replay-all 1000 instances", 1000, writer);
        Parallel.For(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => sink.Increment());
        sink.Finish();
        Assert.Equal(1000, sink.Done);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 10, 12); // one per decile (+ a timed one on a slow machine)
        Assert.Contains("1000/1000 (100%)", lines[^1], StringComparison.Ordinal);
        Assert.Contains("ETA", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Status_lines_and_unknown_totals_are_printed_plainly()
    {
        var writer = new StringWriter();
        var sink = new ProgressReporter.LineSink("generate", 0, writer);
        sink.Status("writing 1,000 orders");
        sink.Finish();
        Assert.Contains("generate: writing 1,000 orders", writer.ToString(), StringComparison.Ordinal);
        Assert.Contains("done", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Quiet_reports_nothing_and_runs_the_body()
    {
        Assert.Equal(ProgressMode.Quiet, ProgressReporter.Detect(quiet: true));
        int result = 0;
        string err = ConsoleCapture.StandardError(() => result = ProgressReporter.Run("quiet", 3, ProgressMode.Quiet, p => { p.Increment(3); p.Status("x"); return 42; }));
        Assert.Equal(42, result);
        Assert.Equal("", err);
    }

    [Fact]
    public void Redirected_output_gets_lines_not_a_bar()
    {
        // Under the test runner stdout/stderr are redirected: the bar must not be chosen.
        if (!Console.IsErrorRedirected && !Console.IsOutputRedirected) return;
        Assert.Equal(ProgressMode.Lines, ProgressReporter.Detect(quiet: false));
    }

    [Fact]
    public void Generate_with_quiet_prints_no_progress()
    {
        using var temp = new TempFolder("dispatch-gen");
        string dir = temp.Path;
        string err = ConsoleCapture.StandardError(() =>
        {
            Assert.Equal(0, Cli.Run(["generate", dir, "--orders", "1000", "--quiet"]));
            Assert.True(File.Exists(Path.Combine(dir, "orders.txt")));
        });
        Assert.DoesNotContain("generate:", err, StringComparison.Ordinal);
    }
}
