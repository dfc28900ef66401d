using System.Threading.Channels;
using Dispatch.Cluster.Grains;
using Dispatch.Cluster.Pushes;

namespace Dispatch.Cluster.Edge;

/// <summary>
/// A silo edge's path to one region: the batches its connections send to that region queue here, and one pump sends all
/// that queued while the previous call was out as <b>one</b> grain call (<see cref="IRegionGrain.ExecuteGroupsFrom"/>): one
/// grain turn and one store write for every connection of this silo, the group commit the sidecar's engine thread does
/// across its connections. Each connection still waits for its own answer before it sends its next batch, so its requests
/// stay in order; a lone connection pays one channel hop more than a direct call.
/// </summary>
internal sealed class RegionLane
{
    /// <summary>Requests merged into one grain call at most (several connections' batches of up to 256 each).</summary>
    private const int MaxRequests = 1024;

    private readonly IRegionGrain _grain;
    private readonly RegionPushHub _pushes;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;

    public RegionLane(IRegionGrain grain, RegionPushHub pushes)
    {
        _grain = grain;
        _pushes = pushes;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>
    /// Carries out one connection's batch in the region; its answer as <see cref="IRegionGrain.ExecuteBatchFrom"/> gives it
    /// (<paramref name="courierApp"/>: the courier a courier-app connection speaks for, -1 for other roles).
    /// </summary>
    public Task<byte[]> ExecuteAsync(byte[][] requests, long courierApp = -1)
    {
        var item = new Item(requests, courierApp, new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(item)) item.Answer.SetException(new InvalidOperationException("the edge is stopping"));
        return item.Answer.Task;
    }

    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _pump;
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        var items = new List<Item>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            items.Clear();
            int requests = 0;
            while (requests < MaxRequests && reader.TryRead(out var item))
            {
                items.Add(item);
                requests += item.Requests.Length;
            }
            if (items.Count == 0) continue;
            try
            {
                var answers = items.Count == 1
                    ? [await _grain.ExecuteBatchFrom(items[0].Requests, _pushes.Reference, items[0].CourierApp).ConfigureAwait(false)]
                    : await _grain.ExecuteGroupsFrom([.. items.Select(i => i.Requests)], _pushes.Reference,
                        items.Exists(i => i.CourierApp >= 0) ? [.. items.Select(i => i.CourierApp)] : null).ConfigureAwait(false);
                for (int i = 0; i < items.Count; i++) items[i].Answer.SetResult(answers[i]);
            }
            catch (Exception ex)
            {
                // The call failed (the region's silo died mid-call): each connection answers its requests as in doubt.
                foreach (var i in items) i.Answer.TrySetException(ex);
            }
        }
    }

    private readonly record struct Item(byte[][] Requests, long CourierApp, TaskCompletionSource<byte[]> Answer);
}
