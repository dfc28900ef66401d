using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Dispatch.Protocol;
using Dispatch.Server.Engine;
using Dispatch.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.LiveView;

/// <summary>
/// The live operations view on its own HTTP port (<see cref="ServerOptions.HttpPort"/>): Kestrel with a handful of
/// minimal-API routes. <c>/</c> the page (one static file, embedded; nothing from outside the machine), <c>/api/feed</c>
/// the Server-Sent Events feed (the whole picture first, then one message per interval), <c>/api/state</c>,
/// <c>/api/timeline</c>, <c>/api/stats</c>, <c>/api/whoami</c>, and <c>POST /api/actions/{name}</c>: the page's actions
/// as protocol commands through the engine's inbox, for a credential of the tokens file whose role allows them
/// (read-only without one; a missing or wrong token is 401 and audited, a role without the permission 403).
/// </summary>
internal sealed class LiveViewServer : IAsyncDisposable
{
    public const string PageResource = "Dispatch.Server.LiveView.live.html";

    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15), ActionTimeout = TimeSpan.FromSeconds(15);

    private readonly ServerOptions _options;
    private readonly EngineHost _engine;
    private readonly ServerSecurity _security;
    private readonly ILogger _log;
    private readonly LiveProjection _projection;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _page;
    private WebApplication? _app;
    private Task? _passes;
    private long _nextRid, _nextZoneId;

    public LiveViewServer(ServerOptions options, EngineHost engine, ServerSecurity security, ILogger log)
    {
        _options = options;
        _engine = engine;
        _security = security;
        _log = log;
        var live = engine.Live ?? throw new InvalidOperationException("the engine was built without the live view's ring (HttpPort unset)");
        _projection = new LiveProjection(live.Ring, live.Positions, live.Etas, Stats, options.HttpViewerBacklog, options.Engine.FinishedOrderRetentionMinutes, log,
            () => live.Seeded);
        _page = LoadPage();
        // Ids for zones and closures drawn on the page: from the wall clock, so a restarted server does not reuse one.
        _nextZoneId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    public LiveViewStats Stats { get; } = new();

    /// <summary>The bound address (after start).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    internal LiveProjection Projection => _projection;

    private static byte[] LoadPage()
    {
        using var s = typeof(LiveViewServer).Assembly.GetManifestResourceStream(PageResource)
            ?? throw new InvalidOperationException($"embedded resource {PageResource} is missing from the build");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        var address = IPAddress.Parse(_options.HttpAddress);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(address, _options.HttpPort ?? 0);
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.MapGet("/", (RequestDelegate)Page);
        app.MapGet("/index.html", (RequestDelegate)Page);
        app.MapGet("/api/feed", (RequestDelegate)FeedAsync);
        app.MapGet("/api/state", (RequestDelegate)StateAsync);
        app.MapGet("/api/timeline", (RequestDelegate)TimelineAsync);
        app.MapGet("/api/stats", (RequestDelegate)StatsAsync);
        app.MapGet("/api/whoami", (RequestDelegate)WhoAmIAsync);
        app.MapPost("/api/actions/{action}", (RequestDelegate)ActionAsync);
        await app.StartAsync().ConfigureAwait(false);
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        EndPoint = bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out var uri) ? new IPEndPoint(address, uri.Port) : new IPEndPoint(address, _options.HttpPort ?? 0);
        _passes = Task.Run(() => _projection.RunAsync(TimeSpan.FromMilliseconds(_options.HttpFeedIntervalMs), _stop.Token));
        _log.LogInformation("Live view on http://{Address}:{Port}/ ({Actions})", EndPoint.Address, EndPoint.Port,
            _security.RequiresAuthentication ? "actions for credentials of the tokens file" : "read-only: no --auth-tokens, so no action is accepted");
    }

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel(); // ends the passes and every open feed
        if (_app is not null) await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_passes is not null) await _passes.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    // ------------------------------------------------------------------ read-only routes

    private Task Page(HttpContext ctx)
    {
        var r = ctx.Response;
        r.ContentType = "text/html; charset=utf-8";
        r.Headers.CacheControl = "no-store";
        // The page reaches nothing but this server: no CDN, no tiles, no fonts from elsewhere.
        r.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";
        return r.Body.WriteAsync(_page, ctx.RequestAborted).AsTask();
    }

    private Task StateAsync(HttpContext ctx) => Json(ctx, 200, _projection.State().Json);

    private Task TimelineAsync(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        bool order = q.ContainsKey("order");
        if (!order && !q.ContainsKey("courier")) return Problem(ctx, 400, "bad-input", "order", "give ?order=<id> or ?courier=<id>");
        string field = order ? "order" : "courier";
        if (!long.TryParse(q[field].ToString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long id))
            return Problem(ctx, 400, "bad-input", field, "must be an integer id");
        return Json(ctx, 200, _projection.Timeline(order, id));
    }

    private Task StatsAsync(HttpContext ctx)
    {
        var s = Stats;
        string json = $$"""{"viewersOpen":{{s.ViewersOpen}},"viewersTotal":{{s.ViewersTotal}},"viewersDropped":{{s.ViewersDropped}},"eventsLost":{{s.EventsLost}},"messages":{{s.Messages}},"messageBytes":{{s.MessageBytes}},"positionsSampled":{{s.PositionsSampled}},"etasFolded":{{s.EtasFolded}},"etasNotNews":{{s.EtasNotNews}},"coalesced":{{s.Coalesced}},"exceptionsSummarised":{{s.ExceptionsSummarised}},"actions":{{s.Actions}},"actionsRefused":{{s.ActionsRefused}},"ringEvents":{{_engine.Live!.Ring.Head}}}""";
        return Json(ctx, 200, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>What the page asks when the operator types a token: who it is and whether it may act.</summary>
    private Task WhoAmIAsync(HttpContext ctx)
    {
        if (!_security.RequiresAuthentication) return Problem(ctx, 403, "read-only", "token", "this server has no tokens file (--auth-tokens): the live view is read-only");
        var who = Authenticate(ctx, out string reason);
        if (who is null) return Problem(ctx, 401, "unauthenticated", "token", reason);
        var probe = Command.CancelOrder(0, 0);
        bool canAct = CommandPolicy.Check(who, probe) != PolicyVerdict.Forbidden;
        string json = JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = who.Name, ["role"] = who.Role.Name(), ["canAct"] = canAct }, LiveJsonContext.Default.DictionaryStringObject);
        return Json(ctx, 200, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>
    /// The feed: "state" (the whole picture) then the broadcast's messages from the one right after it, so nothing falls
    /// between. A browser that falls more than <see cref="ServerOptions.HttpViewerBacklog"/> messages behind is told
    /// "dropped" and closed (counted); its EventSource reconnects and starts again from a fresh picture.
    /// </summary>
    private async Task FeedAsync(HttpContext ctx)
    {
        var r = ctx.Response;
        r.ContentType = "text/event-stream";
        r.Headers.CacheControl = "no-store";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stop.Token);
        var ct = linked.Token;
        Stats.Opened();
        try
        {
            var (state, seq) = _projection.State();
            await r.Body.WriteAsync("retry: 2000\nevent: state\ndata: "u8.ToArray(), ct).ConfigureAwait(false);
            await r.Body.WriteAsync(state, ct).ConfigureAwait(false);
            await r.Body.WriteAsync("\n\n"u8.ToArray(), ct).ConfigureAwait(false);
            await r.Body.FlushAsync(ct).ConfigureAwait(false);
            var broadcast = _projection.Broadcast;
            // A browser whose socket takes no more for this long has missed the whole backlog the feed keeps: dropped.
            var stallLimit = TimeSpan.FromMilliseconds(Math.Max(1000, (double)_options.HttpViewerBacklog * _options.HttpFeedIntervalMs));
            while (!ct.IsCancellationRequested)
            {
                switch (broadcast.TryGet(seq, out var chunk, out var wait))
                {
                    case LiveBroadcast.ChunkState.Ready:
                        seq++;
                        bool more = broadcast.TryGet(seq, out _, out _) == LiveBroadcast.ChunkState.Ready;
                        if (!await WriteWithinAsync(r, chunk!, flush: !more, stallLimit, ct).ConfigureAwait(false))
                        {
                            Drop(ctx, "its socket took nothing for " + stallLimit.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s");
                            return;
                        }
                        break;
                    case LiveBroadcast.ChunkState.NotYet:
                        try { await wait!.WaitAsync(KeepAlive, ct).ConfigureAwait(false); }
                        catch (TimeoutException)
                        {
                            if (!await WriteWithinAsync(r, KeepAliveComment, flush: true, stallLimit, ct).ConfigureAwait(false)) { Drop(ctx, "its socket took nothing"); return; }
                        }
                        break;
                    default:
                        Drop(ctx, $"it fell {_options.HttpViewerBacklog} messages behind");
                        await r.Body.WriteAsync("event: dropped\ndata: {\"reason\":\"too far behind; reconnecting\"}\n\n"u8.ToArray(), ct).ConfigureAwait(false);
                        return;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { } // the browser went away
        finally
        {
            Stats.Closed();
        }
    }

    private static readonly byte[] KeepAliveComment = ": keep-alive\n\n"u8.ToArray();

    private void Drop(HttpContext ctx, string why)
    {
        Stats.Dropped();
        _log.LogInformation("Live view: dropped a browser ({Remote}): {Why}", ctx.Connection.RemoteIpAddress, why);
    }

    /// <summary>Writes (and flushes) within <paramref name="limit"/>; false when the browser's socket would not take it
    /// in time, and then the connection is aborted (the pending write ends with it).</summary>
    private static async Task<bool> WriteWithinAsync(HttpResponse r, byte[] bytes, bool flush, TimeSpan limit, CancellationToken ct)
    {
        var write = WriteAsync(r, bytes, flush, ct);
        try
        {
            await write.WaitAsync(limit, ct).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            r.HttpContext.Abort();
            _ = write.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return false;
        }
    }

    private static async Task WriteAsync(HttpResponse r, byte[] bytes, bool flush, CancellationToken ct)
    {
        await r.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
        if (flush) await r.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ actions

    private async Task ActionAsync(HttpContext ctx)
    {
        string action = ctx.Request.RouteValues["action"] as string ?? "";
        string remote = $"{ctx.Connection.RemoteIpAddress}:{ctx.Connection.RemotePort}";
        var typeForAudit = TypeOf(action);
        if (!_security.RequiresAuthentication)
        {
            Stats.Refused();
            await Problem(ctx, 403, "read-only", "token", "this server has no tokens file (--auth-tokens): the live view is read-only, actions need a credential").ConfigureAwait(false);
            return;
        }
        var who = Authenticate(ctx, out string reason);
        if (who is null)
        {
            Stats.Refused();
            Audit(new Command(typeForAudit, 0), new Principal("unauthenticated", Role.Viewer, -1, null, CredentialKind.None, ""), remote, "401 " + reason);
            _log.LogInformation("Live view: action {Action} from {Remote} not authenticated: {Reason}", action, remote, reason);
            await Problem(ctx, 401, "unauthenticated", "token", reason).ConfigureAwait(false);
            return;
        }
        Command command;
        try
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
            command = LiveActions.Parse(action, doc.RootElement, _engine.Now, Interlocked.Increment(ref _nextZoneId));
        }
        catch (LiveActionException ex)
        {
            Stats.Refused();
            await Problem(ctx, 400, "bad-input", ex.Field, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (JsonException ex)
        {
            Stats.Refused();
            await Problem(ctx, 400, "bad-input", "body", "not JSON: " + ex.Message).ConfigureAwait(false);
            return;
        }
        command = command with { RequestId = (uint)Interlocked.Increment(ref _nextRid) };
        if (CommandPolicy.Check(who, command) == PolicyVerdict.Forbidden)
        {
            Stats.Refused();
            string why = CommandPolicy.Explain(who, command);
            Audit(command, who, remote, "403 " + why);
            await Problem(ctx, 403, "forbidden", "token", why).ConfigureAwait(false);
            return;
        }
        // The same path as a connection's command: the inbox, the router, the journal, the audit, an Ack or an Error.
        var target = new LiveActionTarget(who, remote);
        ServerMessage reply;
        try
        {
            await _engine.Inbox.WriteAsync(InboxItem.Request(command, target), ctx.RequestAborted).ConfigureAwait(false);
            Stats.Action();
            reply = await target.Reply.WaitAsync(ActionTimeout, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await Problem(ctx, 503, "stopping", "server", "the server is stopping").ConfigureAwait(false);
            return;
        }
        catch (TimeoutException)
        {
            await Problem(ctx, 504, "timeout", "server", $"the engine did not answer within {ActionTimeout.TotalSeconds:0} s").ConfigureAwait(false);
            return;
        }
        switch (reply)
        {
            case AckMessage ack:
                await Json(ctx, 200, Encoding.UTF8.GetBytes(
                    $$"""{"ok":true,"type":"{{command.Type}}","id":{{command.Id}},"now":{{(double.IsFinite(ack.Now) ? ack.Now.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "null")}}}""")).ConfigureAwait(false);
                break;
            case ErrorMessage err:
                int status = err.Code switch { ErrorCode.UnknownId => 404, ErrorCode.InvalidState or ErrorCode.DuplicateId => 409, ErrorCode.Forbidden => 403, _ => 400 };
                await Problem(ctx, status, err.Code.ToString(), "engine", err.Message).ConfigureAwait(false);
                break;
            default:
                await Problem(ctx, 500, "internal", "engine", $"unexpected reply {reply.Type}").ConfigureAwait(false);
                break;
        }
    }

    private static MessageType TypeOf(string action) => action switch
    {
        "cancel-order" => MessageType.CancelOrder,
        "courier-off-shift" => MessageType.CourierOffShift,
        "ready-time" => MessageType.ChangeReadyTime,
        "closure" => MessageType.AddClosure,
        "congestion" => MessageType.AddCongestionZone,
        "citywide" => MessageType.SetCitywideFactor,
        _ => (MessageType)0,
    };

    /// <summary>The bearer token of the Authorization header, checked against the tokens file (re-read if it changed).</summary>
    private Principal? Authenticate(HttpContext ctx, out string reason)
    {
        string header = ctx.Request.Headers.Authorization.ToString();
        string? token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (string.IsNullOrEmpty(token))
        {
            reason = "an action needs a token (Authorization: Bearer <token>)";
            return null;
        }
        return _security.Authenticate(token, null, _engine.TimeProvider.GetUtcNow(), out reason);
    }

    private void Audit(in Command c, Principal who, string remote, string refused) =>
        _security.Audit?.RecordRefusal(new AuditEntry(_engine.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(), _engine.Now, c, who, remote) { Refused = refused });

    private static Task Json(HttpContext ctx, int status, byte[] json)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        return ctx.Response.Body.WriteAsync(json, ctx.RequestAborted).AsTask();
    }

    private static Task Problem(HttpContext ctx, int status, string error, string field, string message)
    {
        string json = JsonSerializer.Serialize(new Dictionary<string, object> { ["ok"] = false, ["error"] = error, ["field"] = field, ["message"] = message }, LiveJsonContext.Default.DictionaryStringObject);
        return Json(ctx, status, Encoding.UTF8.GetBytes(json));
    }
}
