using Dispatch.Cluster.Grains;
using Dispatch.Server.Buffers;
using Dispatch.Server.Engine;
using Microsoft.Extensions.Logging;

namespace Dispatch.Cluster.Pushes;

/// <summary>
/// A silo edge's push fan-out: which of its connections subscribed to which region, one subscription per region with that
/// region's grain (renewed every <c>Cluster:SubscriptionRefreshSeconds</c>, which also re-subscribes to a region reactivated on
/// another silo), and the delivery of a region's push frames to its local subscribers. The rule for a slow subscriber is the
/// sidecar's, because delivery is the sidecar's: each frame batch goes to the connection's <see cref="ReplyTarget.Send"/>, which
/// never waits and closes a connection with more than <c>Dispatch:MaxOutboundBytes</c> queued (SlowConsumer), so one slow
/// client costs the region and the other subscribers nothing. Thread-safe.
/// </summary>
internal sealed class RegionPushHub : IRegionPushObserver, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly TimeSpan _refresh;
    private readonly ILogger _log;
    private readonly Dictionary<string, List<ReplyTarget>> _local = new(StringComparer.Ordinal);
    private readonly HashSet<string> _renewing = new(StringComparer.Ordinal); // under the _local lock
    private readonly CancellationTokenSource _stop = new();
    private IRegionPushObserver? _self;
    private Task? _renewals;
    private long _delivered;

    public RegionPushHub(IGrainFactory grains, TimeSpan refresh, ILogger log)
    {
        _grains = grains;
        _refresh = refresh;
        _log = log;
    }

    /// <summary>This silo's observer reference: a region sends pushes to it, and skips it for the Ticks this silo sent.</summary>
    public IRegionPushObserver Reference => _self ?? throw new InvalidOperationException("the push hub is not started");

    /// <summary>Push frames handed to local connections so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public void Start()
    {
        _self = _grains.CreateObjectReference<IRegionPushObserver>(this);
        _renewals = Task.Run(RenewAsync);
    }

    /// <summary>
    /// <paramref name="target"/> wants <paramref name="region"/>'s pushes. The first local subscriber of a region subscribes
    /// this silo with the grain before returning, so pushes of every Tick acknowledged after it reach it.
    /// </summary>
    public async Task AddAsync(string region, ReplyTarget target)
    {
        bool first;
        lock (_local)
        {
            if (!_local.TryGetValue(region, out var list)) _local[region] = list = [];
            first = list.Count == 0;
            if (!list.Contains(target)) list.Add(target);
        }
        if (first) await _grains.GetGrain<IRegionGrain>(region).Subscribe(Reference).ConfigureAwait(false);
    }

    /// <summary><paramref name="target"/> no longer wants <paramref name="region"/>'s pushes (Subscribe off, another Hello, disconnect).</summary>
    public void Remove(string region, ReplyTarget target)
    {
        bool last = false;
        lock (_local)
        {
            if (_local.TryGetValue(region, out var list) && list.Remove(target) && list.Count == 0)
            {
                _local.Remove(region);
                last = true;
            }
        }
        if (last) _ = UnsubscribeAsync(region);
    }

    /// <summary>True when a local connection other than <paramref name="except"/> subscribed to <paramref name="region"/>.</summary>
    public bool HasOthers(string region, ReplyTarget except)
    {
        lock (_local) return _local.TryGetValue(region, out var list) && (list.Count > 1 || (list.Count == 1 && list[0] != except));
    }

    /// <summary>
    /// Hands <paramref name="frames"/> (<paramref name="count"/> push frames) to every local subscriber of
    /// <paramref name="region"/> but <paramref name="except"/> (the connection whose Tick they answer got them before its Ack).
    /// Each gets its own pooled copy; <see cref="ReplyTarget.Send"/> never blocks and closes a slow consumer.
    /// </summary>
    public void Deliver(string region, ReadOnlySpan<byte> frames, int count, ReplyTarget? except)
    {
        lock (_local)
        {
            if (!_local.TryGetValue(region, out var list)) return;
            foreach (var t in list)
            {
                if (t == except) continue;
                byte[] copy = ServerBuffers.Frames.Rent(frames.Length);
                frames.CopyTo(copy);
                t.Send(new ArraySegment<byte>(copy, 0, frames.Length), count);
                Interlocked.Add(ref _delivered, count);
            }
        }
    }

    Task IRegionPushObserver.Pushed(string region, byte[] frames, int count)
    {
        Deliver(region, frames, count, except: null);
        return Task.CompletedTask;
    }

    /// <summary>Renews this silo's subscription with every region it has local subscribers of (a lease: docs/cluster.md).</summary>
    private async Task RenewAsync()
    {
        using var timer = new PeriodicTimer(_refresh);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                // Not awaited, one in flight per region: a region whose silo is dying (calls to it wait) must not hold up
                // the other regions' renewals, nor its own next round once it answers again.
                lock (_local)
                    foreach (string region in _local.Keys)
                        if (_renewing.Add(region)) _ = RenewOneAsync(region);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task RenewOneAsync(string region)
    {
        try
        {
            await _grains.GetGrain<IRegionGrain>(region).Subscribe(Reference).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The region is moving (its silo died): the next round subscribes to its new activation.
            _log.LogDebug(ex, "Push subscription to region {Region} not renewed; retrying next round", region);
        }
        finally
        {
            lock (_local) _renewing.Remove(region);
        }
    }

    private async Task UnsubscribeAsync(string region)
    {
        try
        {
            await _grains.GetGrain<IRegionGrain>(region).Unsubscribe(Reference).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The lease ends it anyway.
            _log.LogDebug(ex, "Push subscription to region {Region} not cancelled; its lease will end it", region);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_renewals is not null) await _renewals.ConfigureAwait(false);
        if (_self is not null) _grains.DeleteObjectReference<IRegionPushObserver>(_self);
        _self = null;
        _stop.Dispose();
    }
}
