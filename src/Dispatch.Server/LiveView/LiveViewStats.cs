namespace Dispatch.Server.LiveView;

/// <summary>The live view's own counters (any thread): what /api/stats reports. Whatever the feed folds, samples or
/// summarises instead of sending one by one is counted here, so nothing is left out silently.</summary>
internal sealed class LiveViewStats
{
    private long _eventsLost, _viewersDropped, _viewersOpen, _viewersTotal, _messages, _bytes, _actions, _actionsRefused;
    private long _positionsSampled, _etasFolded, _etasNotNews, _coalesced, _exceptionsSummarised;

    /// <summary>Engine events the projection missed because it fell a whole ring behind (the engine never waits for it).</summary>
    public long EventsLost => Interlocked.Read(ref _eventsLost);

    /// <summary>Browsers dropped because they fell more than <see cref="ServerOptions.HttpViewerBacklog"/> feed messages behind.</summary>
    public long ViewersDropped => Interlocked.Read(ref _viewersDropped);

    /// <summary>Feed connections open now.</summary>
    public long ViewersOpen => Interlocked.Read(ref _viewersOpen);

    /// <summary>Feed connections ever opened.</summary>
    public long ViewersTotal => Interlocked.Read(ref _viewersTotal);

    /// <summary>Feed messages published (one per interval with something to say, while someone watches).</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Bytes of those messages (each sent to every browser watching).</summary>
    public long MessageBytes => Interlocked.Read(ref _bytes);

    /// <summary>Actions from the page that reached the engine (accepted or refused by it).</summary>
    public long Actions => Interlocked.Read(ref _actions);

    /// <summary>Actions refused before the engine: no or wrong token (401), a role without the permission or no tokens file (403), bad input (400).</summary>
    public long ActionsRefused => Interlocked.Read(ref _actionsRefused);

    /// <summary>Position reports overwritten by a later one of the same courier before the feed took them (the map shows
    /// each courier's latest position per message).</summary>
    public long PositionsSampled => Interlocked.Read(ref _positionsSampled);

    /// <summary>ETA changes folded into a later one of the same order within one feed interval (its timeline line says how many).</summary>
    public long EtasFolded => Interlocked.Read(ref _etasFolded);

    /// <summary>Re-timed drop-offs not sent to the browsers: less than <see cref="LiveProjection.EtaNewsMinutes"/> from what
    /// they were told and the same colour on the map.</summary>
    public long EtasNotNews => Interlocked.Read(ref _etasNotNews);

    /// <summary>Changes of a courier or an order within one feed interval beyond its first: the message carries its latest state once.</summary>
    public long Coalesced => Interlocked.Read(ref _coalesced);

    /// <summary>Exceptions sent as part of a summary line (more than <see cref="LiveProjection.SummariseAbove"/> of a kind in one interval).</summary>
    public long ExceptionsSummarised => Interlocked.Read(ref _exceptionsSummarised);

    public void Lost(long n) => Interlocked.Add(ref _eventsLost, n);
    public void Dropped() => Interlocked.Increment(ref _viewersDropped);
    public void Opened() { Interlocked.Increment(ref _viewersOpen); Interlocked.Increment(ref _viewersTotal); }
    public void Closed() => Interlocked.Decrement(ref _viewersOpen);
    public void Published(int bytes) { Interlocked.Increment(ref _messages); Interlocked.Add(ref _bytes, bytes); }
    public void Action() => Interlocked.Increment(ref _actions);
    public void Refused() => Interlocked.Increment(ref _actionsRefused);
    public void PositionsSampledSoFar(long total) => Interlocked.Exchange(ref _positionsSampled, total);
    public void Folded(long coalesced, long etasFolded) { Interlocked.Add(ref _coalesced, coalesced); Interlocked.Add(ref _etasFolded, etasFolded); }
    public void NotNews(long n) => Interlocked.Add(ref _etasNotNews, n);
    public void Summarised(long n) => Interlocked.Add(ref _exceptionsSummarised, n);
}
