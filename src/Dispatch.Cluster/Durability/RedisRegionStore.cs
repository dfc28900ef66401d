using System.Globalization;
using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace Dispatch.Cluster.Durability;

/// <summary>
/// A region's journal and snapshot in Redis. Per region (the id in braces, a Redis Cluster hash tag, so the keys of a
/// region share a slot and one script can touch them all):
/// <list type="bullet">
/// <item><c>{prefix}:{id}:journal</c>: a stream, one entry per accepted command, entry id <c>&lt;sequence&gt;-0</c>,
/// fields <c>n</c> (engine time, round-trip text) and <c>c</c> (the request payload as received);</item>
/// <item><c>{prefix}:{id}:head</c>: the last sequence number written (the fence);</item>
/// <item><c>{prefix}:{id}:snapshot</c>: a hash with <c>seq</c>, <c>now</c>, <c>settings</c>, <c>body</c> and <c>handoffs</c>
/// (the hand-off ledger; absent in snapshots written before hand-offs existed).</item>
/// </list>
/// Each write is one Lua script, so checking the fence and writing are one atomic step in Redis. Redis answers a script
/// after its writes are in the append-only file as its <c>appendfsync</c> setting says (docs/cluster.md, Durability).
/// </summary>
public sealed class RedisRegionStore : IRegionStore
{
    // KEYS: journal, head. ARGV: first sequence, then now and command of each entry in turn.
    private const string AppendScript = """
        local head = tonumber(redis.call('GET', KEYS[2]) or '0')
        local first = tonumber(ARGV[1])
        if head + 1 ~= first then return redis.error_reply('DISPATCH_FENCED ' .. head) end
        local n = (#ARGV - 1) / 2
        for i = 0, n - 1 do
          redis.call('XADD', KEYS[1], (first + i) .. '-0', 'n', ARGV[2 + 2 * i], 'c', ARGV[3 + 2 * i])
        end
        redis.call('SET', KEYS[2], first + n - 1)
        return first + n - 1
        """;

    // KEYS: journal, head, snapshot. ARGV: sequence, now, settings, body, handoffs.
    private const string SnapshotScript = """
        local head = tonumber(redis.call('GET', KEYS[2]) or '0')
        if head ~= tonumber(ARGV[1]) then return redis.error_reply('DISPATCH_FENCED ' .. head) end
        redis.call('HSET', KEYS[3], 'seq', ARGV[1], 'now', ARGV[2], 'settings', ARGV[3], 'body', ARGV[4], 'handoffs', ARGV[5])
        redis.call('XTRIM', KEYS[1], 'MINID', (head + 1) .. '-0')
        return head
        """;

    private const int Page = 1024;
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;

    /// <param name="redis">The connection (shared, thread-safe).</param>
    /// <param name="keyPrefix">The first part of every key, so several clusters can share one Redis.</param>
    public RedisRegionStore(IConnectionMultiplexer redis, string keyPrefix)
    {
        _redis = redis;
        _prefix = keyPrefix;
    }

    private IDatabase Db => _redis.GetDatabase();

    private RedisKey Key(string regionId, string part) => $"{_prefix}:{{{regionId}}}:{part}";

    /// <inheritdoc />
    public async Task<RegionSnapshot?> LoadSnapshotAsync(string regionId, CancellationToken cancellationToken = default)
    {
        var fields = await Db.HashGetAllAsync(Key(regionId, "snapshot")).ConfigureAwait(false);
        if (fields.Length == 0) return null;
        var d = fields.ToDictionary(f => f.Name.ToString(), f => f.Value, StringComparer.Ordinal);
        if (!d.TryGetValue("seq", out var seq) || !d.TryGetValue("now", out var now) || !d.TryGetValue("settings", out var settings) || !d.TryGetValue("body", out var body))
            throw new InvalidDataException($"region '{regionId}': the snapshot hash {Key(regionId, "snapshot")} lacks one of seq, now, settings, body");
        byte[]? handoffs = d.TryGetValue("handoffs", out var h) ? (byte[]?)h : null;
        return new RegionSnapshot((long)seq, ParseTime(regionId, now), settings.ToString(), (byte[])body!, handoffs);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JournalEntry> ReadJournalAsync(string regionId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var key = Key(regionId, "journal");
        long expected = afterSequence + 1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await Db.StreamRangeAsync(key, $"{expected}-0", "+", Page).ConfigureAwait(false);
            foreach (var e in page)
            {
                long sequence = SequenceOf(regionId, e.Id);
                // A gap means records were trimmed under a snapshot newer than the one loaded: the caller reloads.
                if (sequence != expected)
                    throw new InvalidDataException($"region '{regionId}': journal record {expected} is missing (found {sequence}); a newer snapshot was written meanwhile");
                var now = e["n"];
                var command = e["c"];
                if (now.IsNull || command.IsNull) throw new InvalidDataException($"region '{regionId}': journal record {sequence} lacks its n or c field");
                yield return new JournalEntry(sequence, ParseTime(regionId, now), (byte[])command!);
                expected++;
            }
            if (page.Length < Page) yield break;
        }
    }

    /// <inheritdoc />
    public async Task<long> HeadAsync(string regionId)
    {
        var head = await Db.StringGetAsync(Key(regionId, "head")).ConfigureAwait(false);
        return head.IsNull ? 0 : (long)head;
    }

    /// <inheritdoc />
    public async Task AppendAsync(string regionId, IReadOnlyList<JournalEntry> entries)
    {
        if (entries.Count == 0) return;
        var args = new RedisValue[1 + 2 * entries.Count];
        args[0] = entries[0].Sequence;
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Sequence != entries[0].Sequence + i)
                throw new ArgumentException($"region '{regionId}': journal entries must be consecutive; #{i} is {entries[i].Sequence}, expected {entries[0].Sequence + i}", nameof(entries));
            args[1 + 2 * i] = FormatTime(entries[i].Now);
            args[2 + 2 * i] = entries[i].Command;
        }
        try
        {
            await Db.ScriptEvaluateAsync(AppendScript, [Key(regionId, "journal"), Key(regionId, "head")], args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (Fenced(ex, out long head))
        {
            throw new RegionFencedException(regionId, entries[0].Sequence - 1, head);
        }
    }

    /// <inheritdoc />
    public async Task SaveSnapshotAsync(string regionId, RegionSnapshot snapshot)
    {
        try
        {
            await Db.ScriptEvaluateAsync(SnapshotScript, [Key(regionId, "journal"), Key(regionId, "head"), Key(regionId, "snapshot")],
                [snapshot.Sequence, FormatTime(snapshot.Now), snapshot.Settings, snapshot.Body, snapshot.Handoffs ?? []]).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (Fenced(ex, out long head))
        {
            throw new RegionFencedException(regionId, snapshot.Sequence, head);
        }
    }

    private static bool Fenced(RedisServerException ex, out long head)
    {
        head = -1;
        const string Marker = "DISPATCH_FENCED ";
        int at = ex.Message.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return false;
        var rest = ex.Message.AsSpan(at + Marker.Length);
        int end = 0;
        while (end < rest.Length && char.IsAsciiDigit(rest[end])) end++;
        return long.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out head);
    }

    private static long SequenceOf(string regionId, RedisValue id)
    {
        string s = id.ToString();
        int dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !long.TryParse(s.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
            throw new InvalidDataException($"region '{regionId}': journal entry id '{s}' is not <sequence>-0");
        return sequence;
    }

    // Round-trip text: exact, culture-free, and readable with redis-cli.
    private static string FormatTime(double t) => t.ToString("R", CultureInfo.InvariantCulture);

    private static double ParseTime(string regionId, RedisValue v) =>
        double.TryParse(v.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double t) ? t
            : throw new InvalidDataException($"region '{regionId}': engine time '{v}' in the store is not a number");
}
