using Dispatch.Protocol;
using Dispatch.Hosting;
using Dispatch.Engine;
using Dispatch.Server.Journal;
using Dispatch.Server.Security;

namespace Dispatch.Server;

/// <summary>How coordinates are turned into travel minutes.</summary>
public enum TravelMode
{
    /// <summary>Metres on a plane, ceil(distance / MetersPerMinute): the published MDRP rule.</summary>
    Euclidean = 0,
    /// <summary>Longitude/latitude degrees, great-circle distance at HaversineKmh with a detour factor.</summary>
    Haversine = 1,
}

/// <summary>
/// Server settings. Bound from the "Dispatch" configuration section (appsettings.json, environment
/// variables DISPATCH__Port etc., command line --port / --data or --Dispatch:Port=...).
/// </summary>
public sealed class ServerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Dispatch";

    /// <summary>Address to listen on. Loopback by default: a sidecar talks to its neighbour.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 7420;

    /// <summary>Directory of the journal segments and snapshots. Created if missing.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Name sent in HelloOk.</summary>
    public string ServerName { get; set; } = "dispatch-server";

    /// <summary>Wall: engine minutes follow the wall clock and the server ticks itself. Manual: only Tick commands move the clock.</summary>
    public ClockMode Clock { get; set; } = ClockMode.Wall;

    /// <summary>Engine minutes per wall minute in wall-clock mode (1 = real time; larger for demos).</summary>
    public double ClockRate { get; set; } = 1;

    /// <summary>Largest frame payload accepted, in bytes. Bigger prefixes close the connection.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>Open connections at most; more are refused with ServerBusy.</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>Commands buffered for the engine thread; when full, connections stop reading (TCP backpressure).</summary>
    public int InboxCapacity { get; set; } = 8192;

    /// <summary>Commands the engine thread applies per group commit at most.</summary>
    public int MaxBatch { get; set; } = 1024;

    /// <summary>Reply and push bytes queued for one connection at most; a client that does not read is closed past it (SlowConsumer).</summary>
    public int MaxOutboundBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>A connection that sends no Hello within this time is closed.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Kernel send buffer per connection in bytes (0 = OS default). Tests shrink it to provoke slow-consumer handling.</summary>
    public int SocketSendBufferBytes { get; set; }

    /// <summary>When the journal fsyncs; every policy writes to the OS before acknowledging.</summary>
    public FsyncPolicy Fsync { get; set; } = FsyncPolicy.Always;

    /// <summary>Interval for <see cref="FsyncPolicy.Interval"/>.</summary>
    public TimeSpan FsyncInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long shutdown waits for connections to flush their last replies.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Write an engine snapshot (<c>snapshot-&lt;records&gt;.snap</c> in the data directory) once this many
    /// journal records have been appended since the last one, or sooner by <see cref="SnapshotEveryEngineMilliseconds"/>,
    /// and on graceful shutdown; 0 turns snapshots off (and with them journal compaction). The engine thread only
    /// copies its state into memory; the file is written in the background. Recovery loads the newest valid
    /// snapshot and replays only the journal after it. This count bounds the journal on disk; commands that cost
    /// the engine little (position updates) replay at hundreds of thousands a second, so it can be large.
    /// </summary>
    public long SnapshotEveryRecords { get; set; } = 200_000;

    /// <summary>
    /// Also write a snapshot once the engine thread has spent this many milliseconds applying commands and ticks
    /// since the last one (0: by record count only). A restart replays exactly that work, so this bounds the
    /// replay part of a restart by the work, whatever the mix: a busy hour's ticks re-run the planner (tens of
    /// milliseconds each at 20,000 open and retained orders), a flood of position updates costs microseconds each.
    /// The time is measured around each batch the engine thread applies, the snapshot's own pause excluded.
    /// </summary>
    public double SnapshotEveryEngineMilliseconds { get; set; } = 250;

    /// <summary>
    /// Also write a snapshot once the engine has journaled nothing for this many milliseconds of wall time (0: never
    /// for idleness), provided the journal after the last snapshot holds at least a twentieth of
    /// <see cref="SnapshotEveryEngineMilliseconds"/> of engine work. A server going quiet (the night after the dinner
    /// peak) then restarts from that snapshot with next to nothing to replay, instead of up to the whole work budget;
    /// the twentieth keeps a trickle of commands (one every few seconds) from writing a snapshot after each. Needs the
    /// work budget on (<see cref="SnapshotEveryEngineMilliseconds"/> above 0).
    /// </summary>
    public double SnapshotWhenIdleMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Snapshots kept in the data directory (the newest ones that check out); older ones are deleted after a new
    /// one is durable, and so are the journal segments wholly covered by the oldest kept one. With 2, a damaged
    /// newest snapshot still recovers from the one before it plus the journal after that.
    /// </summary>
    public int SnapshotsToKeep { get; set; } = 2;

    /// <summary>The journal starts a new segment (<c>journal-&lt;records&gt;.dspj</c>) once the current one reaches this many bytes, and at every snapshot.</summary>
    public long JournalSegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Where compaction moves journal segments the kept snapshots cover, instead of deleting them; a relative
    /// path is taken inside the data directory. Empty (the default): they are deleted.
    /// </summary>
    public string? JournalArchiveDirectory { get; set; }

    /// <summary>When set, every accepted command is also recorded to this command trace file (see docs/protocol.md, "Command traces").</summary>
    public string? RecordPath { get; set; }

    // ---- security (docs/security.md)

    /// <summary>PKCS#12 file (.pfx) of the server's TLS certificate and key (<c>--tls-cert</c>); set: the port speaks TLS 1.2+ only. Reloaded when the file changes.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>File whose first line is the .pfx password (<c>--tls-cert-password-file</c>); none: no password.</summary>
    public string? TlsCertificatePasswordFile { get; set; }

    /// <summary>PEM file of the CA(s) client certificates must chain to (<c>--tls-client-ca</c>); set: clients are asked for a certificate, mapped to a role by its key in the tokens file.</summary>
    public string? TlsClientCa { get; set; }

    /// <summary>With <see cref="TlsClientCa"/>: refuse a TLS handshake without a client certificate (otherwise such a client may still log in with a token).</summary>
    public bool TlsRequireClientCertificate { get; set; }

    /// <summary>A TLS handshake not finished in this time is dropped (a peer that connects and sends nothing, or plaintext that waits for an answer).</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The tokens file (<c>--auth-tokens</c>): one credential a line, <c>key role [name-or-courier-id] [expires=...]</c>, tokens hashed
    /// (<c>Dispatch.Server hash-token</c>). Set: every connection must authenticate in Hello (token) or with a client certificate.
    /// </summary>
    public string? AuthTokens { get; set; }

    /// <summary>Allow listening on a non-loopback address without <see cref="AuthTokens"/> (a network that is yours alone). Off: such a start is refused.</summary>
    public bool AllowUnauthenticated { get; set; }

    /// <summary>How often live connections are checked against the tokens file (revoked or expired credentials are closed).</summary>
    public TimeSpan CredentialSweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Audit log of accepted state changes (<c>&lt;data&gt;/audit/</c>): Auto (on with authentication), On, Off.</summary>
    public AuditMode Audit { get; set; } = AuditMode.Auto;

    /// <summary>The audit file is rotated past this size.</summary>
    public long AuditFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The live operations view's HTTP port (<c>--http-port</c>): a page and its Server-Sent Events feed (docs/live-view.md).
    /// Null: off (the default); 0: an ephemeral port (tests).
    /// </summary>
    public int? HttpPort { get; set; }

    /// <summary>The address the HTTP port binds (<c>--http-address</c>). Loopback unless configured; elsewhere it needs
    /// <see cref="AuthTokens"/> (or <see cref="AllowUnauthenticated"/>), as the TCP port does.</summary>
    public string HttpAddress { get; set; } = "127.0.0.1";

    /// <summary>Slots of the ring the engine thread writes the view's events into (a power of two; the ETA changes' log
    /// beside it holds twice as many). The view's one reader falling further behind than this loses events (counted),
    /// never slows the engine.</summary>
    public int HttpFeedRingEvents { get; set; } = 1 << 16;

    /// <summary>How often the feed sends what changed (milliseconds): each courier's and order's latest state once per message.</summary>
    public int HttpFeedIntervalMs { get; set; } = 250;

    /// <summary>Feed messages a browser may fall behind by before it is dropped (counted; its EventSource reconnects).</summary>
    public int HttpViewerBacklog { get; set; } = 64;

    /// <summary>True when <see cref="HttpAddress"/> is a loopback address.</summary>
    public bool HttpIsLoopback => System.Net.IPAddress.TryParse(HttpAddress, out var a) && System.Net.IPAddress.IsLoopback(a);

    /// <summary>
    /// Per-role connection limits, keyed by role name (<c>Dispatch:Limits:viewer:RequestsPerSecond=50</c>); each starts at
    /// <see cref="RoleLimits.Default"/>. A server without authentication treats every peer as an operator, whose default is no limit.
    /// </summary>
    public Dictionary<string, RoleLimits> Limits { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["viewer"] = RoleLimits.Default(Role.Viewer),
        ["courier-app"] = RoleLimits.Default(Role.CourierApp),
        ["integration"] = RoleLimits.Default(Role.Integration),
        ["operator"] = RoleLimits.Default(Role.Operator),
    };

    /// <summary>The limits of <paramref name="role"/>.</summary>
    public RoleLimits LimitsOf(Role role) => Limits.TryGetValue(role.Name(), out var l) ? l : RoleLimits.Default(role);

    /// <summary>True when the listen address is a loopback one.</summary>
    public bool IsLoopback => System.Net.IPAddress.TryParse(Address, out var a) && System.Net.IPAddress.IsLoopback(a);

    // ---- engine

    /// <summary>Travel-time rule.</summary>
    public TravelMode Travel { get; set; } = TravelMode.Euclidean;

    /// <summary>Speed for <see cref="TravelMode.Euclidean"/>, metres per minute (the MDRP traces use 320).</summary>
    public double MetersPerMinute { get; set; } = 320;

    /// <summary>Speed for <see cref="TravelMode.Haversine"/>, km/h.</summary>
    public double HaversineKmh { get; set; } = 20;

    /// <summary>Street detour factor for <see cref="TravelMode.Haversine"/>.</summary>
    public double DetourFactor { get; set; } = 1.3;

    /// <summary>
    /// The engine's own settings, every <see cref="DispatchOptions"/> property. In configuration each is a key of the
    /// "Dispatch" section under its property name (Dispatch:Profile, Dispatch:PickupServiceMinutes,
    /// Dispatch:GeneralImprovementMovesPerTick, ...; see <see cref="Hosting.EngineConfiguration"/>), never retyped here.
    /// <see cref="DispatchOptions.TickIntervalMinutes"/> is also the cadence of the server's own ticks (wall clock).
    /// </summary>
    public DispatchOptions Engine { get; set; } = new();

    // ---- traffic (congestion zones, closures, citywide factors: see docs/protocol.md)

    /// <summary>
    /// The area the traffic picture covers, <c>minX,minY,maxX,maxY</c> in the travel rule's coordinates
    /// (default a 100 km square centred on 0,0, in metres). Haversine users set it in degrees around
    /// their city, e.g. <c>-0.5,51.3,0.3,51.7</c>, with a small <see cref="TrafficCellSize"/> such as 0.0025.
    /// Outside it only the citywide factor applies.
    /// </summary>
    public string TrafficBounds { get; set; } = TrafficSettings.DefaultBounds;

    /// <summary>Side of the traffic grid's square cells, in the travel rule's units (250 m; about 0.0025 degrees for Haversine). At most 4 million cells.</summary>
    public double TrafficCellSize { get; set; } = TrafficSettings.DefaultCellSize;

    /// <summary>Minutes added to a leg for each road closure it crosses (the detour, approximated).</summary>
    public double ClosureDetourMinutes { get; set; } = TrafficSettings.DefaultClosureDetourMinutes;

    /// <summary>Parses <see cref="TrafficBounds"/>; throws ArgumentException on anything but four finite numbers with min &lt; max.</summary>
    public (double MinX, double MinY, double MaxX, double MaxY) ParseTrafficBounds() => TrafficSettings.ParseBounds(TrafficBounds);

    /// <summary>The traffic grid these settings describe.</summary>
    public TrafficSettings ToTrafficSettings() => TrafficSettings.FromText(TrafficBounds, TrafficCellSize, ClosureDetourMinutes);

    /// <summary>Throws on settings that cannot work.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "port must be 0..65535");
        if (MaxFrameBytes < 64) throw new ArgumentOutOfRangeException(nameof(MaxFrameBytes), MaxFrameBytes, "must be at least 64");
        if (MaxConnections < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "must be at least 1");
        if (InboxCapacity < 1) throw new ArgumentOutOfRangeException(nameof(InboxCapacity), InboxCapacity, "must be at least 1");
        if (MaxBatch < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatch), MaxBatch, "must be at least 1");
        if (MaxOutboundBytes < 1024) throw new ArgumentOutOfRangeException(nameof(MaxOutboundBytes), MaxOutboundBytes, "must be at least 1024");
        if (!(ClockRate > 0) || !double.IsFinite(ClockRate)) throw new ArgumentOutOfRangeException(nameof(ClockRate), ClockRate, "must be positive");
        if (SnapshotEveryRecords < 0) throw new ArgumentOutOfRangeException(nameof(SnapshotEveryRecords), SnapshotEveryRecords, "must be 0 (off) or positive");
        if (!(SnapshotEveryEngineMilliseconds >= 0) || !double.IsFinite(SnapshotEveryEngineMilliseconds)) throw new ArgumentOutOfRangeException(nameof(SnapshotEveryEngineMilliseconds), SnapshotEveryEngineMilliseconds, "must be 0 (by record count only) or positive");
        if (!(SnapshotWhenIdleMilliseconds >= 0) || !double.IsFinite(SnapshotWhenIdleMilliseconds)) throw new ArgumentOutOfRangeException(nameof(SnapshotWhenIdleMilliseconds), SnapshotWhenIdleMilliseconds, "must be 0 (never for idleness) or positive");
        if (SnapshotsToKeep < 1) throw new ArgumentOutOfRangeException(nameof(SnapshotsToKeep), SnapshotsToKeep, "must be at least 1");
        if (JournalSegmentBytes < 4096) throw new ArgumentOutOfRangeException(nameof(JournalSegmentBytes), JournalSegmentBytes, "must be at least 4096");
        var (minX, minY, maxX, maxY) = ParseTrafficBounds();
        if (!(TrafficCellSize > 0) || !double.IsFinite(TrafficCellSize)) throw new ArgumentOutOfRangeException(nameof(TrafficCellSize), TrafficCellSize, "must be positive");
        if (Math.Ceiling((maxX - minX) / TrafficCellSize) * Math.Ceiling((maxY - minY) / TrafficCellSize) > 4_000_000)
            throw new ArgumentOutOfRangeException(nameof(TrafficCellSize), TrafficCellSize, $"the traffic grid over {TrafficBounds} would have more than 4 million cells; use larger cells or smaller bounds");
        if (!(ClosureDetourMinutes >= 0) || !double.IsFinite(ClosureDetourMinutes)) throw new ArgumentOutOfRangeException(nameof(ClosureDetourMinutes), ClosureDetourMinutes, "must be >= 0");
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("a data directory is required", nameof(DataDirectory));
        if (!IsLoopback && string.IsNullOrWhiteSpace(AuthTokens) && !AllowUnauthenticated)
            throw new ArgumentException($"listening on {Address} (not loopback) without authentication would let anyone who reaches the port change orders and read courier positions: "
                + "give --auth-tokens <file> (and --tls-cert <file.pfx>), or set Dispatch:AllowUnauthenticated=true for a network that is yours alone (docs/security.md)", nameof(AuthTokens));
        if (!string.IsNullOrWhiteSpace(TlsClientCa) && string.IsNullOrWhiteSpace(TlsCertificate))
            throw new ArgumentException("--tls-client-ca needs --tls-cert: client certificates are a TLS feature", nameof(TlsClientCa));
        if (!string.IsNullOrWhiteSpace(TlsClientCa) && string.IsNullOrWhiteSpace(AuthTokens))
            throw new ArgumentException("--tls-client-ca needs --auth-tokens: a client certificate gets its role from its key (cert-sha256:...) in the tokens file", nameof(TlsClientCa));
        if (TlsHandshakeTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TlsHandshakeTimeout), TlsHandshakeTimeout, "must be positive");
        if (CredentialSweepInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CredentialSweepInterval), CredentialSweepInterval, "must be positive");
        if (AuditFileBytes < 4096) throw new ArgumentOutOfRangeException(nameof(AuditFileBytes), AuditFileBytes, "must be at least 4096");
        if (HttpPort is { } hp && hp is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(HttpPort), HttpPort, "HTTP port must be 0..65535 (or unset: off)");
        if (HttpPort is not null)
        {
            if (!System.Net.IPAddress.TryParse(HttpAddress, out _)) throw new ArgumentException($"HttpAddress '{HttpAddress}' is not an IP address", nameof(HttpAddress));
            if (!HttpIsLoopback && string.IsNullOrWhiteSpace(AuthTokens) && !AllowUnauthenticated)
                throw new ArgumentException($"the live view on {HttpAddress} (not loopback) without authentication would show courier positions to anyone who reaches the port: "
                    + "give --auth-tokens <file>, or set Dispatch:AllowUnauthenticated=true for a network that is yours alone (docs/live-view.md)", nameof(HttpAddress));
            if (HttpFeedRingEvents < 1024 || (HttpFeedRingEvents & (HttpFeedRingEvents - 1)) != 0)
                throw new ArgumentOutOfRangeException(nameof(HttpFeedRingEvents), HttpFeedRingEvents, "must be a power of two, at least 1024");
            if (HttpFeedIntervalMs is < 10 or > 10_000) throw new ArgumentOutOfRangeException(nameof(HttpFeedIntervalMs), HttpFeedIntervalMs, "must be 10..10000 ms");
            if (HttpViewerBacklog < 2) throw new ArgumentOutOfRangeException(nameof(HttpViewerBacklog), HttpViewerBacklog, "must be at least 2");
        }
        foreach (var (role, limits) in Limits)
        {
            if (!RoleNames.TryParse(role, out _)) throw new ArgumentException($"Limits:{role}: unknown role (viewer, courier-app, integration, operator)", nameof(Limits));
            limits.Validate(role);
        }
    }
}
