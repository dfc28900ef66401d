using System.Diagnostics;
using System.Text.RegularExpressions;
using Dispatch.Simulator.Reports;
using Xunit.Abstractions;

namespace Dispatch.Simulator.Tests.Reports;

/// <summary>
/// The run report as an operator sees it: opened in headless Chromium (no network), its rendered
/// DOM holds every chart and the map with drawn content, the page logs no console errors, and a
/// screenshot is kept as a test artifact. Without Chromium the tests are skipped, naming the paths
/// looked at, except in CI (CI=true), where .ci/run installs it and a missing browser is a failure.
/// </summary>
public class BrowserReportTests(ReportFixture fixture, ITestOutputHelper output) : IClassFixture<ReportFixture>
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    private static string? FindChromium()
    {
        string? env = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
        return Candidates.FirstOrDefault(File.Exists);
    }

    private static string RequireChromium()
    {
        string? path = FindChromium();
        TestPaths.Require(path is not null, "headless Chromium not found (" + string.Join(", ", Candidates) + "; install with: apt-get install -y chromium)");
        return path!;
    }

    private sealed record BrowserRun(int ExitCode, string Stdout, string Stderr);

    private static BrowserRun RunChromium(string chromium, string page, params string[] extra)
    {
        string profile = Path.Combine(Path.GetTempPath(), "dispatch-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        try
        {
            var psi = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0" })
                psi.ArgumentList.Add(a);
            foreach (var a in extra) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(new Uri(page).AbsoluteUri);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + chromium);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within 120 s on {page}");
            }
            return new BrowserRun(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Console errors and uncaught exceptions Chromium logged for <paramref name="pageFile"/>.</summary>
    internal static List<string> ConsoleErrors(string stderr, string pageFile) =>
        stderr.Split('\n')
            .Where(l => l.Contains(pageFile, StringComparison.Ordinal)
                        && (l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains(":CONSOLE", StringComparison.Ordinal)
                            || l.Contains("console error", StringComparison.OrdinalIgnoreCase)))
            .ToList();

    [SkippableFact]
    public void Headless_chromium_renders_every_chart_and_the_map_without_console_errors()
    {
        string chromium = RequireChromium();
        string run = fixture.EngineRun();
        string page = Path.Combine(run, RunReport.FileName);

        var dom = RunChromium(chromium, page, "--dump-dom");
        Assert.True(dom.ExitCode == 0, $"chromium --dump-dom exited {dom.ExitCode}: {dom.Stderr}");
        Assert.Contains("</html>", dom.Stdout, StringComparison.Ordinal);
        foreach (var id in RunReport.ChartIds)
        {
            var m = Regex.Match(dom.Stdout, $"<svg[^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>(.*?)</svg>", RegexOptions.Singleline);
            Assert.True(m.Success, $"rendered DOM has no <svg id=\"{id}\">");
            string content = m.Groups[1].Value;
            int marks = Regex.Matches(content, "<(rect|polyline|polygon|circle|path|line)\\b").Count;
            Assert.True(marks >= 5, $"#{id} has only {marks} drawn elements");
            Assert.Matches(id == RunReport.MapId ? "class=\"(restaurants|routes)\"" : "class=\"(bar|series)\"", content);
        }
        var errors = ConsoleErrors(dom.Stderr, RunReport.FileName);
        Assert.True(errors.Count == 0, "console errors: " + string.Join("\n", errors));

        string shotDir = Path.Combine(TestPaths.RepoRoot, "tests", "Dispatch.Simulator.Tests", "TestResults", "report");
        Directory.CreateDirectory(shotDir);
        string shot = Path.Combine(shotDir, $"report-{ReportFixture.InstanceName}.png");
        if (File.Exists(shot)) File.Delete(shot);
        var screenshot = RunChromium(chromium, page, "--screenshot=" + shot, "--window-size=1400,3000", "--hide-scrollbars");
        Assert.True(screenshot.ExitCode == 0, $"chromium --screenshot exited {screenshot.ExitCode}: {screenshot.Stderr}");
        Assert.True(File.Exists(shot) && new FileInfo(shot).Length > 10_000, "no screenshot at " + shot);
        Assert.Empty(ConsoleErrors(screenshot.Stderr, RunReport.FileName));
        output.WriteLine("screenshot: " + shot);
        Console.WriteLine("report screenshot: " + shot);
    }

    [SkippableFact]
    public void The_console_error_check_catches_a_broken_page()
    {
        // The detector itself, on a page that logs an error and throws: it must not pass silently.
        string chromium = RequireChromium();
        string dir = Path.Combine(Path.GetTempPath(), "dispatch-broken-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string page = Path.Combine(dir, "broken.html");
            File.WriteAllText(page, "<!DOCTYPE html><html><body><p>x</p><script>console.error('boom'); notDefined();</script></body></html>");
            var run = RunChromium(chromium, page, "--dump-dom");
            var errors = ConsoleErrors(run.Stderr, "broken.html");
            Assert.Contains(errors, l => l.Contains("boom", StringComparison.Ordinal));
            Assert.Contains(errors, l => l.Contains("Uncaught", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
