namespace Dispatch.Server.LiveView;

/// <summary>The live view's own counters (any thread): what /api/stats and the feed's stats event report.</summary>
internal sealed class LiveViewStats
{
    private long _eventsLost, _viewersDropped, _viewersOpen, _viewersTotal, _messages, _actions, _actionsRefused;

    /// <summary>Engine events the projection missed because it fell a whole ring behind (the engine never waits for it).</summary>
    public long EventsLost => Interlocked.Read(ref _eventsLost);

    /// <summary>Browsers dropped because they fell more than <see cref="ServerOptions.HttpViewerBacklog"/> feed messages behind.</summary>
    public long ViewersDropped => Interlocked.Read(ref _viewersDropped);

    /// <summary>Feed connections open now.</summary>
    public long ViewersOpen => Interlocked.Read(ref _viewersOpen);

    /// <summary>Feed connections ever opened.</summary>
    public long ViewersTotal => Interlocked.Read(ref _viewersTotal);

    /// <summary>Feed messages published (one per interval with something to say).</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Actions from the page that reached the engine (accepted or refused by it).</summary>
    public long Actions => Interlocked.Read(ref _actions);

    /// <summary>Actions refused before the engine: no or wrong token (401), a role without the permission or no tokens file (403), bad input (400).</summary>
    public long ActionsRefused => Interlocked.Read(ref _actionsRefused);

    public void Lost(long n) => Interlocked.Add(ref _eventsLost, n);
    public void Dropped() => Interlocked.Increment(ref _viewersDropped);
    public void Opened() { Interlocked.Increment(ref _viewersOpen); Interlocked.Increment(ref _viewersTotal); }
    public void Closed() => Interlocked.Decrement(ref _viewersOpen);
    public void Published() => Interlocked.Increment(ref _messages);
    public void Action() => Interlocked.Increment(ref _actions);
    public void Refused() => Interlocked.Increment(ref _actionsRefused);
}
