using System.Collections.Concurrent;

namespace Dispatch.Server.Security;

/// <summary>
/// How many connections of each credential are subscribed to pushes, so a role's <see cref="RoleLimits.MaxSubscriptions"/>
/// holds across connections (one leaked viewer token cannot open a thousand push streams). Counted by the connections
/// themselves as they post Hello(subscribe) and Subscribe, never by the engine thread.
/// </summary>
internal sealed class SubscriptionLedger
{
    private readonly ConcurrentDictionary<string, StrongBox> _counts = new(StringComparer.Ordinal);

    private sealed class StrongBox { public int Value; }

    /// <summary>One more subscription for <paramref name="who"/>, unless it already holds <paramref name="limit"/> (0: no limit).</summary>
    public bool TryAcquire(Principal who, int limit)
    {
        var box = _counts.GetOrAdd(KeyOf(who), _ => new StrongBox());
        while (true)
        {
            int n = Volatile.Read(ref box.Value);
            if (limit > 0 && n >= limit) return false;
            if (Interlocked.CompareExchange(ref box.Value, n + 1, n) == n) return true;
        }
    }

    /// <summary>One subscription of <paramref name="who"/> ended.</summary>
    public void Release(Principal who)
    {
        if (_counts.TryGetValue(KeyOf(who), out var box)) Interlocked.Decrement(ref box.Value);
    }

    /// <summary>Subscriptions <paramref name="who"/> holds now.</summary>
    public int Count(Principal who) => _counts.TryGetValue(KeyOf(who), out var box) ? Volatile.Read(ref box.Value) : 0;

    private static string KeyOf(Principal who) => who.Key.Length > 0 ? who.Key : who.Name;
}
