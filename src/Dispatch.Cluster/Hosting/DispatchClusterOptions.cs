using Dispatch.Cluster.Regions;

namespace Dispatch.Cluster.Hosting;

/// <summary>
/// A silo's cluster settings, bound from the "Cluster" section (appsettings.json, <c>--config</c> file, environment
/// <c>Cluster__Redis=...</c>, command line <c>--redis</c>, <c>--silo-port</c>, <c>--gateway-port</c>). The engine settings
/// are the server's ("Dispatch" section: travel rule, engine options, traffic grid), so a region decides as a sidecar
/// configured the same way. docs/cluster.md.
/// </summary>
public sealed class DispatchClusterOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Cluster";

    /// <summary>Orleans cluster id: silos with the same id (and store) form one cluster.</summary>
    public string ClusterId { get; set; } = "dispatch";

    /// <summary>Orleans service id: stays the same across redeployments of the cluster.</summary>
    public string ServiceId { get; set; } = "dispatch";

    /// <summary>StackExchange.Redis configuration string of the store: membership, region journals and snapshots.</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";

    /// <summary>The first part of every region key in Redis, so several clusters can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "dispatch";

    /// <summary>The address this silo advertises to the others (and listens on). Loopback by default.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// A region writes a snapshot to the store (and drops the journal records it covers) once this many records were
    /// journaled since the last one, and when its grain deactivates; 0: only at deactivation. Bounds what a takeover replays.
    /// </summary>
    public long SnapshotEveryRecords { get; set; } = 10_000;

    /// <summary>
    /// Run the TCP edge: the sidecar protocol on <c>Dispatch:Address</c>:<c>Dispatch:Port</c> (<c>--port</c>), the server's own
    /// front end, each connection bound to the region its Hello names. Off: reach the regions through an Orleans client.
    /// </summary>
    public bool Edge { get; set; } = true;

    /// <summary>
    /// How often a silo's edge renews its push subscription with each region it has subscribed connections for; a region
    /// drops a silo not renewed for three times this (a dead silo). Also the longest a region reactivated on another silo goes
    /// without sending pushes to a silo's subscribers (docs/cluster.md, "Pushes").
    /// </summary>
    public double SubscriptionRefreshSeconds { get; set; } = 1.0;

    /// <summary>The region of a Hello that names none (the single-region form of the protocol); null: such a Hello is refused.</summary>
    public string? DefaultRegion { get; set; }

    /// <summary>The regions (ids and WKT areas); every silo of a cluster must be given the same list.</summary>
    public List<RegionDefinition> Regions { get; set; } = [];

    /// <summary>Hand-off rounds run by the silo itself (off by default; docs/cluster.md, Courier hand-off).</summary>
    public Handoff.HandoffSettings Handoff { get; set; } = new();
}
