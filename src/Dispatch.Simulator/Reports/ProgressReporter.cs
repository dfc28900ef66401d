using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Dispatch.Simulator.Reports;

/// <summary>Where a long command reports its progress; every member is thread-safe.</summary>
public interface IProgressSink
{
    /// <summary>Marks <paramref name="count"/> more units done.</summary>
    void Increment(int count = 1);

    /// <summary>Names the current step (shown beside the bar, or printed as a line).</summary>
    void Status(string text);
}

/// <summary>How progress is shown.</summary>
public enum ProgressMode
{
    /// <summary>A live bar with percentage, elapsed time and ETA (an interactive ANSI terminal on stderr).</summary>
    Bar,

    /// <summary>Plain periodic lines on stderr (output redirected, CI, dumb terminal).</summary>
    Lines,

    /// <summary>Nothing (--quiet).</summary>
    Quiet,
}

/// <summary>
/// Progress for long commands (replay-all, generate): a Spectre.Console bar with ETA on stderr when
/// it is an interactive terminal, plain lines (every 10% or 10 seconds) when it is redirected,
/// nothing with --quiet. Stdout stays free for the command's results.
/// </summary>
public static class ProgressReporter
{
    /// <summary>The mode for this process: Quiet if asked, Bar on an interactive ANSI stderr, Lines otherwise.</summary>
    public static ProgressMode Detect(bool quiet)
    {
        if (quiet) return ProgressMode.Quiet;
        if (Console.IsErrorRedirected || Console.IsOutputRedirected) return ProgressMode.Lines;
        var caps = ErrorConsole().Profile.Capabilities;
        return caps.Interactive && caps.Ansi ? ProgressMode.Bar : ProgressMode.Lines;
    }

    private static IAnsiConsole ErrorConsole() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>
    /// Runs <paramref name="body"/> with a sink for <paramref name="total"/> units (0 or less: unknown,
    /// an indeterminate bar) and returns its result.
    /// </summary>
    public static T Run<T>(string title, int total, ProgressMode mode, Func<IProgressSink, T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        switch (mode)
        {
            case ProgressMode.Quiet:
                return body(QuietSink.Instance);
            case ProgressMode.Bar:
                return ErrorConsole().Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
                        task.IsIndeterminate = total <= 0;
                        var result = body(new BarSink(task, title));
                        task.IsIndeterminate = false;
                        task.Value = task.MaxValue;
                        return result;
                    });
            default:
                var sink = new LineSink(title, total, Console.Error);
                var r = body(sink);
                sink.Finish();
                return r;
        }
    }

    private sealed class QuietSink : IProgressSink
    {
        public static readonly QuietSink Instance = new();

        public void Increment(int count = 1) { }

        public void Status(string text) { }
    }

    private sealed class BarSink(ProgressTask task, string title) : IProgressSink
    {
        public void Increment(int count = 1) => task.Increment(count); // ProgressTask locks internally

        public void Status(string text) => task.Description = Markup.Escape($"{title}: {text}");
    }

    /// <summary>Plain lines: at each further 10% of the total, at most every 10 seconds otherwise, and at the end.</summary>
    internal sealed class LineSink(string title, int total, TextWriter writer) : IProgressSink
    {
        private readonly object _gate = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _done, _lastDecile;
        private double _lastPrint;

        public int Done { get { lock (_gate) return _done; } }

        public void Increment(int count = 1)
        {
            lock (_gate)
            {
                _done += count;
                double now = _clock.Elapsed.TotalSeconds;
                int decile = total > 0 ? (int)(10L * _done / total) : 0;
                bool finished = total > 0 && _done >= total;
                if (decile > _lastDecile || finished || now - _lastPrint >= 10)
                {
                    _lastDecile = decile;
                    _lastPrint = now;
                    writer.WriteLine(Line(now));
                }
            }
        }

        public void Status(string text)
        {
            lock (_gate) writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {title}: {text} ({_clock.Elapsed.TotalSeconds:F1} s)"));
        }

        public void Finish()
        {
            lock (_gate)
            {
                if (total > 0 && _done >= total) return; // the last increment printed the final line
                writer.WriteLine(Line(_clock.Elapsed.TotalSeconds) + " done");
            }
        }

        private string Line(double elapsed)
        {
            var inv = CultureInfo.InvariantCulture;
            if (total <= 0) return string.Create(inv, $"  {title}: {_done}, {elapsed:F1} s");
            string eta = _done > 0 && _done < total ? string.Create(inv, $", ETA {elapsed / _done * (total - _done):F0} s") : "";
            return string.Create(inv, $"  {title}: {_done}/{total} ({100.0 * _done / total:F0}%), {elapsed:F1} s{eta}");
        }
    }
}
