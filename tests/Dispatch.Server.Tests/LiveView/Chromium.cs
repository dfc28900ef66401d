using Microsoft.Playwright;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>
/// Debian's chromium for the live view's browser tests, driven by Playwright through its executable path (the
/// package's own browser download is never used). Without a chromium the tests are skipped naming the paths looked
/// at, except in CI (CI=true), where .ci/run installs it and a missing browser fails them.
/// </summary>
internal static class Chromium
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    public static string Require()
    {
        string? env = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        string? path = !string.IsNullOrEmpty(env) && File.Exists(env) ? env : Candidates.FirstOrDefault(File.Exists);
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (path is null && ci) throw new InvalidOperationException("CI=true but no chromium at " + string.Join(", ", Candidates) + " (.ci/run installs it)");
        Skip.If(path is null, "headless Chromium not found (" + string.Join(", ", Candidates) + "; install with: apt-get install -y chromium)");
        return path!;
    }

    /// <summary>A headless chromium and one page of a size that shows the map, the tiles and the side panels.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser, IPage Page)> OpenAsync(string url, int width = 1500, int height = 1050)
    {
        string exe = Require();
        var pw = await Playwright.CreateAsync();
        var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = exe,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.SetDefaultTimeout((float)TestServer.Timeout.TotalMilliseconds);
        await page.GotoAsync(url);
        return (pw, browser, page);
    }

    /// <summary>Where a test keeps its screenshots: the test's output folder, under live-view-artifacts/.</summary>
    public static string ArtifactPath(string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "live-view-artifacts");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}
