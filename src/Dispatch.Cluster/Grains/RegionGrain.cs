using System.Buffers;
using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Hosting;
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

    public RegionGrain(RegionMap regions, IRegionStore store, IOptions<ServerOptions> engineOptions, IOptions<DispatchClusterOptions> options, ILogger<RegionGrain> log)
    {
        _regions = regions;
        _store = store;
        _engineOptions = engineOptions.Value;
        _options = options.Value;
        _log = log;
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
        _log.LogInformation("Region {Region} activated: snapshot at record {Snapshot}, {Replayed} journal records replayed ({Refused} refused) in {Ms:F0} ms; {Orders} orders, {Couriers} couriers; clock {Now:F2} min",
            RegionId, _engine.SnapshotSequence, _engine.Rebuilt.Replayed, _engine.Rebuilt.Refused,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, k.Known, k.Couriers, _engine.Now);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A graceful deactivation leaves a snapshot, so the next activation replays nothing; after a failed write the
        // engine may be ahead of the store and must not be saved.
        if (_engine is not null && _unavailable is null && _engine.Sequence > _engine.SnapshotSequence)
            await TrySnapshot();
    }

    public Task<byte[]> Execute(byte[] request) => ExecuteBatch([request]);

    public async Task<byte[]> ExecuteBatch(byte[][] requests)
    {
        var output = new FrameBuffer(256);
        var entries = new List<JournalEntry>();
        var ids = new uint[requests.Length];
        for (int i = 0; i < requests.Length; i++)
        {
            Command c;
            try
            {
                c = CommandCodec.Read(new ReadOnlySequence<byte>(requests[i]));
            }
            catch (ProtocolException ex)
            {
                ids[i] = ex.RequestId;
                ReplyCodec.WriteError(output, ex.RequestId, ex.Code, ex.Message);
                continue;
            }
            ids[i] = c.RequestId;
            if (_unavailable is not null || _engine is null)
            {
                ReplyCodec.WriteError(output, c.RequestId, _engine is null ? ErrorCode.UnknownId : ErrorCode.Internal, _unavailable ?? $"region '{RegionId}' is not loaded");
                continue;
            }
            JournalEntry? accepted;
            try
            {
                accepted = _engine.Execute(c, requests[i], output);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // An engine bug (refusals are DispatchExceptions, answered inside). The commands of this batch applied
                // before it are not durable, so none may be acknowledged and this activation's state is suspect: reload.
                _log.LogError(ex, "Region {Region}: the engine failed on {Type} {Id}; the batch is not acknowledged, the activation deactivates", RegionId, c.Type, c.Id);
                return FailAll(ids, $"region '{RegionId}' is reloading from the store: the engine failed on {c.Type} ({ex.Message})");
            }
            if (accepted is not { } entry) continue;
            // The Ack is written in its place now and leaves with the rest only once the store has the batch.
            entries.Add(entry);
            ReplyCodec.WriteAck(output, c.RequestId, entry.Now);
        }
        if (entries.Count == 0) return output.Drain();
        try
        {
            await _store.AppendAsync(RegionId, entries);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Region {Region}: journal records {First}..{Last} could not be written; none acknowledged, the activation deactivates",
                RegionId, entries[0].Sequence, entries[^1].Sequence);
            return FailAll(ids, $"region '{RegionId}' is reloading from the store: a journal write failed ({ex.Message})");
        }
        _engine!.Committed(entries[^1]);
        if (_engine.SnapshotDue(_options.SnapshotEveryRecords)) await TrySnapshot();
        return output.Drain();
    }

    /// <summary>
    /// The engine may hold changes the store does not: stop answering, deactivate (the next request rebuilds the region
    /// from the store), and answer every request of the batch with an error, so each gets exactly one reply and none looks
    /// acknowledged.
    /// </summary>
    private byte[] FailAll(uint[] requestIds, string why)
    {
        _unavailable = why;
        DeactivateOnIdle();
        var output = new FrameBuffer(64 * requestIds.Length);
        foreach (uint rid in requestIds)
            ReplyCodec.WriteError(output, rid, ErrorCode.Internal, "not acknowledged (nothing of this batch is durable): " + why);
        return output.Drain();
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
        var snapshot = _engine!.Snapshot();
        try
        {
            await _store.SaveSnapshotAsync(RegionId, snapshot);
            _engine.SnapshotSaved(snapshot);
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
