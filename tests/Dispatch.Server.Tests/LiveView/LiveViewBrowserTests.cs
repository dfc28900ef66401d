using System.Globalization;
using Dispatch.Protocol;
using Dispatch.Server.Tests.Security;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>
/// The live view in a real browser (Debian's chromium through Playwright): the server streams a small city through
/// the .NET client, the page draws it, its KPI tiles agree with the protocol's Counts, and actions typed into the page
/// reach the engine (cancel an order, draw a closure) while a wrong token and a viewer's token are refused.
/// Screenshots are kept in the test output folder (live-view-artifacts/).
/// </summary>
public class LiveViewBrowserTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Page_draws_couriers_and_orders_and_its_kpis_match_the_protocol_counts()
    {
        Chromium.Require();
        await using var kit = await LiveViewKit.StartAsync();
        var (pw, browser, page) = await Chromium.OpenAsync(kit.Url);
        using var _ = pw;
        await using var __ = browser;
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);

        await page.WaitForFunctionAsync($"() => +document.getElementById('live-map').dataset.couriers === {LiveViewKit.Couriers} && +document.getElementById('live-map').dataset.orders > 0");
        var counts = await kit.Client.GetCountsAsync();
        int inProgress = counts.Open + counts.Assigned + counts.PickedUp;
        // The tiles follow the feed: wait until they show the engine's figures (a timeout prints what they showed).
        await WaitForKpiAsync(page, "open-orders", inProgress);
        await WaitForKpiAsync(page, "unassigned", counts.Open);
        await WaitForKpiAsync(page, "delivered", counts.Delivered);
        await WaitForKpiAsync(page, "couriers-on-shift", LiveViewKit.Couriers);
        await WaitForKpiAsync(page, "orders-last-hour", LiveViewKit.Orders);
        Assert.Equal(inProgress, int.Parse((await page.GetAttributeAsync("#live-map", "data-orders"))!, CultureInfo.InvariantCulture));
        int busy = Kpi(await page.GetAttributeAsync("[data-kpi='couriers-busy']", "data-value"));
        int idle = Kpi(await page.GetAttributeAsync("[data-kpi='couriers-idle']", "data-value"));
        Assert.Equal(LiveViewKit.Couriers, busy + idle);
        Assert.True(busy > 0, "the planner assigned orders at the ticks, so some couriers are busy");

        // A courier's timeline through the search box.
        await page.SelectOptionAsync("#search-type", "courier");
        await page.FillAsync("#search-id", "100");
        await page.ClickAsync("#search button");
        await page.WaitForFunctionAsync("() => +(document.getElementById('timeline').dataset.lines || 0) > 0");
        Assert.Contains("on shift", await page.InnerTextAsync("#timeline"));

        string shot = Chromium.ArtifactPath("live-view-small-city.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        output.WriteLine("screenshot: " + shot);
        Assert.True(new FileInfo(shot).Length > 10_000);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Actions_from_the_page_reach_the_engine_and_wrong_or_viewer_tokens_are_refused()
    {
        Chromium.Require();
        await using var kit = await LiveViewKit.StartAsync();
        var (pw, browser, page) = await Chromium.OpenAsync(kit.Url);
        using var _ = pw;
        await using var __ = browser;
        await page.WaitForFunctionAsync($"() => +document.getElementById('live-map').dataset.orders > 0");
        const long victim = 1003;

        // A wrong token: the page says refused, the action is 401, the engine keeps the order, the audit has the refusal.
        await UseTokenAsync(page, "not-a-token");
        Assert.StartsWith("refused", await page.InnerTextAsync("#who"));
        await CancelFromPageAsync(page, victim);
        await page.WaitForFunctionAsync("() => document.getElementById('action-result').dataset.http === '401'");
        Assert.NotEqual(WireOrderStatus.Cancelled, (await kit.Client.GetOrderAsync(victim)).Status);

        // A viewer's token: known, but its role may not cancel: 403.
        await UseTokenAsync(page, Tokens.Viewer);
        Assert.Contains("(viewer", await page.InnerTextAsync("#who"));
        await CancelFromPageAsync(page, victim);
        await page.WaitForFunctionAsync("() => document.getElementById('action-result').dataset.http === '403'");
        Assert.NotEqual(WireOrderStatus.Cancelled, (await kit.Client.GetOrderAsync(victim)).Status);

        // The operator: the cancel reaches the engine (the protocol sees it) and the page drops the order from the map.
        int ordersBefore = int.Parse((await page.GetAttributeAsync("#live-map", "data-orders"))!, CultureInfo.InvariantCulture);
        await UseTokenAsync(page, Tokens.Operator);
        Assert.Contains("ops-alice (operator)", await page.InnerTextAsync("#who"));
        await CancelFromPageAsync(page, victim);
        await page.WaitForFunctionAsync("() => document.getElementById('action-result').dataset.http === '200'");
        Assert.Equal(WireOrderStatus.Cancelled, (await kit.Client.GetOrderAsync(victim)).Status);
        await page.WaitForFunctionAsync($"() => +document.getElementById('live-map').dataset.orders === {ordersBefore - 1}");
        await WaitForKpiAsync(page, "cancelled", 1);

        // A closure drawn on the map: three clicks, Finish; the engine's traffic picture takes it and the map shows it.
        await page.ClickAsync("#draw-closure");
        var box = (await page.Locator("#live-map").BoundingBoxAsync())!;
        foreach (var (fx, fy) in new[] { (0.30, 0.30), (0.55, 0.30), (0.45, 0.60) })
            await page.Mouse.ClickAsync(box.X + box.Width * (float)fx, box.Y + box.Height * (float)fy);
        await page.ClickAsync("#draw-done");
        await page.WaitForFunctionAsync("() => document.getElementById('action-result').dataset.http === '200' && document.getElementById('action-result').textContent.startsWith('closure')");
        await page.WaitForFunctionAsync("() => +document.getElementById('live-map').dataset.zones === 1");

        string shot = Chromium.ArtifactPath("live-view-after-actions.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        output.WriteLine("screenshot: " + shot);

        // Journaled and audited like any command: the accepted ones under the operator's name, the refusals with their reason.
        var audit = await kit.AuditLinesAsync(l => l.Any(x => x.Contains("\"AddClosure\"", StringComparison.Ordinal)));
        Assert.Contains(audit, l => l.Contains("\"CancelOrder\"", StringComparison.Ordinal) && l.Contains("ops-alice", StringComparison.Ordinal) && !l.Contains("refused", StringComparison.Ordinal));
        Assert.Contains(audit, l => l.Contains("\"AddClosure\"", StringComparison.Ordinal) && l.Contains("ops-alice", StringComparison.Ordinal));
        Assert.Contains(audit, l => l.Contains("\"refused\":\"401", StringComparison.Ordinal));
        Assert.Contains(audit, l => l.Contains("\"refused\":\"403", StringComparison.Ordinal) && l.Contains("wallboard", StringComparison.Ordinal));
    }

    private static async Task UseTokenAsync(IPage page, string token)
    {
        string before = await page.InnerTextAsync("#who");
        await page.FillAsync("#token", token);
        await page.ClickAsync("#use-token");
        await page.WaitForFunctionAsync("b => document.getElementById('who').textContent !== b", before);
    }

    private static async Task CancelFromPageAsync(IPage page, long orderId)
    {
        await page.EvaluateAsync("() => { const r = document.getElementById('action-result'); r.dataset.http = ''; r.textContent = ''; }");
        await page.FillAsync("form[data-action='cancel-order'] input[name='orderId']", orderId.ToString(CultureInfo.InvariantCulture));
        await page.ClickAsync("form[data-action='cancel-order'] button");
    }

    private static int Kpi(string? value) => int.Parse(value ?? "-1", CultureInfo.InvariantCulture);

    private static async Task WaitForKpiAsync(IPage page, string name, double expected)
    {
        try
        {
            await page.WaitForFunctionAsync("([n, v]) => { const e = document.querySelector(`[data-kpi='${n}']`); return e && e.dataset.value !== '' && +e.dataset.value === v; }",
                new object[] { name, expected }, new PageWaitForFunctionOptions { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            string? shown = await page.GetAttributeAsync($"[data-kpi='{name}']", "data-value");
            Assert.Fail($"KPI {name}: the page shows '{shown}', the engine says {expected}");
        }
    }
}
