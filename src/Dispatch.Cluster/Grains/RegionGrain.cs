using System.Buffers;
using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Hosting;
using Dispatch.Cluster.Metrics;
using Dispatch.Cluster.Pushes;
using Dispatch.Cluster.Regions;
using Dispatch.Protocol;
using ErrorCode = Dispatch.Protocol.ErrorCode;
using Dispatch.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Cluster.Grains;

/// <summary>
/// The region grain: one <see cref="RegionEngine"/>, rebuilt from the store at activation, driven one request per turn
/// (the grain is not reentrant, so the engine stays single-threaded and a command's store write finishes before the next
/// command starts). An accepted command is acknowledged only after the store has its journal record. When a write fails
/// the engine holds a change the store may not: the activation stops answering and deactivates, and the next request
/// activates the region again from the store.
/// </summary>
internal sealed partial class RegionGrain : Grain, IRegionGrain
{
    private readonly RegionMap _regions;
    private readonly IRegionStore _store;
    private readonly ServerOptions _engineOptions;
    private readonly DispatchClusterOptions _options;
    private readonly ILogger<RegionGrain> _log;
    private RegionEngine? _engine;
    private string? _unavailable;
    private readonly RegionSubscribers _subscribers;
    private readonly ClusterMetrics _metrics;
    private RegionMeter? _meter;
    private long _snapshots, _lastSnapshotBytes;
    private double _lastSnapshotMs;

    public RegionGrain(RegionMap regions, IRegionStore store, IOptions<ServerOptions> engineOptions, IOptions<DispatchClusterOptions> options, ILogger<RegionGrain> log,
        ClusterMetrics metrics)
    {
        _metrics = metrics;
        _regions = regions;
        _store = store;
        _engineOptions = engineOptions.Value;
        _options = options.Value;
        _log = log;
        _subscribers = new RegionSubscribers(TimeSpan.FromSeconds(3 * _options.SubscriptionRefreshSeconds), TimeProvider.System);
    }

    private string RegionId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!_regions.TryGet(RegionId, out var region))
        {
            // Not an exception: every request then gets an error naming the region, instead of a failed activation.
            _unavailable = $"region '{RegionId}' is not configured (Cluster:Regions has {string.Join(", ", _regions.Regions.Select(r => r.Id))})";
            return;
        }
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        _engine = await RegionEngine.RebuildAsync(region, _engineOptions, _store, cancellationToken);
        var k = _engine.Driver.Counts;
        _meter = _metrics.Activate(RegionId);
        _meter.Observe(k);
        _log.LogInformation("Region {Region} activated: snapshot at record {Snapshot}, {Replayed} journal records replayed ({Refused} refused) in {Ms:F0} ms; {Orders} orders, {Couriers} couriers; clock {Now:F2} min",
            RegionId, _engine.SnapshotSequence, _engine.Rebuilt.Replayed, _engine.Rebuilt.Refused,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, k.Known, k.Couriers, _engine.Now);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_meter is not null) _metrics.Deactivate(_meter);
        // A graceful deactivation leaves a snapshot, so the next activation replays nothing; after a failed write the
        // engine may be ahead of the store and must not be saved.
        if (_engine is not null && _unavailable is null && _engine.Sequence > _engine.SnapshotSequence)
            await TrySnapshot();
    }

    public Task<byte[]> Execute(byte[] request) => ExecuteBatch([request]);

    public Task<byte[]> ExecuteBatch(byte[][] requests) => ExecuteBatchFrom(requests, null, -1);

    public Task Subscribe(IRegionPushObserver observer)
    {
        _subscribers.Renew(observer);
        return Task.CompletedTask;
    }

    public Task Unsubscribe(IRegionPushObserver observer)
    {
        _subscribers.Remove(observer);
        return Task.CompletedTask;
    }

    public async Task<byte[]> ExecuteBatchFrom(byte[][] requests, IRegionPushObserver? origin, long courierApp) =>
        (await ExecuteGroupsFrom([requests], origin, courierApp >= 0 ? [courierApp] : null))[0];

    public async Task<byte[][]> ExecuteGroupsFrom(byte[][][] groups, IRegionPushObserver? origin, long[]? courierApps)
    {
        if (courierApps is not null && courierApps.Length != groups.Length)
            throw new ArgumentException($"ExecuteGroupsFrom: {courierApps.Length} courier-app entries for {groups.Length} groups (one per group)", nameof(courierApps));
        var outputs = new FrameBuffer[groups.Length];
        var entries = new List<JournalEntry>();
        int orders = 0;
        bool queried = false;
        for (int g = 0; g < groups.Length; g++)
        {
            var output = outputs[g] = new FrameBuffer(256);
            var requests = groups[g];
            long courierApp = courierApps?[g] ?? -1;
            for (int i = 0; i < requests.Length; i++)
            {
                Command c;
                try
                {
                    c = CommandCodec.Read(new ReadOnlySequence<byte>(requests[i]));
                }
                catch (ProtocolException ex)
                {
                    ReplyCodec.WriteError(output, ex.RequestId, ex.Code, ex.Message);
                    continue;
                }
                if (_unavailable is not null || _engine is null)
                {
                    ReplyCodec.WriteError(output, c.RequestId, _engine is null ? ErrorCode.UnknownId : ErrorCode.Internal, _unavailable ?? $"region '{RegionId}' is not loaded");
                    continue;
                }
                if (courierApp >= 0 && !OwnsOrder(courierApp, c, output)) continue;
                JournalEntry? accepted;
                try
                {
                    long started = c.Type == MessageType.Tick ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
                    accepted = _engine.Execute(c, requests[i], output);
                    if (started != 0) _meter?.Ticked(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // An engine bug (refusals are DispatchExceptions, answered inside). The commands of this batch applied
                    // before it are not durable, so none may be acknowledged and this activation's state is suspect: reload.
                    _log.LogError(ex, "Region {Region}: the engine failed on {Type} {Id}; the batch is not acknowledged, the activation deactivates", RegionId, c.Type, c.Id);
                    return FailAll(groups, $"region '{RegionId}' is reloading from the store: the engine failed on {c.Type} ({ex.Message})");
                }
                if (accepted is not { } entry)
                {
                    queried |= c.IsQuery;
                    continue;
                }
                // The Ack is written in its place now and leaves with the rest only once the store has the batch.
                entries.Add(entry);
                if (c.Type == MessageType.PlaceOrder) orders++;
                ReplyCodec.WriteAck(output, c.RequestId, entry.Now);
            }
        }
        if (entries.Count == 0)
        {
            // Reads are fenced too: for a moment after a silo dies, Orleans may hold two activations of a region, and the one
            // that stopped getting writes would answer queries from old state (the 8-region kill test saw acknowledged orders
            // "unknown" that way). A batch that writes is checked by its append; one that only reads checks the head, one
            // Redis GET, and a stale activation answers nothing and deactivates (the next call rebuilds from the store).
            if (queried && await _store.HeadAsync(RegionId) is long head && head != _engine!.Sequence)
            {
                _log.LogWarning("Region {Region}: this activation is at record {Ours} but the store's head is {Head} (another activation wrote); it deactivates",
                    RegionId, _engine.Sequence, head);
                return FailAll(groups, $"region '{RegionId}' is reloading from the store: this activation was stale (record {_engine.Sequence}, store {head})");
            }
            return [.. outputs.Select(o => o.Drain())];
        }
        long writeStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await _store.AppendAsync(RegionId, entries);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Region {Region}: journal records {First}..{Last} could not be written; none acknowledged, the activation deactivates",
                RegionId, entries[0].Sequence, entries[^1].Sequence);
            return FailAll(groups, $"region '{RegionId}' is reloading from the store: a journal write failed ({ex.Message})");
        }
        _engine!.Committed(entries[^1]);
        _meter?.Committed(entries.Count, orders, System.Diagnostics.Stopwatch.GetElapsedTime(writeStarted).TotalMilliseconds, _engine.Driver.Counts);
        var answers = new byte[groups.Length][];
        for (int g = 0; g < groups.Length; g++)
        {
            answers[g] = outputs[g].Drain();
            // Durable now: the Ticks' decisions may go to the other silos' subscribers (one-way, never waited for).
            _subscribers.Publish(RegionId, answers[g], origin);
        }
        if (_engine.SnapshotDue(_options.SnapshotEveryRecords)) await TrySnapshot();
        return answers;
    }

    /// <summary>
    /// The engine may hold changes the store does not: stop answering, deactivate (the next request rebuilds the region
    /// from the store), and answer every request of every group with an error, so each gets exactly one reply and none looks
    /// acknowledged.
    /// </summary>
    /// <summary>
    /// A courier-app may report only orders its own courier carries, which only the region's state tells: checked in the
    /// turn that applies the command, so no plan change can come between. A refusal is Forbidden and nothing is journaled,
    /// as on the sidecar (<c>EngineHost.OwnsOrder</c>); other commands pass (the edge already checked the role table).
    /// </summary>
    private bool OwnsOrder(long courier, in Command c, FrameBuffer output)
    {
        if (Dispatch.Server.Security.CommandPolicy.OwnsOrder(courier, c, _engine!.Driver)) return true;
        ReplyCodec.WriteError(output, c.RequestId, ErrorCode.Forbidden, Dispatch.Server.Security.CommandPolicy.NotOwnOrder(null, courier, c));
        return false;
    }

    private byte[][] FailAll(byte[][][] groups, string why)
    {
        _unavailable = why;
        DeactivateOnIdle();
        var answers = new byte[groups.Length][];
        for (int g = 0; g < groups.Length; g++)
        {
            var output = new FrameBuffer(64 * groups[g].Length);
            foreach (var request in groups[g])
                ReplyCodec.WriteError(output, RequestIdOf(request), ErrorCode.Internal, "not acknowledged (nothing of this batch is durable): " + why);
            answers[g] = output.Drain();
        }
        return answers;
    }

    /// <summary>A request's id (its second field), read without decoding the rest; 0 when the payload is too malformed to say.</summary>
    private static uint RequestIdOf(byte[] request)
    {
        try
        {
            var r = new MessagePack.MessagePackReader(request);
            r.ReadArrayHeader();
            r.ReadInt32();
            return r.ReadUInt32();
        }
        catch (MessagePack.MessagePackSerializationException)
        {
            return 0;
        }
    }

    public Task<RegionFigures> Figures()
    {
        var k = _engine?.Driver.Counts;
        return Task.FromResult(new RegionFigures
        {
            Now = _engine?.Now ?? 0,
            Sequence = _engine?.Sequence ?? 0,
            Ticks = _meter?.Ticks ?? 0,
            LastTickMs = _meter?.LastTickMs ?? 0,
            KnownOrders = k?.Known ?? 0,
            OpenOrders = k?.Open ?? 0,
            Couriers = k?.Couriers ?? 0,
            SnapshotsWritten = _snapshots,
            LastSnapshotBytes = _lastSnapshotBytes,
            LastSnapshotMs = _lastSnapshotMs,
        });
    }

    public Task<RegionStatus> Status()
    {
        var k = _engine?.Driver.Counts;
        return Task.FromResult(new RegionStatus
        {
            Region = RegionId,
            Silo = RuntimeIdentity,
            Sequence = _engine?.Sequence ?? 0,
            SnapshotSequence = _engine?.SnapshotSequence ?? 0,
            Replayed = _engine?.Rebuilt.Replayed ?? 0,
            Now = _engine?.Now ?? 0,
            Orders = k?.Known ?? 0,
            Couriers = k?.Couriers ?? 0,
        });
    }

    /// <summary>Writes a snapshot; a failure only costs replay time later (the journal still holds everything), so it is logged, not raised.</summary>
    private async Task TrySnapshot()
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var snapshot = _engine!.Snapshot();
        try
        {
            await _store.SaveSnapshotAsync(RegionId, snapshot);
            _engine.SnapshotSaved(snapshot);
            _snapshots++;
            _lastSnapshotBytes = snapshot.Body.Length;
            _lastSnapshotMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        catch (RegionFencedException ex)
        {
            // Another activation has written: this one is stale and must not answer again.
            _unavailable = $"region '{RegionId}' is reloading from the store: {ex.Message}";
            _log.LogError(ex, "Region {Region}: fenced while writing a snapshot; the activation deactivates", RegionId);
            DeactivateOnIdle();
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Region {Region}: snapshot at record {Sequence} not written; the journal keeps every record", RegionId, snapshot.Sequence);
        }
    }
}
