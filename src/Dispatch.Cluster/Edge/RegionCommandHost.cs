using System.Buffers;
using System.Threading.Channels;
using Dispatch.Cluster.Grains;
using Dispatch.Cluster.Pushes;
using Dispatch.Cluster.Regions;
using MessagePack;
using Dispatch.Protocol;
using Dispatch.Server.Buffers;
using Dispatch.Server.Engine;
using Dispatch.Server.Security;
using Dispatch.Server.Snapshots;
using Microsoft.Extensions.Logging;
using ErrorCode = Dispatch.Protocol.ErrorCode;

namespace Dispatch.Cluster.Edge;

/// <summary>
/// The command host behind a silo's TCP front end (the server's own <c>DispatchServer</c> and <c>Connection</c>: framing,
/// TLS, authentication, the role table and limits are theirs). Each connection is bound to a region by its Hello (the
/// region field, else <see cref="DefaultRegion"/>) and its requests go, in order, to that region's grain, wherever in the
/// cluster it lives; the grain's answer frames go back as they are (a Tick's decisions before its Ack, to a subscribed
/// connection only, as on the sidecar). A Tick's decisions also reach every other subscriber of the region: this silo's
/// through <see cref="RegionPushHub"/> from the answer, other silos' through the grain's observers. One worker per
/// connection keeps its order; connections run side by side. GetMetrics and GetServerStats answer with the connection's
/// region's figures and this silo's process and edge (docs/cluster.md, "Metrics"). A courier-app connection's batches
/// carry its courier, so the region checks its confirmations against its own state in the turn that applies them; every
/// request the region acknowledged goes to this silo's audit log (when on) with the connection's credential.
/// </summary>
internal sealed class RegionCommandHost : ICommandHost
{
    private readonly IGrainFactory _grains;
    private readonly RegionPushHub _pushes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RegionLane> _lanes = new(StringComparer.Ordinal);
    private readonly Func<string, RegionLane> _newLane;
    private readonly RegionMap _regions;
    private readonly string _serverName;
    private readonly int _maxFrameBytes;
    private readonly ILogger _log;
    private readonly Channel<InboxItem> _inbox;
    private readonly int _sessionCapacity;
    /// <summary>Requests of one connection sent to its region in one grain call at most (and so journaled in one store write).</summary>
    private const int MaxBatch = 256;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private double _now;
    private int _connections;
    private long _framesIn, _framesOut, _errors;
    private static readonly DateTime ProcessStarted = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public RegionCommandHost(IGrainFactory grains, RegionPushHub pushes, RegionMap regions, string? defaultRegion, string serverName, int maxFrameBytes, int inboxCapacity,
        TimeProvider time, ILogger log)
    {
        _grains = grains;
        _pushes = pushes;
        _newLane = region => new RegionLane(_grains.GetGrain<IRegionGrain>(region), _pushes);
        _regions = regions;
        DefaultRegion = defaultRegion;
        _serverName = serverName;
        _maxFrameBytes = maxFrameBytes;
        _log = log;
        TimeProvider = time;
        _sessionCapacity = inboxCapacity;
        _inbox = Channel.CreateBounded<InboxItem>(new BoundedChannelOptions(inboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The region of a Hello that names none (null: such a Hello is refused).</summary>
    public string? DefaultRegion { get; }

    public ChannelWriter<InboxItem> Inbox => _inbox.Writer;

    public double Now => Volatile.Read(ref _now);

    public TimeProvider TimeProvider { get; }

    public Task Completion => _completion.Task;

    public RecoveryReport? Recovery => null;

    public AuditLog? Audit { get; set; }

    public void Start() => _loop = Task.Run(DispatchAsync);

    public Task CompleteAsync()
    {
        _inbox.Writer.TryComplete();
        return Completion;
    }

    public void Dispose()
    {
        _inbox.Writer.TryComplete();
        foreach (var lane in _lanes.Values) _ = lane.CompleteAsync();
    }

    /// <summary>Hands each item to its connection's worker, in arrival order; a full worker queue holds the inbox (backpressure).</summary>
    private async Task DispatchAsync()
    {
        var sessions = new Dictionary<ReplyTarget, Session>(ReferenceEqualityComparer.Instance);
        try
        {
            await foreach (var item in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (item.Origin is not { } target) continue;
                if (!sessions.TryGetValue(target, out var session))
                {
                    session = new Session(target, _sessionCapacity);
                    Interlocked.Increment(ref _connections);
                    session.Worker = Task.Run(() => RunAsync(session));
                    sessions.Add(target, session);
                }
                await session.Queue.Writer.WriteAsync(item).ConfigureAwait(false);
                if (item.Kind == InboxKind.Disconnect)
                {
                    session.Queue.Writer.TryComplete();
                    sessions.Remove(target);
                }
            }
        }
        finally
        {
            foreach (var s in sessions.Values) s.Queue.Writer.TryComplete();
            await Task.WhenAll(sessions.Values.Select(s => s.Worker ?? Task.CompletedTask)).ConfigureAwait(false);
            await Task.WhenAll(_lanes.Values.Select(l => l.CompleteAsync())).ConfigureAwait(false);
            _completion.TrySetResult();
        }
    }

    /// <summary>
    /// One connection's requests in order. Consecutive requests for its region that are already queued go to the grain as
    /// one batch (the region journals them in one store write: group commit, as the sidecar's engine thread does per
    /// batch); session commands are handled one by one between batches.
    /// </summary>
    private async Task RunAsync(Session session)
    {
        var reader = session.Queue.Reader;
        var batch = new List<Command>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (!reader.TryRead(out var item)) continue;
            if (item.Kind == InboxKind.Disconnect) break;
            Interlocked.Increment(ref _framesIn);
            batch.Clear();
            batch.Add(item.Command);
            if (ForRegion(session, item.Command))
            {
                while (batch.Count < MaxBatch && reader.TryPeek(out var next) && next.Kind == InboxKind.Request && ForRegion(session, next.Command) && reader.TryRead(out next))
                {
                    batch.Add(next.Command);
                    Interlocked.Increment(ref _framesIn);
                }
            }
            try
            {
                if (batch.Count == 1 && !ForRegion(session, batch[0])) await HandleAsync(session, batch[0]).ConfigureAwait(false);
                else await ExecuteAsync(session, batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The grain call failed (its silo died mid-call, a timeout): whether the region applied the requests is unknown.
                _log.LogWarning(ex, "Region {Region}: {Count} request(s) from {Connection} failed", session.Region, batch.Count, session.Target.Name);
                Interlocked.Add(ref _errors, batch.Count);
                foreach (var c in batch)
                    Reply(session.Target, o => ReplyCodec.WriteError(o, c.RequestId, ErrorCode.Internal,
                        $"{c.Type} to region '{session.Region}' did not complete ({ex.Message}); it may or may not have been applied: query before resending"));
            }
            finally
            {
                foreach (var c in batch) session.Target.Processed(c);
            }
        }
        if (session.Region is not null && session.Subscribed) _pushes.Remove(session.Region, session.Target);
        Interlocked.Decrement(ref _connections);
        session.Target.CompleteOutbound();
    }

    /// <summary>Requests this host forwards to the connection's region grain (everything but session and server-figure commands).</summary>
    private static bool ForRegion(Session session, in Command c) =>
        session.Region is not null
        && c.Type is not (MessageType.Hello or MessageType.Subscribe or MessageType.GetMetrics or MessageType.GetServerStats);

    private async Task ExecuteAsync(Session session, List<Command> batch)
    {
        var requests = new byte[batch.Count][];
        for (int i = 0; i < batch.Count; i++) requests[i] = Payload(batch[i]);
        // Through the region's lane: the batches of this silo's connections to one region share a grain turn and a store write.
        var lane = LaneOf(session.Region!);
        var who = session.Target.Principal;
        long courierApp = who.Role == Role.CourierApp ? who.CourierId : -1;
        var answer = await lane.ExecuteAsync(requests, courierApp).ConfigureAwait(false);
        var buffer = new FrameBuffer(answer.Length, ServerBuffers.Frames);
        // The region skipped this silo when it sent the Ticks' decisions to its subscribers: this silo's others get them here.
        var others = _pushes.HasOthers(session.Region!, session.Target) ? new FrameBuffer(256) : null;
        var acked = Audit is null ? null : new List<(uint RequestId, double Now)>();
        List<(uint RequestId, string Region, byte[] Error)>? moved = null;
        int frames = CopyFrames(answer, session.Subscribed, buffer, others, acked, ref moved, out double ackTime, out int pushes);
        if (acked is { Count: > 0 }) RecordAudit(session, batch, acked);
        if (!double.IsNaN(ackTime)) AdvanceNow(ackTime);
        if (pushes > 0) _pushes.Deliver(session.Region!, others!.WrittenSpan, pushes, except: session.Target);
        if (moved is not null)
            foreach (var (rid, region, error) in moved) frames += await FollowAsync(session, batch, rid, region, error, courierApp, buffer).ConfigureAwait(false);
        if (frames == 0)
        {
            ServerBuffers.Frames.Return(buffer.DetachLast().Array!);
            return;
        }
        Interlocked.Add(ref _framesOut, frames);
        session.Target.Send(buffer.DetachLast(), frames);
    }

    private async Task HandleAsync(Session session, Command c)
    {
        var t = session.Target;
        switch (c.Type)
        {
            case MessageType.Hello:
                string? region = c.Region ?? DefaultRegion;
                string known = string.Join(", ", _regions.Regions.Select(r => r.Id));
                if (region is null)
                {
                    Reply(t, o => ReplyCodec.WriteError(o, c.RequestId, ErrorCode.InvalidValue,
                        $"Hello field region (#7): this cluster has no default region (Cluster:DefaultRegion); name one of {known}"));
                    return;
                }
                if (!_regions.TryGet(region, out _))
                {
                    Reply(t, o => ReplyCodec.WriteError(o, c.RequestId, ErrorCode.UnknownId, $"Hello field region (#7): '{region}' is not a region of this cluster ({known})"));
                    return;
                }
                if (session.Region is not null && session.Subscribed) _pushes.Remove(session.Region, t);
                session.Region = region;
                session.Subscribed = c.Flag;
                if (c.Flag) await _pushes.AddAsync(region, t).ConfigureAwait(false);
                var status = await _grains.GetGrain<IRegionGrain>(region).Status().ConfigureAwait(false);
                Reply(t, o => ReplyCodec.WriteHelloOk(o, c.RequestId, _serverName, ClockMode.Manual, status.Now, _maxFrameBytes));
                return;
            case MessageType.Subscribe:
                if (session.Region is not null && c.Flag != session.Subscribed)
                {
                    if (c.Flag) await _pushes.AddAsync(session.Region, t).ConfigureAwait(false);
                    else _pushes.Remove(session.Region, t);
                }
                session.Subscribed = c.Flag;
                Reply(t, o => ReplyCodec.WriteAck(o, c.RequestId, Now));
                return;
            case MessageType.GetMetrics or MessageType.GetServerStats when session.Region is null:
                Reply(t, o => ReplyCodec.WriteError(o, c.RequestId, ErrorCode.HandshakeRequired, $"{c.Type}: this connection has no region; send Hello with a region first"));
                return;
            case MessageType.GetMetrics:
            {
                // The region's engine figures with this silo's edge figures: what the sidecar's Metrics reply says of its one engine.
                var f = await _grains.GetGrain<IRegionGrain>(session.Region!).Figures().ConfigureAwait(false);
                var m = new MetricsSnapshot(f.Now, Uptime(), Volatile.Read(ref _connections), _inbox.Reader.Count, Interlocked.Read(ref _framesIn),
                    Interlocked.Read(ref _framesOut), Interlocked.Read(ref _errors), f.Ticks, f.LastTickMs, f.Sequence, 0, f.OpenOrders);
                Reply(t, o => ReplyCodec.WriteMetrics(o, c.RequestId, m));
                return;
            }
            case MessageType.GetServerStats:
            {
                // This silo's process (memory, collections) with the region's size; the journal lives in Redis (0 bytes on disk here).
                var f = await _grains.GetGrain<IRegionGrain>(session.Region!).Figures().ConfigureAwait(false);
                if (c.Flag) Dispatch.Server.Metrics.ProcessStats.CollectEverything();
                var s = new ServerStats(f.Now, Uptime(), Dispatch.Server.Metrics.ProcessStats.RssBytes(), GC.GetTotalMemory(false),
                    GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), 0, f.LastSnapshotBytes, f.SnapshotsWritten,
                    f.LastSnapshotMs, f.LastSnapshotMs, f.LastSnapshotMs, f.KnownOrders, f.OpenOrders, f.Couriers, Dispatch.Server.Metrics.ProcessStats.LiveHeapBytes());
                Reply(t, o => ReplyCodec.WriteServerStats(o, c.RequestId, s));
                return;
            }
        }
        // Only a connection whose Hello was refused gets here with a region request.
        Reply(t, o => ReplyCodec.WriteError(o, c.RequestId, ErrorCode.HandshakeRequired, $"{c.Type}: this connection has no region; send Hello with a region first"));
    }

    /// <summary>The request as the grain takes it: the payload of its frame (re-encoded from the decoded command; the same bytes
    /// for every field the protocol defines, and Hello's token never reaches a region).</summary>
    private static byte[] Payload(in Command c)
    {
        var b = new FrameBuffer(64);
        CommandCodec.WriteFrame(b, c);
        return b.WrittenSpan[ProtocolConstants.HeaderBytes..].ToArray();
    }

    /// <summary>The path to <paramref name="region"/>'s grain shared by this silo's connections (made at the first request for it).</summary>
    private RegionLane LaneOf(string region) => _lanes.GetOrAdd(region, _newLane);

    /// <summary>Hand-offs a re-sent command follows at most (a courier handed on again meanwhile), before the refusal goes to the client.</summary>
    private const int MaxHops = 3;

    /// <summary>
    /// The courier directory, learned from the regions themselves: a region answered <see cref="ErrorCode.CourierMoved"/>
    /// for the command with <paramref name="rid"/> (a courier it handed off), so the command is re-sent, alone, to the
    /// region named (and on, if that one handed it on too), and that region's answer goes to the client in place of the
    /// refusal. A client addresses a courier's commands to any region it knows the courier by; after a move they still
    /// reach the one that holds it. Returns the frames written to <paramref name="output"/>.
    /// </summary>
    private async Task<int> FollowAsync(Session session, List<Command> batch, uint rid, string region, byte[] error, long courierApp, FrameBuffer output)
    {
        int index = batch.FindIndex(c => c.RequestId == rid);
        if (index < 0 || !_regions.TryGet(region, out _))
        {
            output.Append(error);
            return 1;
        }
        var single = new List<Command>(1) { batch[index] };
        byte[] last = error;
        for (int hop = 0; hop < MaxHops; hop++)
        {
            var lane = LaneOf(region);
            var answer = await lane.ExecuteAsync([Payload(single[0])], courierApp).ConfigureAwait(false);
            var acked = Audit is null ? null : new List<(uint RequestId, double Now)>();
            List<(uint RequestId, string Region, byte[] Error)>? movedOn = null;
            // A courier's command makes no Tick decisions: nothing for subscribers here.
            int frames = CopyFrames(answer, session.Subscribed, output, null, acked, ref movedOn, out _, out _);
            if (acked is { Count: > 0 }) RecordAudit(session, single, acked);
            if (movedOn is null) return frames;
            (_, region, last) = movedOn[0];
            if (!_regions.TryGet(region, out _)) break;
        }
        output.Append(last);
        return 1;
    }

    /// <summary>
    /// The requests of <paramref name="batch"/> the region acknowledged (applied and durable), to this silo's audit log with
    /// the connection's credential and address: what the sidecar's engine thread records after its journal write.
    /// </summary>
    private void RecordAudit(Session session, List<Command> batch, List<(uint RequestId, double Now)> acked)
    {
        var t = session.Target;
        long unixMs = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        int next = 0;
        foreach (var (rid, now) in acked)
        {
            // Acks come in request order: find each one's command from where the last left off.
            for (int i = next; i < batch.Count; i++)
            {
                if (batch[i].RequestId != rid) continue;
                Audit!.Record(new AuditEntry(unixMs, now, batch[i], t.Principal, t.Remote));
                next = i + 1;
                break;
            }
        }
    }

    /// <summary>
    /// Copies an answer's frames into <paramref name="output"/>, the push frames (request id 0: a Tick's decisions) only when
    /// the connection is subscribed, as the sidecar sends pushes only to subscribers, and the push frames alone to
    /// <paramref name="pushes"/> when given (for this silo's other subscribers). Returns the frames copied; the time of the
    /// last Ack (NaN when none) is the Pong clock; <paramref name="acked"/>, when given, hears every Ack's request id and time.
    /// A <see cref="ErrorCode.CourierMoved"/> refusal naming a region is not copied but added to <paramref name="moved"/>
    /// (request id, region, the frame itself; the list made at the first), for the edge to re-send that command (<see cref="FollowAsync"/>).
    /// </summary>
    private static int CopyFrames(byte[] answer, bool subscribed, FrameBuffer output, FrameBuffer? pushes, List<(uint RequestId, double Now)>? acked,
        ref List<(uint RequestId, string Region, byte[] Error)>? moved, out double ackTime, out int pushCount)
    {
        ackTime = double.NaN;
        pushCount = 0;
        var rest = new ReadOnlySequence<byte>(answer);
        int n = 0;
        while (true)
        {
            int start = answer.Length - (int)rest.Length;
            if (FrameReader.TryReadFrame(ref rest, int.MaxValue, out var payload, out _) != FrameStatus.Frame) break;
            var r = new MessagePackReader(payload);
            r.ReadArrayHeader();
            var type = (MessageType)r.ReadInt32();
            var frame = answer.AsSpan(start, answer.Length - (int)rest.Length - start);
            if (type is MessageType.Assignment or MessageType.PlanChange)
            {
                if (pushes is not null)
                {
                    pushes.Append(frame);
                    pushCount++;
                }
                if (!subscribed) continue;
            }
            if (type == MessageType.Ack && ReplyCodec.Read(payload) is AckMessage ack)
            {
                ackTime = ack.Now;
                acked?.Add((ack.RequestId, ack.Now));
            }
            else if (type == MessageType.Error && ReplyCodec.Read(payload) is ErrorMessage { Code: ErrorCode.CourierMoved } refusal
                && Handoff.CourierMoved.TryReadRegion(refusal.Message, out var region))
            {
                (moved ??= []).Add((refusal.RequestId, region, frame.ToArray()));
                continue;
            }
            output.Append(frame);
            n++;
        }
        return n;
    }

    private static double Uptime() => (DateTime.UtcNow - ProcessStarted).TotalSeconds;

    private void AdvanceNow(double t)
    {
        double seen;
        while (t > (seen = Volatile.Read(ref _now)) && Interlocked.CompareExchange(ref _now, t, seen) != seen) { }
    }

    private void Reply(ReplyTarget t, Action<FrameBuffer> write)
    {
        var buffer = new FrameBuffer(128, ServerBuffers.Frames);
        write(buffer);
        Interlocked.Increment(ref _framesOut);
        t.Send(buffer.DetachLast(), 1);
    }

    private sealed class Session(ReplyTarget target, int capacity)
    {
        public ReplyTarget Target { get; } = target;
        public Channel<InboxItem> Queue { get; } = Channel.CreateBounded<InboxItem>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        public Task? Worker { get; set; }
        public string? Region { get; set; }

        /// <summary>Pushes wanted (Hello's flag, then Subscribe).</summary>
        public bool Subscribed { get; set; }
    }
}
