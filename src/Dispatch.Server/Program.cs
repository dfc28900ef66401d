using Dispatch.Server;
using Dispatch.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Configuration, lowest to highest precedence: appsettings.json, appsettings.{Environment}.json,
// environment variables (Dispatch__Port=7420), command line (--port 7420 --data ./data, or any
// option as --Dispatch:MaxConnections=100). See docs/protocol.md, "Running the server".
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--port"] = "Dispatch:Port",
    ["--data"] = "Dispatch:DataDirectory",
    ["--address"] = "Dispatch:Address",
    ["--clock"] = "Dispatch:Clock",
    ["--fsync"] = "Dispatch:Fsync",
    ["--travel"] = "Dispatch:Travel",
    ["--speed"] = "Dispatch:MetersPerMinute",
    ["--record"] = "Dispatch:RecordPath",
});
builder.Services.Configure<ServerOptions>(builder.Configuration.GetSection(ServerOptions.Section));
// Room to drain connections and sync the journal after SIGTERM.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services.AddHostedService<DispatchHostedService>();

using var host = builder.Build();
await host.RunAsync();
