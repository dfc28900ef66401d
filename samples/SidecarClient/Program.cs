using System.Globalization;
using Dispatch.Client;
using Dispatch.Protocol;
using SidecarClient;

// A sidecar client in two commands:
//   stream <trace-dir> [--speed N] [connection options]   stream an MDRP trace to a manual-clock server
//   status [connection options]                           print order counts as one JSON object
// Connection options: --host H --port P, and for a secured server (docs/security.md) --tls [--ca FILE] and --token-file FILE.
const string Usage = """
    usage:
      SidecarClient stream <trace-dir> [--speed N] [--host H] [--port P] [--tls] [--ca FILE] [--token-file FILE]
      SidecarClient status [--host H] [--port P] [--tls] [--ca FILE] [--token-file FILE]
    stream needs a server started with --clock Manual; --speed N = N simulated minutes per second (default: as fast as possible).
    --tls speaks TLS; --ca FILE: the PEM certificate of the private CA the server's certificate must chain to (default: the system's roots).
    --token-file FILE: the bearer token (first line of FILE) for a server started with --auth-tokens; a file, not an argument, so it stays out of ps.
    Watch it: start the server with --http-port 7421 and open http://127.0.0.1:7421/ (the live view, docs/live-view.md).
    """;

if (args.Length == 0) { Console.Error.WriteLine(Usage); return 2; }
string host = "127.0.0.1";
int port = 7420;
double speed = 0;
bool tls = false;
string? caFile = null, tokenFile = null;
var positional = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length: port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--host" when i + 1 < args.Length: host = args[++i]; break;
        case "--speed" when i + 1 < args.Length: speed = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--tls": tls = true; break;
        case "--ca" when i + 1 < args.Length: caFile = args[++i]; tls = true; break;
        case "--token-file" when i + 1 < args.Length: tokenFile = args[++i]; break;
        case "-h" or "--help": Console.WriteLine(Usage); return 0;
        default:
            if (args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"unknown option {args[i]}\n{Usage}"); return 2; }
            positional.Add(args[i]);
            break;
    }
}

if (positional.Count == 0) { Console.Error.WriteLine(Usage); return 2; }

try
{
    DispatchClientOptions Options(bool subscribe) => new()
    {
        ClientName = "SidecarClient",
        Subscribe = subscribe,
        Tls = tls,
        TrustedCa = caFile is null ? null : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(caFile),
        Token = tokenFile is null ? null : ReadToken(tokenFile),
    };

    switch (positional[0])
    {
        case "stream" when positional.Count == 2:
        {
            var trace = MdrpTrace.Load(positional[1]);
            await using var client = await DispatchClient.ConnectAsync(host, port, Options(subscribe: true));
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
            await using var client = await DispatchClient.ConnectAsync(host, port, Options(subscribe: false));
            var c = await client.GetCountsAsync();
            Console.WriteLine($$"""{"known":{{c.Known}},"open":{{c.Open}},"assigned":{{c.Assigned}},"delivered":{{c.Delivered}}}""");
            return 0;
        }
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or DispatchRequestException or FormatException
    or System.Security.Authentication.AuthenticationException or System.Security.Cryptography.CryptographicException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

static string ReadToken(string path)
{
    string token = File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
    if (token.Length == 0) throw new FormatException($"--token-file {path}: the first line is empty; it must hold the bearer token");
    return token;
}
