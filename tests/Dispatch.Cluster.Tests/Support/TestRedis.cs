using StackExchange.Redis;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>
/// The Redis the tests that need a real store use: <c>DISPATCH_TEST_REDIS</c> (a StackExchange.Redis configuration
/// string), by default <c>127.0.0.1:6391</c>, the port <c>.ci/run</c> starts Debian's redis-server on. Without a reachable
/// Redis those tests are skipped with the reason, except under CI (CI=true), where its absence fails them.
/// Every test uses its own key prefix, so runs never see each other's regions.
/// </summary>
internal static class TestRedis
{
    public const string Variable = "DISPATCH_TEST_REDIS";
    public const string DefaultAddress = "127.0.0.1:6391";
    private static readonly Lazy<(IConnectionMultiplexer? Connection, string? Why)> Shared = new(Connect);

    public static string Address => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } a ? a : DefaultAddress;

    /// <summary>The shared connection, or a skip (a failure under CI) saying why there is none.</summary>
    public static IConnectionMultiplexer Require()
    {
        var (connection, why) = Shared.Value;
        if (connection is not null) return connection;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(why + " (CI=true: .ci/run starts redis-server, it must be reachable)");
        Skip.If(true, why);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A key prefix no other test uses.</summary>
    public static string UniquePrefix() => "dispatch-test-" + Guid.NewGuid().ToString("N")[..12];

    private static (IConnectionMultiplexer?, string?) Connect()
    {
        try
        {
            var options = ConfigurationOptions.Parse(Address);
            options.AbortOnConnectFail = true;
            options.ConnectTimeout = 2000;
            var c = ConnectionMultiplexer.Connect(options);
            c.GetDatabase().Ping();
            return (c, null);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or ArgumentException)
        {
            return (null, $"no Redis at {Address} ({Variable}; Debian: apt-get install redis-server, then redis-server --port 6391): {ex.Message}");
        }
    }
}
