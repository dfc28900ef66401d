using Dispatch.Cluster.Hosting;
using Microsoft.Extensions.Hosting;

// A Dispatch silo: region grains over Orleans, membership and region state in Redis. docs/cluster.md.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.Out.Write(ClusterUsage.Text());
    return 0;
}
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
