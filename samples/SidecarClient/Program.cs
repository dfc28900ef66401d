using System.Globalization;
using Dispatch.Client;
using Dispatch.Protocol;
using SidecarClient;

// A sidecar client in two commands:
//   stream <trace-dir> [--speed N] [--port P] [--host H]   stream an MDRP trace to a manual-clock server
//   status [--port P] [--host H]                           print order counts as one JSON object
const string Usage = """
    usage:
      SidecarClient stream <trace-dir> [--speed N] [--port P] [--host H] [--token T]
      SidecarClient status [--port P] [--host H] [--token T]
    stream needs a server started with --clock Manual; --speed N = N simulated minutes per second (default: as fast as possible).
    Watch it: start the server with --http-port 7421 and open http://127.0.0.1:7421/ (the live view, docs/live-view.md).
    """;

if (args.Length == 0) { Console.Error.WriteLine(Usage); return 2; }
string host = "127.0.0.1";
int port = 7420;
double speed = 0;
string? token = null; // a server with --auth-tokens: an operator's token (stream ticks the clock)
var positional = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length: port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--host" when i + 1 < args.Length: host = args[++i]; break;
        case "--speed" when i + 1 < args.Length: speed = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--token" when i + 1 < args.Length: token = args[++i]; break;
        case "-h" or "--help": Console.WriteLine(Usage); return 0;
        default:
            if (args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"unknown option {args[i]}\n{Usage}"); return 2; }
            positional.Add(args[i]);
            break;
    }
}

try
{
    switch (positional[0])
    {
        case "stream" when positional.Count == 2:
        {
            var trace = MdrpTrace.Load(positional[1]);
            await using var client = await DispatchClient.ConnectAsync(host, port, new DispatchClientOptions { ClientName = "SidecarClient", Subscribe = true, Token = token });
            if (client.Server.Clock != ClockMode.Manual)
            {
                Console.Error.WriteLine("the server runs on the wall clock; start it with --clock Manual to stream a trace in accelerated time");
                return 2;
            }
            Console.WriteLine($"streaming {trace.Orders.Length} orders, {trace.Couriers.Length} couriers, {trace.Restaurants.Length} restaurants to {client.Server.ServerName} at {host}:{port}");
            return await new TraceStreamer(trace, client, speed, Console.Out).RunAsync();
        }
        case "status" when positional.Count == 1:
        {
            await using var client = await DispatchClient.ConnectAsync(host, port, new DispatchClientOptions { ClientName = "SidecarClient", Token = token });
            var c = await client.GetCountsAsync();
            Console.WriteLine($$"""{"known":{{c.Known}},"open":{{c.Open}},"assigned":{{c.Assigned}},"delivered":{{c.Delivered}}}""");
            return 0;
        }
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or DispatchRequestException or FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
