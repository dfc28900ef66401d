using Dispatch.Cluster.Hosting;
using Microsoft.Extensions.Hosting;

// A Dispatch silo: region grains over Orleans, membership and region state in Redis. docs/cluster.md.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.Out.Write(ClusterUsage.Text());
    return 0;
}
if (Dispatch.Cluster.Probe.ClusterProbe.IsRequested(args))
    return await Dispatch.Cluster.Probe.ClusterProbe.RunAsync(args, Console.Out);
HostApplicationBuilder builder;
try
{
    builder = ClusterHostBuilder.Create(args);
}
catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or InvalidOperationException)
{
    Console.Error.WriteLine("dispatch-cluster: " + ex.Message);
    return 2;
}
using var host = builder.Build();
await host.RunAsync();
return 0;
