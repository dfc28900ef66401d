using System.Diagnostics;

namespace Dispatch.Server.Security;

/// <summary>
/// A token bucket over <see cref="Stopwatch"/> ticks: <c>rate</c> tokens a second, at most <c>burst</c> saved up.
/// A mutable struct owned by one connection's read loop (no locks, no allocation): <see cref="TryTake"/> either takes
/// a token or says how long until the next one.
/// </summary>
public struct TokenBucket
{
    private readonly double _perTick;
    private readonly double _burst;
    private double _tokens;
    private long _last;

    /// <summary>A full bucket.</summary>
    public TokenBucket(double ratePerSecond, double burst, long now)
    {
        _perTick = ratePerSecond / Stopwatch.Frequency;
        _burst = Math.Max(1, burst);
        _tokens = _burst;
        _last = now;
    }

    /// <summary>Takes one token at <paramref name="now"/> (Stopwatch ticks); false with the ticks to wait for the next one.</summary>
    public bool TryTake(long now, out long waitTicks)
    {
        if (now > _last)
        {
            _tokens = Math.Min(_burst, _tokens + (now - _last) * _perTick);
            _last = now;
        }
        if (_tokens >= 1)
        {
            _tokens -= 1;
            waitTicks = 0;
            return true;
        }
        waitTicks = (long)Math.Ceiling((1 - _tokens) / _perTick);
        return false;
    }
}
