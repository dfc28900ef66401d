using System.Collections.Concurrent;
using Dispatch.Client;
using Dispatch.Protocol;
using Dispatch.Server.Journal;
using Dispatch.Server.Snapshots;
using Dispatch.Server.Transport;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Tests.Snapshots;

/// <summary>What a client can see of the server's state: every order and courier, the counts, the clock.</summary>
internal sealed record ServerState(OrderInfoMessage[] Orders, CourierInfoMessage[] Couriers, CountsMessage Counts, double Now);

/// <summary>Log lines kept in memory, to assert on warnings.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(_lines);

    public bool Contains(LogLevel level, string text) => Lines.Any(l => l.StartsWith(level + ":", StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal));

    public override string ToString() => string.Join('\n', Lines);

    public void Dispose() { }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(logLevel + ": " + formatter(state, exception));
    }
}

/// <summary>An in-process server with a log sink, and a deterministic workload.</summary>
internal sealed class SnapshotServer : IAsyncDisposable
{
    public const int Sites = 3;
    public static readonly long[] CourierIds = Enumerable.Range(10, 8).Select(i => (long)i).ToArray();

    private readonly ILoggerFactory _loggers;

    private SnapshotServer(DispatchServer server, ServerOptions options, LogSink log, ILoggerFactory loggers)
    {
        Server = server;
        Options = options;
        Log = log;
        _loggers = loggers;
    }

    public DispatchServer Server { get; }
    public ServerOptions Options { get; }
    public LogSink Log { get; }
    public RecoveryReport Recovery => Server.Recovery!;

    public static async Task<SnapshotServer> StartAsync(string dir, long snapshotEvery, Action<ServerOptions>? configure = null)
    {
        var options = new ServerOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            DataDirectory = dir,
            Clock = ClockMode.Manual,
            Fsync = FsyncPolicy.Never,
            HandshakeTimeout = TimeSpan.FromSeconds(30),
            DrainTimeout = TimeSpan.FromSeconds(5),
            SnapshotEveryRecords = snapshotEvery,
            SnapshotEveryEngineMilliseconds = 0, // by record count only: the tests name the snapshots they expect
        };
        configure?.Invoke(options);
        var log = new LogSink();
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(log));
        var server = new DispatchServer(options, loggers);
        await server.StartAsync();
        return new SnapshotServer(server, options, log, loggers);
    }

    public Task<DispatchClient> ConnectAsync() => DispatchClient.ConnectAsync("127.0.0.1", Server.EndPoint.Port, "snapshot-test").WaitAsync(TestServer.Timeout);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _loggers.Dispose();
    }

    /// <summary>Snapshot files in a data directory, oldest first, by the journal records they cover.</summary>
    public static long[] SnapshotSequences(string dir) => Directory.EnumerateFiles(dir, "snapshot-*.snap")
        .Select(p => SnapshotFormat.TryParseFileName(Path.GetFileName(p), out long n) ? n : -1).Where(n => n >= 0).Order().ToArray();

    public static string SnapshotPath(string dir, long records) => Path.Combine(dir, SnapshotFormat.FileName(records));

    /// <summary>
    /// The newest snapshot in <paramref name="dir"/> (0 without one) once the snapshot files have stopped changing for
    /// <paramref name="quiet"/>. A server takes a snapshot between two batches but writes it in the background, so a
    /// reply to a later query can leave before the file is on disk; waiting for the files to settle closes that window.
    /// </summary>
    public static async Task<long> SettledNewestSnapshotAsync(string dir, TimeSpan quiet)
    {
        static string State(string dir) => string.Join(',', Directory.EnumerateFiles(dir, "snapshot-*").Order());
        var deadline = DateTime.UtcNow + TestServer.Timeout;
        string state = State(dir);
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow - since < quiet)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"snapshot files in {dir} still changing: {state}");
            await Task.Delay(50);
            string now = State(dir);
            if (now != state) { state = now; since = DateTime.UtcNow; }
        }
        var seq = SnapshotSequences(dir);
        return seq.Length == 0 ? 0 : seq[^1];
    }

    /// <summary>
    /// Sites and couriers (once, with <paramref name="setUp"/>), then orders placed a few per minute with a tick
    /// every <paramref name="perTick"/> orders, a few cancelled. Returns the order ids and the next minute.
    /// </summary>
    public static async Task<(List<long> Orders, double Now)> WorkloadAsync(DispatchClient c, long firstOrder, int orders, double from, bool setUp, int perTick = 6)
    {
        if (setUp)
        {
            for (int s = 1; s <= Sites; s++) await c.AddSiteAsync(s, 1000 * s, 1000 + 300 * s);
            foreach (long id in CourierIds) await c.CourierOnShiftAsync(id, 800 + 150 * (id % 5), 1200 + 90 * (id % 3), 0, 900);
        }
        var ids = new List<long>();
        double now = from;
        var pending = new List<Task>();
        for (int i = 0; i < orders; i++)
        {
            long id = firstOrder + i;
            ids.Add(id);
            long site = 1 + id % Sites;
            double dx = 500 + (id * 7919 % 4000), dy = 600 + (id * 104729 % 3500);
            pending.Add(c.PlaceOrderAsync(id, site, dx, dy, now, now + 4 + id % 9));
            if (id % 13 == 0) pending.Add(c.CancelOrderAsync(id));
            if ((i + 1) % perTick == 0)
            {
                await Task.WhenAll(pending).WaitAsync(TestServer.Timeout);
                pending.Clear();
                await c.TickAsync(now);
                now += 1;
            }
        }
        await Task.WhenAll(pending).WaitAsync(TestServer.Timeout);
        return (ids, now);
    }

    public static async Task<ServerState> CaptureAsync(DispatchClient c, IEnumerable<long> orderIds)
    {
        var orders = await Task.WhenAll(orderIds.Select(c.GetOrderAsync)).WaitAsync(TestServer.Timeout);
        var couriers = await Task.WhenAll(CourierIds.Select(c.GetCourierAsync)).WaitAsync(TestServer.Timeout);
        var counts = await c.GetCountsAsync();
        var now = (await c.PingAsync()).Now;
        return new ServerState(
            orders.Select(o => o with { RequestId = 0 }).ToArray(),
            couriers.Select(v => v with { RequestId = 0 }).ToArray(),
            counts with { RequestId = 0 },
            now);
    }

    public static void AssertSame(ServerState expected, ServerState actual)
    {
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Now, actual.Now);
        Assert.Equal(expected.Orders, actual.Orders);
        Assert.Equal(expected.Couriers, actual.Couriers);
    }

    /// <summary>
    /// Two servers in the same state (<paramref name="before"/>, orders <paramref name="ids"/>, clock <paramref name="now"/>)
    /// take the same further workload (60 orders from <paramref name="firstOrder"/>) and <paramref name="ticks"/> more
    /// ticks: from here on they must make the same decisions, so they must agree on every order and courier afterwards.
    /// And there must have been decisions to agree on: more orders went to couriers than in <paramref name="before"/>.
    /// </summary>
    public static async Task AssertDecideAlikeAsync(DispatchClient a, DispatchClient b, List<long> ids, double now, ServerState before, long firstOrder, int ticks)
    {
        var (more, later) = await WorkloadAsync(a, firstOrder, 60, now, setUp: false);
        await WorkloadAsync(b, firstOrder, 60, now, setUp: false);
        for (double t = later; t < later + ticks; t++)
        {
            await a.TickAsync(t);
            await b.TickAsync(t);
        }
        var all = ids.Concat(more).ToArray();
        var after = await CaptureAsync(a, all);
        AssertSame(after, await CaptureAsync(b, all));
        Assert.True(after.Orders.Count(o => o.CourierId >= 0) > before.Orders.Count(o => o.CourierId >= 0),
            "no more orders were assigned after the restart: " + string.Join(", ", after.Orders.Select(o => $"{o.OrderId}:{o.Status}:{o.CourierId}")));
    }

    /// <summary>Waits until no snapshot is being written in the background (they are started between batches; a due one may wait for the engine's next idle round).</summary>
    public static async Task SettleAsync(SnapshotServer s)
    {
        for (int quiet = 0; quiet < 3;)
        {
            await Task.Delay(400);
            quiet = s.Server.Metrics.SnapshotWriteInFlight ? 0 : quiet + 1;
        }
    }

    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
