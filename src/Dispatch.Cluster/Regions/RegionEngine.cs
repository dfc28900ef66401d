using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Handoff;
using Dispatch.Engine;
using Dispatch.Hosting;
using Dispatch.Protocol;
using ErrorCode = Dispatch.Protocol.ErrorCode;
using Dispatch.Server;
using Dispatch.Server.Snapshots;

namespace Dispatch.Cluster.Regions;

/// <summary>
/// One region's engine on a manual clock, as the sidecar's manual mode: events apply at the time of the last Tick, a Tick
/// moves the clock to its own time. Every command goes through the one command router (<see cref="IEngineDriver.Route"/>);
/// this class only adds what a region adds: the area check of AddSite, the clock, and the journal position. Not thread-safe:
/// the region grain's turns are its only thread. It never writes to the store: <see cref="Execute"/> says when a command
/// was accepted (its journal record, numbered after any still being written: a batch), the grain makes the records durable
/// and only then acknowledges them (<see cref="Committed"/>).
/// </summary>
internal sealed class RegionEngine
{
    private readonly Region _region;
    private readonly ServerOptions _options;

    private RegionEngine(Region region, ServerOptions options, IEngineDriver driver, double now, long sequence)
    {
        _region = region;
        _options = options;
        Driver = driver;
        Now = now;
        Sequence = sequence;
        _pending = sequence;
        SnapshotSequence = sequence;
    }

    // The sequence number of the last record handed out by Execute: ahead of Sequence while a group of records is being
    // made durable (a batch), equal to it between turns.
    private long _pending;

    /// <summary>The region's side of its courier hand-offs (journaled like commands, carried in snapshots).</summary>
    public HandoffLedger Handoffs { get; private set; } = new();

    /// <summary>The router and engine.</summary>
    public IEngineDriver Driver { get; }

    /// <summary>The engine clock: the time of the last accepted Tick (0 before the first).</summary>
    public double Now { get; private set; }

    /// <summary>The last journal sequence number that is durable in the store.</summary>
    public long Sequence { get; private set; }

    /// <summary>The sequence number the newest snapshot covers.</summary>
    public long SnapshotSequence { get; private set; }

    /// <summary>Journal records replayed at the last rebuild, and how many of them the engine refused (only a rule change between versions can cause that).</summary>
    public (long Replayed, long Refused) Rebuilt { get; private set; }

    /// <summary>The engine settings text a snapshot carries (the server's, so the two stay comparable).</summary>
    public static string SettingsOf(ServerOptions options) => EngineSettings.Describe(options);

    /// <summary>
    /// The region rebuilt from the store: its snapshot (if any; refused when taken under other engine settings, because the
    /// journal it covers is gone and a different engine would decide differently), then every journal record after it,
    /// through the router, decisions discarded (they were answered before). Decides exactly as the engine that never stopped.
    /// </summary>
    public static async Task<RegionEngine> RebuildAsync(Region region, ServerOptions options, IRegionStore store, CancellationToken cancellationToken)
    {
        var snapshot = await store.LoadSnapshotAsync(region.Id, cancellationToken).ConfigureAwait(false);
        RegionEngine engine;
        if (snapshot is null)
        {
            engine = new RegionEngine(region, options, EngineDrivers.Create(options), 0, 0);
        }
        else
        {
            string ours = SettingsOf(options);
            if (snapshot.Settings != ours)
                throw new InvalidOperationException(
                    $"region '{region.Id}': its snapshot (record {snapshot.Sequence}) was taken under other engine settings ({EngineSettings.Difference(snapshot.Settings, ours)}); " +
                    "start the silo with the settings the region was created with");
            using var body = new MemoryStream(snapshot.Body, writable: false);
            engine = new RegionEngine(region, options, SnapshotBody.Read(body, options), snapshot.Now, snapshot.Sequence)
            {
                Handoffs = HandoffLedger.Decode(snapshot.Handoffs),
            };
        }
        long replayed = 0, refused = 0;
        await foreach (var entry in store.ReadJournalAsync(region.Id, engine.Sequence, cancellationToken).ConfigureAwait(false))
        {
            if (!engine.Replay(entry)) refused++;
            replayed++;
        }
        engine.Rebuilt = (replayed, refused);
        return engine;
    }

    /// <summary>Applies one journal record; false when the engine refused it (counted, as the server's recovery does).</summary>
    private bool Replay(in JournalEntry entry)
    {
        bool accepted = true;
        try
        {
            // A hand-off step (Handoff/HandoffRecord.cs) is journaled beside the commands and replayed by the same code
            // that applied it live.
            if (HandoffRecord.TryRead(entry.Command, out var handoff))
            {
                HandoffSteps.Apply(this, handoff);
            }
            else
            {
                var c = CommandCodec.Read(new System.Buffers.ReadOnlySequence<byte>(entry.Command));
                var discard = default(DiscardSink);
                Driver.Route(c, entry.Now, ref discard, null);
            }
        }
        catch (DispatchException)
        {
            accepted = false;
        }
        // A Tick's record carries its own time, an event's the clock it was applied at: either way the clock then.
        Now = Math.Max(Now, entry.Now);
        Sequence = entry.Sequence;
        _pending = entry.Sequence;
        return accepted;
    }

    /// <summary>
    /// Carries out <paramref name="c"/>. A query, a Ping or a refusal is answered into <paramref name="output"/> and
    /// returns null. An accepted event or Tick changes the engine (a Tick's decisions are appended to
    /// <paramref name="output"/> as push frames) and returns the journal record to make durable; the caller writes it to
    /// the store, then calls <see cref="Committed"/> and acknowledges. Nothing acknowledged here.
    /// </summary>
    public JournalEntry? Execute(in Command c, ReadOnlyMemory<byte> payload, FrameBuffer output)
    {
        switch (c.Type)
        {
            case MessageType.Ping:
                ReplyCodec.WritePong(output, c.RequestId, Now);
                return null;
            case MessageType.Hello or MessageType.Subscribe or MessageType.GetMetrics or MessageType.GetServerStats:
                // Session and process figures are the edge's (the silo's connection), not a region's.
                ReplyCodec.WriteError(output, c.RequestId, ErrorCode.UnknownMessageType, $"{c.Type} is answered by the connection's silo, not by region '{_region.Id}'");
                return null;
            case MessageType.AddSite when !_region.Covers(c.X, c.Y):
                ReplyCodec.WriteError(output, c.RequestId, ErrorCode.InvalidValue,
                    $"AddSite: site {c.Id} at ({c.X}, {c.Y}) lies outside region '{_region.Id}' (x, y must be inside its area)");
                return null;
            case MessageType.CourierOnShift when Handoffs.Leaving(c.Id) is { } leaving:
                // The courier is on its way to another region (a hand-off not completed): a new shift here would put it
                // in two regions once the other adopts it.
                ReplyCodec.WriteError(output, c.RequestId, ErrorCode.InvalidState,
                    $"CourierOnShift: courier {c.Id} is being handed off from region '{_region.Id}' to '{leaving.To}' (hand-off {leaving.Id}); send its shift there");
                return null;
            case MessageType.CourierOnShift or MessageType.UpdateCourierPosition or MessageType.CourierOffShift when Handoffs.Departed(c.Id, Now) is { } gone:
                // Handed away and on shift there: a position here would be lost for the region that plans with it, a new
                // shift here would put it in two regions. The answer names where its commands go (a silo's edge re-sends them).
                ReplyCodec.WriteError(output, c.RequestId, ErrorCode.CourierMoved, CourierMoved.Message(c.Type, _region.Id, gone));
                return null;
        }
        if (!c.IsQuery && !c.IsEngineEvent)
        {
            ReplyCodec.WriteError(output, c.RequestId, ErrorCode.UnknownMessageType, $"{c.Type} cannot be sent to a region");
            return null;
        }
        bool tick = c.Type == MessageType.Tick;
        double now = tick ? c.T1 : Now;
        int mark = output.Length;
        try
        {
            var sink = new FramePushSink(output);
            Driver.Route(c, now, ref sink, output);
        }
        catch (DispatchException ex)
        {
            // A refusal changes nothing and writes nothing (the router's contract); drop any half-written frame.
            Truncate(output, mark);
            ReplyCodec.WriteError(output, c.RequestId, ErrorCodes.For(ex.Error), ex.Message);
            return null;
        }
        if (c.IsQuery) return null;
        if (tick) Now = Math.Max(Now, now);
        return new JournalEntry(++_pending, now, payload);
    }

    /// <summary>
    /// The journal record of a hand-off step already applied (<see cref="HandoffSteps.Apply"/>), numbered after any record
    /// still being written; the caller makes it durable and then calls <see cref="Committed"/>, as for a command.
    /// </summary>
    public JournalEntry Journal(HandoffRecord record) => new(++_pending, Now, record.Encode());

    /// <summary>The sequence number the next journal record will get (a hand-off id is the source's record number).</summary>
    public long NextSequence => _pending + 1;

    /// <summary>The record <see cref="Execute"/> returned (and every one before it) is durable in the store.</summary>
    public void Committed(in JournalEntry entry) => Sequence = entry.Sequence;

    /// <summary>True when at least <paramref name="everyRecords"/> records were journaled since the newest snapshot (0: never).</summary>
    public bool SnapshotDue(long everyRecords) => everyRecords > 0 && Sequence - SnapshotSequence >= everyRecords;

    /// <summary>The region's state now, in the server's snapshot body format, covering <see cref="Sequence"/>.</summary>
    public RegionSnapshot Snapshot()
    {
        using var body = new MemoryStream();
        SnapshotBody.Write(body, Driver);
        return new RegionSnapshot(Sequence, Now, SettingsOf(_options), body.ToArray(), Handoffs.Encode());
    }

    /// <summary>The snapshot <see cref="Snapshot"/> returned is durable.</summary>
    public void SnapshotSaved(RegionSnapshot snapshot) => SnapshotSequence = snapshot.Sequence;

    private static void Truncate(FrameBuffer output, int length)
    {
        if (output.Length == length) return;
        // Only a query writes before it could refuse, and the router computes before it writes: this is a guard.
        var kept = output.WrittenSpan[..length].ToArray();
        output.Reset();
        output.Append(kept);
    }
}
