using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dispatch.Protocol;
using Dispatch.Server.LiveView;
using Dispatch.Server.Tests.Security;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>The live view's plumbing without a browser: the engine's ring, the shared feed, the actions' input checks, the HTTP answers.</summary>
public class LiveFeedTests
{
    [Fact]
    public void Ring_hands_every_event_to_a_reader_that_keeps_up_and_tells_one_that_fell_behind()
    {
        var ring = new LiveRing(8);
        for (int i = 0; i < 5; i++) ring.Write(new LiveEvent { Kind = LiveEventKind.Tick, Id = i });
        for (int i = 0; i < 5; i++)
        {
            Assert.True(ring.TryRead(i, out var e));
            Assert.Equal(i, e.Id);
        }
        Assert.False(ring.TryRead(5, out _)); // not written yet
        for (int i = 5; i < 20; i++) ring.Write(new LiveEvent { Kind = LiveEventKind.Tick, Id = i });
        Assert.False(ring.TryRead(3, out _)); // overwritten: the writer never waits for a reader
        Assert.True(ring.TryRead(19, out var last));
        Assert.Equal(19, last.Id);
    }

    [Fact]
    public async Task A_ring_reader_racing_the_writer_never_gets_half_of_an_event()
    {
        var ring = new LiveRing(64);
        using var stop = new CancellationTokenSource();
        var writer = Task.Factory.StartNew(() =>
        {
            for (long k = 1; !stop.IsCancellationRequested; k++)
                ring.Write(new LiveEvent { Kind = LiveEventKind.Tick, Count = (int)k, Id = k, Other = k, At = k, X = k, Y = k, T1 = k, T2 = k, Value = k });
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default); // its own thread: the reader below spins
        long reads = 0;
        var until = DateTime.UtcNow.AddMilliseconds(300);
        while (DateTime.UtcNow < until || (reads == 0 && DateTime.UtcNow < until.AddSeconds(10)))
        {
            long head = ring.Head;
            for (long s = Math.Max(0, head - 8); s < head; s++)
            {
                if (!ring.TryRead(s, out var e)) continue;
                Assert.True(e.Id == s + 1 && e.Count == e.Id && e.Other == e.Id && e.At == e.Id && e.X == e.Id && e.Y == e.Id && e.T1 == e.Id && e.T2 == e.Id && e.Value == e.Id,
                    $"torn event at {s}: {e.Id} {e.Count} {e.At} {e.Value}");
                reads++;
            }
        }
        stop.Cancel();
        await writer;
        Assert.True(reads > 0);
    }

    [Fact]
    public void Projection_counts_what_it_missed_when_the_engine_laps_the_ring()
    {
        var ring = new LiveRing(1024);
        var stats = new LiveViewStats();
        var p = new LiveProjection(ring, new LivePositions(), new LiveEtaLog(1024), stats, 4, double.PositiveInfinity, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        for (int i = 0; i < 3000; i++) ring.Write(new LiveEvent { Kind = LiveEventKind.Tick, At = i });
        p.Pass();
        Assert.Equal(3000 - 1024, stats.EventsLost);
        Assert.Equal(2999, p.Now);
    }

    [Fact]
    public void Broadcast_drops_a_viewer_that_falls_more_than_its_backlog_behind()
    {
        var b = new LiveBroadcast(4);
        Assert.Equal(LiveBroadcast.ChunkState.NotYet, b.TryGet(0, out _, out var wait));
        Assert.False(wait!.IsCompleted);
        b.Publish([1]);
        Assert.True(wait.IsCompleted); // a waiting viewer wakes
        for (byte i = 2; i <= 6; i++) b.Publish([i]);
        Assert.Equal(LiveBroadcast.ChunkState.Gone, b.TryGet(0, out _, out _));
        Assert.Equal(LiveBroadcast.ChunkState.Ready, b.TryGet(5, out var chunk, out _));
        Assert.Equal(6, chunk![0]);
    }

    [Theory]
    [InlineData("cancel-order", "{}", "orderId")]
    [InlineData("cancel-order", "{\"orderId\":\"x\"}", "orderId")]
    [InlineData("ready-time", "{\"orderId\":1}", "readyAt")]
    [InlineData("ready-time", "{\"orderId\":1,\"readyAt\":\"soon\"}", "readyAt")]
    [InlineData("closure", "{\"points\":[0,0,1,1]}", "points")]
    [InlineData("closure", "{\"kind\":\"circle\",\"points\":[0,0,1,1,2,2]}", "kind")]
    [InlineData("congestion", "{\"points\":[0,0,1,1,2,2]}", "speedFactor")]
    [InlineData("congestion", "{\"speedFactor\":0.5,\"points\":[0,0,1,1,2]}", "points")]
    [InlineData("citywide", "{\"speedFactor\":0.7,\"to\":\"later\"}", "to")]
    [InlineData("launch-rocket", "{}", "action")]
    public void A_bad_action_body_is_refused_naming_its_field(string action, string json, string field)
    {
        using var doc = JsonDocument.Parse(json);
        var ex = Assert.Throws<LiveActionException>(() => LiveActions.Parse(action, doc.RootElement, 10, 99));
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Actions_become_the_protocols_commands()
    {
        static Command P(string a, string json) { using var d = JsonDocument.Parse(json); return LiveActions.Parse(a, d.RootElement, 30, 77); }
        Assert.Equal(Command.CancelOrder(0, 5), P("cancel-order", "{\"orderId\":5}"));
        Assert.Equal(Command.CourierOffShift(0, 7), P("courier-off-shift", "{\"courierId\":\"7\"}"));
        Assert.Equal(Command.ChangeReadyTime(0, 5, 42), P("ready-time", "{\"orderId\":5,\"readyAt\":42}"));
        Assert.Equal(Command.SetCitywideFactor(0, 0.7, 30, double.PositiveInfinity), P("citywide", "{\"speedFactor\":0.7}"));
        Assert.Equal(Command.AddClosure(0, 77, 30, 60, WireClosureKind.Line, [0, 0, 10, 10]), P("closure", "{\"kind\":\"line\",\"to\":60,\"points\":[0,0,10,10]}"));
        Assert.Equal(Command.AddCongestionZone(0, 3, 0.4, 35, double.PositiveInfinity, [0, 0, 10, 0, 10, 10]), P("congestion", "{\"zoneId\":3,\"speedFactor\":0.4,\"from\":35,\"points\":[0,0,10,0,10,10]}"));
    }

    [Fact]
    public async Task Actions_need_a_credential_whose_role_allows_them_and_bad_input_is_400()
    {
        await using var kit = await LiveViewKit.StartAsync(stream: false);
        await kit.Client.AddSiteAsync(1, 0, 0);
        await kit.Client.PlaceOrderAsync(10, 1, 100, 100, 0, 5);

        var (status, body) = await kit.ActAsync("cancel-order", "{\"orderId\":10}", null);
        Assert.Equal(401, status);
        Assert.Contains("token", body);
        (status, _) = await kit.ActAsync("cancel-order", "{\"orderId\":10}", "wrong");
        Assert.Equal(401, status);
        (status, body) = await kit.ActAsync("cancel-order", "{\"orderId\":10}", Tokens.Viewer);
        Assert.Equal(403, status);
        Assert.Contains("may not send CancelOrder", body);
        (status, body) = await kit.ActAsync("cancel-order", "{\"order\":10}", Tokens.Operator);
        Assert.Equal(400, status);
        Assert.Contains("\"field\":\"orderId\"", body);
        (status, body) = await kit.ActAsync("cancel-order", "{\"orderId\":999}", Tokens.Operator);
        Assert.Equal(404, status); // the engine's own refusal, as its error code
        Assert.Contains("999", body);
        Assert.NotEqual(WireOrderStatus.Cancelled, (await kit.Client.GetOrderAsync(10)).Status);

        (status, body) = await kit.ActAsync("cancel-order", "{\"orderId\":10}", Tokens.Integration);
        Assert.Equal(200, status);
        Assert.Contains("\"ok\":true", body);
        Assert.Equal(WireOrderStatus.Cancelled, (await kit.Client.GetOrderAsync(10)).Status);
        (status, _) = await kit.ActAsync("citywide", "{\"speedFactor\":0.7}", Tokens.Operator);
        Assert.Equal(200, status);

        var audit = await kit.AuditLinesAsync(l => l.Count(x => x.Contains("refused", StringComparison.Ordinal)) >= 3 && l.Any(x => x.Contains("SetCitywideFactor", StringComparison.Ordinal)));
        Assert.Equal(2, audit.Count(l => l.Contains("\"refused\":\"401", StringComparison.Ordinal)));
        Assert.Single(audit, l => l.Contains("\"refused\":\"403", StringComparison.Ordinal));
        Assert.Contains(audit, l => l.Contains("\"CancelOrder\"", StringComparison.Ordinal) && l.Contains("shop-system", StringComparison.Ordinal) && !l.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_tokens_file_the_view_is_read_only()
    {
        await using var server = await TestServer.StartAsync(o => o.HttpPort = 0);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Server.HttpEndPoint!.Port}/") };
        using var res = await http.PostAsync("api/actions/cancel-order", new StringContent("{\"orderId\":1}", Encoding.UTF8, "application/json"));
        Assert.Equal(403, (int)res.StatusCode);
        Assert.Contains("read-only", await res.Content.ReadAsStringAsync());
        string page = await http.GetStringAsync("");
        Assert.Contains("id=\"live-map\"", page);
        Assert.DoesNotContain("https://", page); // nothing from outside the machine
    }

    [Fact]
    public async Task Feed_starts_with_the_whole_picture_then_the_engines_events()
    {
        await using var kit = await LiveViewKit.StartAsync(stream: false);
        using var res = await kit.Http.GetAsync("api/feed", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
        var first = await ReadEventAsync(reader);
        Assert.Contains("event: state", first);
        Assert.Contains("\"all\":1", first);
        await kit.Client.AddSiteAsync(1, 0, 0);
        await kit.Client.CourierOnShiftAsync(7, 10, 10, 0, 600);
        await kit.Client.PlaceOrderAsync(10, 1, 100, 100, 0, 5);
        // Deltas of the map: the courier in "c", the order in "o" as [id, x, y, promise, drop-off, courier, status].
        JsonElement? order = null;
        bool courier = false, kpi = false;
        while (order is null)
        {
            string data = DataOf(await ReadEventAsync(reader));
            if (data.Length == 0) continue; // a keep-alive comment
            using var doc = JsonDocument.Parse(data);
            var m = doc.RootElement;
            if (m.TryGetProperty("c", out var cs)) courier |= cs.EnumerateArray().Any(c => c[0].GetInt64() == 7);
            kpi |= m.TryGetProperty("kpi", out _);
            if (m.TryGetProperty("o", out var os))
                foreach (var o in os.EnumerateArray()) if (o[0].GetInt64() == 10) order = o.Clone();
        }
        Assert.True(courier, "courier 7 came in a message before or with the order");
        Assert.True(kpi, "the KPI values came");
        Assert.Equal(100, order.Value[1].GetDouble()); // x
        Assert.Equal(JsonValueKind.Number, order.Value[3].ValueKind); // the promise made at placement
        Assert.Equal(0, order.Value[6].GetInt32()); // open
    }

    [Fact]
    public async Task A_browser_that_stops_reading_is_dropped_and_counted_while_the_engine_goes_on()
    {
        var tokens = new TokensFile();
        tokens.Write(Tokens.Lines());
        await using var server = await TestServer.StartAsync(o => { o.HttpPort = 0; o.HttpViewerBacklog = 2; o.HttpFeedIntervalMs = 20; });
        int port = server.Server.HttpEndPoint!.Port;
        // A browser that asks for the feed and then reads nothing: its socket buffers fill, then it lags the feed.
        using var stalled = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", port);
        await stalled.SendAsync(Encoding.ASCII.GetBytes($"GET /api/feed HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"), SocketFlags.None);
        await using var c = await server.ConnectAsync();
        for (int i = 0; i < 500; i++) await c.CourierOnShiftAsync(i, i, i, 0, 600);
        var deadline = DateTime.UtcNow + TestServer.Timeout;
        long dropped = 0;
        for (int round = 0; dropped == 0 && DateTime.UtcNow < deadline; round++)
        {
            var moves = new List<Task>();
            for (int i = 0; i < 500; i++) moves.Add(c.UpdateCourierPositionAsync(i, i + round, i + round));
            await Task.WhenAll(moves); // the engine acknowledges at its own pace, viewers or not
            dropped = server.Server.LiveViewStats!.ViewersDropped;
        }
        Assert.True(dropped >= 1, "the stalled browser should have been dropped");
        tokens.Dispose();
    }

    /// <summary>The data lines of one SSE event, joined.</summary>
    internal static string DataOf(string sseEvent) =>
        string.Concat(sseEvent.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..].TrimEnd('\r')));

    private static async Task<string> ReadEventAsync(StreamReader reader)
    {
        var sb = new StringBuilder();
        while (await reader.ReadLineAsync().WaitAsync(TestServer.Timeout) is { } line)
        {
            if (line.Length == 0 && sb.Length > 0) return sb.ToString();
            sb.AppendLine(line);
        }
        return sb.ToString();
    }
}
