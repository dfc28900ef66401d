using System.Net.Http.Headers;
using System.Text;
using Dispatch.Client;
using Dispatch.Server.Tests.Security;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>
/// A manual-clock server with the live view on an ephemeral HTTP port and the security tests' tokens file (so actions
/// can be tried with an operator's, a viewer's and a wrong token), plus a small city streamed through the .NET client:
/// three restaurants, five couriers, twelve orders, twelve one-minute ticks with the couriers' positions.
/// </summary>
internal sealed class LiveViewKit : IAsyncDisposable
{
    public const int Couriers = 5, Orders = 12;

    private LiveViewKit(TestServer server, TokensFile tokens, DispatchClient client)
    {
        Server = server;
        TokensFile = tokens;
        Client = client;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Server.HttpEndPoint!.Port}/"), Timeout = TestServer.Timeout };
    }

    public TestServer Server { get; }
    public TokensFile TokensFile { get; }
    public DispatchClient Client { get; }
    public HttpClient Http { get; }
    public string Url => Http.BaseAddress!.ToString();
    public string AuditFile => Path.Combine(Server.DataDirectory, "audit", "audit.jsonl");

    public static async Task<LiveViewKit> StartAsync(bool stream = true)
    {
        var tokens = new TokensFile();
        tokens.Write(Tokens.Lines());
        var server = await TestServer.StartAsync(o =>
        {
            o.HttpPort = 0;
            o.AuthTokens = tokens.Path;
            o.HttpFeedIntervalMs = 50; // tests wait for the page: a short interval keeps them quick
        });
        var client = await server.ConnectAsync(Tokens.As(Tokens.Operator, subscribe: true));
        var kit = new LiveViewKit(server, tokens, client);
        if (stream) await kit.StreamCityAsync();
        return kit;
    }

    /// <summary>The small city: sites, couriers, orders, ticks (the planner assigns), positions reported.</summary>
    public async Task StreamCityAsync()
    {
        var c = Client;
        await c.AddSiteAsync(1, 1000, 1000);
        await c.AddSiteAsync(2, 4000, 1500);
        await c.AddSiteAsync(3, 2500, 4000);
        for (int i = 0; i < Couriers; i++) await c.CourierOnShiftAsync(100 + i, 800 + 800 * i, 900 + 500 * i, 0, 600);
        for (int i = 0; i < Orders; i++)
            await c.PlaceOrderAsync(1000 + i, 1 + i % 3, 500 + 400 * i, 4500 - 300 * i, 0.5, 10 + i);
        // Minutes 1..12: the planner commits a courier only once it must leave, so a few minutes pass before couriers are busy.
        for (int t = 1; t <= 12; t++)
        {
            await c.TickAsync(t);
            for (int i = 0; i < Couriers; i++) await c.UpdateCourierPositionAsync(100 + i, 800 + 800 * i + 20 * t, 900 + 500 * i + 10 * t);
        }
    }

    /// <summary>POSTs an action with a bearer token (null: none).</summary>
    public async Task<(int Status, string Body)> ActAsync(string action, string json, string? token)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "api/actions/" + action) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var res = await Http.SendAsync(req);
        return ((int)res.StatusCode, await res.Content.ReadAsStringAsync());
    }

    /// <summary>Audit lines (the writer flushes after each batch: waits until <paramref name="until"/> holds).</summary>
    public async Task<string[]> AuditLinesAsync(Func<string[], bool> until)
    {
        var deadline = DateTime.UtcNow + TestServer.Timeout;
        string[] lines = [];
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(AuditFile))
            {
                using var f = new FileStream(AuditFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var r = new StreamReader(f);
                lines = (await r.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (until(lines)) return lines;
            }
            await Task.Delay(50);
        }
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        TokensFile.Dispose();
    }
}
