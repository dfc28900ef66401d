namespace Dispatch.Cluster.Hosting;

/// <summary>The silo's <c>--help</c> text.</summary>
public static class ClusterUsage
{
    /// <summary>The usage text.</summary>
    public static string Text() => """
        Dispatch.Cluster: a silo hosting one grain per dispatch region (docs/cluster.md).

        Usage: Dispatch.Cluster [--config FILE] [--redis HOST:PORT] [--silo-port N] [--gateway-port N]
                                [--address IP] [--cluster-id ID] [--key-prefix P] [--Section:Key=value ...]

          --config FILE     JSON with a "Cluster" section (Redis, ports, Regions: [{ "Id": ..., "Area": "POLYGON ((...))" }])
                            and optionally a "Dispatch" section (engine settings, as the server's)
          --redis           Redis configuration string: membership, region journals and snapshots (default 127.0.0.1:6379)
          --silo-port       silo-to-silo port (default 11111)      --gateway-port   client gateway port (default 30000)
          --address         address advertised to the other silos (default 127.0.0.1)
          --port            the TCP edge's port (the sidecar protocol; Dispatch:Port, default 7420; Cluster:Edge=false: none)
          --default-region  the region of a Hello that names none (the single-region form of the protocol)
        Environment variables work as well: Cluster__Redis=127.0.0.1:6391, Cluster__Regions__0__Id=north, ...
        Local three-silo cluster: samples/cluster/start-local.sh

               Dispatch.Cluster probe --redis HOST:PORT [--cluster-id ID] --regions a,b --points "x y;x y" [--updates N]
          an Orleans client: one order through each region, then N acknowledged position updates per region, timed
        """;
}
