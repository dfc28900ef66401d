using Dispatch.Protocol;

namespace Dispatch.Cluster.Pushes;

/// <summary>
/// A region grain's subscribed silos, each on a lease: a silo's edge renews its subscription every refresh interval
/// (<see cref="RegionPushHub"/>) and one not renewed within the lease is dropped. The lease is what removes a dead silo
/// (the one-way push cannot report it), and the renewal is what re-subscribes every silo to a region that was reactivated
/// elsewhere (an activation starts with no subscribers: observer references are not durable). Grain-turn only.
/// </summary>
internal sealed class RegionSubscribers(TimeSpan lease, TimeProvider time)
{
    private readonly Dictionary<IRegionPushObserver, long> _expiry = [];

    public int Count => _expiry.Count;

    public void Renew(IRegionPushObserver observer) => _expiry[observer] = time.GetTimestamp() + (long)(lease.TotalSeconds * time.TimestampFrequency);

    public void Remove(IRegionPushObserver observer) => _expiry.Remove(observer);

    /// <summary>
    /// Sends the push frames of <paramref name="answer"/> to every subscribed silo but <paramref name="origin"/> (the silo
    /// that sent the Tick fans them out from its answer itself). Never waits: the calls are one-way. Returns the silos sent to.
    /// </summary>
    public int Publish(string region, byte[] answer, IRegionPushObserver? origin)
    {
        if (_expiry.Count == 0 || (_expiry.Count == 1 && origin is not null && _expiry.ContainsKey(origin))) return 0;
        long now = time.GetTimestamp();
        List<IRegionPushObserver>? expired = null;
        foreach (var (observer, until) in _expiry)
            if (until < now) (expired ??= []).Add(observer);
        if (expired is not null) foreach (var o in expired) _expiry.Remove(o);

        var pushes = new FrameBuffer(answer.Length);
        int count = AnswerFrames.CopyPushes(answer, pushes);
        if (count == 0) return 0;
        byte[] frames = pushes.WrittenSpan.ToArray();
        int sent = 0;
        foreach (var observer in _expiry.Keys)
        {
            if (origin is not null && observer.Equals(origin)) continue;
            _ = observer.Pushed(region, frames, count);
            sent++;
        }
        return sent;
    }
}
