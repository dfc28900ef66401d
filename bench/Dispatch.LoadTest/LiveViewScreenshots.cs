using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Dispatch.LoadTest;

internal sealed record LiveViewScreenshotSettings(string Url, double[] AtMinutes, string OutDir, string Chromium, int Width, int Height);

/// <summary>
/// Screenshots of a running server's live view (bench/results/live-view/): waits until the engine time reaches each
/// given minute (a trace streamed by samples/SidecarClient), then saves the whole page, and once more with the busiest
/// courier selected (its route drawn, its timeline open). Debian's chromium through Playwright, nothing downloaded.
/// </summary>
internal static class LiveViewScreenshots
{
    public static async Task<int> RunAsync(LiveViewScreenshotSettings s)
    {
        Directory.CreateDirectory(s.OutDir);
        using var http = new HttpClient { BaseAddress = new Uri(s.Url), Timeout = TimeSpan.FromSeconds(30) };
        using var pw = await Playwright.CreateAsync().ConfigureAwait(false);
        await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = s.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        }).ConfigureAwait(false);
        foreach (double at in s.AtMinutes)
        {
            var (now, busiest) = await WaitForMinuteAsync(http, at).ConfigureAwait(false);
            string stamp = ((int)now).ToString(CultureInfo.InvariantCulture);
            await ShootAsync(browser, s, s.Url, Path.Combine(s.OutDir, $"minute-{stamp}.png")).ConfigureAwait(false);
            if (busiest >= 0)
                await ShootAsync(browser, s, s.Url + "#courier=" + busiest.ToString(CultureInfo.InvariantCulture), Path.Combine(s.OutDir, $"minute-{stamp}-courier-{busiest}.png")).ConfigureAwait(false);
        }
        return 0;
    }

    private static async Task ShootAsync(IBrowser browser, LiveViewScreenshotSettings s, string url, string path)
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = s.Width, Height = s.Height } }).ConfigureAwait(false);
        try
        {
            await page.GotoAsync(url).ConfigureAwait(false);
            await page.WaitForFunctionAsync("() => document.getElementById('conn').dataset.state === 'live' && +document.getElementById('live-map').dataset.orders > 0").ConfigureAwait(false);
            await page.WaitForTimeoutAsync(1500).ConfigureAwait(false); // a few feed messages and the timeline fetch
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true }).ConfigureAwait(false);
            Console.WriteLine("saved " + path);
        }
        finally
        {
            await page.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Polls /api/state until the engine time reaches <paramref name="minute"/>; returns the time and the courier with the most stops.</summary>
    private static async Task<(double Now, long Busiest)> WaitForMinuteAsync(HttpClient http, double minute)
    {
        while (true)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync("api/state").ConfigureAwait(false));
            var root = doc.RootElement;
            // The feed's own encoding (docs/live-view.md): t = engine time, c = couriers as [id, x, y, seenAt, shiftStart,
            // shiftEnd, stops, ...].
            double now = root.GetProperty("t").ValueKind == JsonValueKind.Number ? root.GetProperty("t").GetDouble() : double.NaN;
            if (now >= minute)
            {
                long busiest = -1;
                int most = 0;
                foreach (var c in root.GetProperty("c").EnumerateArray())
                {
                    int n = c[6].GetInt32();
                    if (n > most) { most = n; busiest = c[0].GetInt64(); }
                }
                return (now, busiest);
            }
            await Task.Delay(200).ConfigureAwait(false);
        }
    }
}
