using System.Diagnostics;

namespace Dispatch.Server.Security;

/// <summary>What the throttle says of the next request.</summary>
internal enum ThrottleVerdict : byte
{
    /// <summary>Within the rate: post it.</summary>
    Admit,
    /// <summary>Over the rate: wait the ticks given (the read loop stops reading the socket meanwhile), then ask again.</summary>
    Wait,
    /// <summary>Held back for longer than the role allows and still over the rate: refuse it with RateLimited.</summary>
    Refuse,
}

/// <summary>
/// One connection's request limits, on its read loop: a <see cref="TokenBucket"/> for the rate and a semaphore for
/// the requests in flight (posted, not yet processed by the engine thread, which releases it). Asked only for
/// commands bound for the engine; Ping and refused frames never reach it. The bucket allocates nothing; the
/// semaphore allocates only when the read loop has to wait at the cap.
/// </summary>
internal sealed class RequestThrottle
{
    private TokenBucket _bucket;
    private readonly bool _rateLimited;
    private readonly long _graceTicks;
    private long _heldSince; // Stopwatch ticks when the connection first had to wait, 0 while it is within its rate
    private readonly SemaphoreSlim? _inFlight;

    public RequestThrottle(RoleLimits limits)
    {
        Limits = limits;
        _rateLimited = limits.RequestsPerSecond > 0;
        if (_rateLimited) _bucket = new TokenBucket(limits.RequestsPerSecond, limits.Burst > 0 ? limits.Burst : limits.RequestsPerSecond, Stopwatch.GetTimestamp());
        _graceTicks = (long)(limits.ThrottleSeconds * Stopwatch.Frequency);
        if (limits.MaxInFlight > 0) _inFlight = new SemaphoreSlim(limits.MaxInFlight, limits.MaxInFlight);
    }

    public RoleLimits Limits { get; }

    /// <summary>True when nothing is limited (operators by default): the read loop skips the throttle.</summary>
    public bool IsOff => !_rateLimited && _inFlight is null;

    /// <summary>
    /// Rate check for the next engine-bound request; <paramref name="retry"/> after a wait for the same request. Only a
    /// request that finds a token on arrival ends the held-back spell: one admitted after waiting means the client is
    /// still sending faster than its rate, so the spell goes on and, past the role's ThrottleSeconds, requests are refused.
    /// </summary>
    public ThrottleVerdict Check(bool retry, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (!_rateLimited) return ThrottleVerdict.Admit;
        long now = Stopwatch.GetTimestamp();
        if (_bucket.TryTake(now, out long ticks))
        {
            if (!retry) _heldSince = 0;
            return ThrottleVerdict.Admit;
        }
        if (_heldSince == 0) _heldSince = now;
        else if (now - _heldSince > _graceTicks) return ThrottleVerdict.Refuse;
        wait = TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
        return ThrottleVerdict.Wait;
    }

    /// <summary>Takes an in-flight slot, waiting (and so not reading the socket) while the connection is at its cap.</summary>
    public ValueTask EnterAsync()
    {
        if (_inFlight is null || _inFlight.Wait(0)) return ValueTask.CompletedTask;
        return new ValueTask(_inFlight.WaitAsync());
    }

    /// <summary>Engine thread: a request this connection posted was processed. Never blocks (the semaphore's waiters continue asynchronously).</summary>
    public void Exit() => _inFlight?.Release();
}
