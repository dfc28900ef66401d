namespace Dispatch.Server.Security;

/// <summary>
/// What one connection of a role may ask for (configuration <c>Dispatch:Limits:&lt;role&gt;:&lt;Name&gt;</c>, e.g.
/// <c>--Dispatch:Limits:viewer:RequestsPerSecond=50</c>). 0 turns a limit off. A connection over its rate is first
/// slowed (its read loop waits for the bucket, so it stops reading its socket and TCP holds its client back); one
/// that stays over it for <see cref="ThrottleSeconds"/> has its further requests refused with RateLimited until it
/// slows down. None of it touches the engine thread.
/// </summary>
public sealed class RoleLimits
{
    /// <summary>Sustained requests a second (the bucket's refill); 0: unlimited.</summary>
    public double RequestsPerSecond { get; set; }

    /// <summary>Requests that may come at once after a quiet spell (the bucket's size).</summary>
    public double Burst { get; set; }

    /// <summary>Requests posted to the engine and not yet processed; the read loop waits at the cap. 0: unlimited (the shared inbox still bounds it).</summary>
    public int MaxInFlight { get; set; }

    /// <summary>Connections of one credential subscribed to pushes at once; one more is refused with RateLimited. 0: unlimited.</summary>
    public int MaxSubscriptions { get; set; }

    /// <summary>How long a connection may be held back continuously before its requests are refused instead.</summary>
    public double ThrottleSeconds { get; set; } = 2;

    /// <summary>The defaults of a role: tight for couriers' phones and viewers, wide for integrations, none for operators.</summary>
    public static RoleLimits Default(Role role) => role switch
    {
        Role.Viewer => new() { RequestsPerSecond = 100, Burst = 200, MaxInFlight = 64, MaxSubscriptions = 8 },
        Role.CourierApp => new() { RequestsPerSecond = 10, Burst = 30, MaxInFlight = 16, MaxSubscriptions = 0 },
        Role.Integration => new() { RequestsPerSecond = 20_000, Burst = 40_000, MaxInFlight = 2048, MaxSubscriptions = 16 },
        _ => new() { RequestsPerSecond = 0, Burst = 0, MaxInFlight = 0, MaxSubscriptions = 0 },
    };

    /// <summary>Throws on values that cannot work.</summary>
    public void Validate(string role)
    {
        if (!(RequestsPerSecond >= 0) || !double.IsFinite(RequestsPerSecond)) throw new ArgumentOutOfRangeException(nameof(RequestsPerSecond), RequestsPerSecond, $"Limits:{role}: must be 0 (off) or positive");
        if (!(Burst >= 0) || !double.IsFinite(Burst)) throw new ArgumentOutOfRangeException(nameof(Burst), Burst, $"Limits:{role}: must be 0 or positive");
        if (MaxInFlight < 0) throw new ArgumentOutOfRangeException(nameof(MaxInFlight), MaxInFlight, $"Limits:{role}: must be 0 (off) or positive");
        if (MaxSubscriptions < 0) throw new ArgumentOutOfRangeException(nameof(MaxSubscriptions), MaxSubscriptions, $"Limits:{role}: must be 0 (off) or positive");
        if (!(ThrottleSeconds >= 0) || !double.IsFinite(ThrottleSeconds)) throw new ArgumentOutOfRangeException(nameof(ThrottleSeconds), ThrottleSeconds, $"Limits:{role}: must be 0 or positive");
    }
}
