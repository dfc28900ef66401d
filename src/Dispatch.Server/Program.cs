using Dispatch.Server.Hosting;
using Microsoft.Extensions.Hosting;

// Configuration, lowest to highest precedence: appsettings.json, appsettings.{Environment}.json,
// --config <file> (JSON, a "Dispatch" section), environment variables (Dispatch__Port=7420), command
// line (--port 7420 --data ./data, or any option as --Dispatch:MaxConnections=100).
// See docs/protocol.md, "Running the server".
ProcessStartClock.MainEntered();
if (Dispatch.Server.Security.SecurityCommands.IsCommand(args))
    return Dispatch.Server.Security.SecurityCommands.Run(args, Console.Out, Console.Error);
if (ServerUsage.IsRequested(args))
{
    Console.Out.Write(ServerUsage.Text());
    return 0;
}
InlineSocketCompletions.Prefer(); // before the first socket: the runtime reads it once
using var host = ServerHostBuilder.Create(args).Build();
await host.RunAsync();
return 0;
