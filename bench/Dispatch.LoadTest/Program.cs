using System.Globalization;
using Dispatch.LoadTest;

// Load and crash tests of the sidecar server (bench/README.md, "Server load and crash tests").
const string Usage = """
    usage:
      Dispatch.LoadTest [load] [options]      UpdateCourierPosition load at 1, 16, 64 connections -> bench/results/server-load.md
      Dispatch.LoadTest crash-cycles [options] kill -9 cycles, count lost acknowledged orders   -> bench/results/server-crash.md
      Dispatch.LoadTest fuzz [options]         bad frames at scale, then a post-check             -> bench/results/server-fuzz.md
      Dispatch.LoadTest soak [options]         simulated days, kill -9 each night: memory, disk, pauses, restarts -> bench/results/server-soak.md
      Dispatch.LoadTest restarts [options]     server builds started side by side on the same data, split in phases -> bench/results/server-restart.md
      Dispatch.LoadTest live-view [options]    position load + ticks with 0 and N live-view feeds, alternating -> bench/results/live-view-load.md
      Dispatch.LoadTest live-view-screenshots --url http://127.0.0.1:P/ --at 540,600   PNGs of a running live view -> bench/results/live-view/

    load options:
      --port P[,P2,...]      use a running server on 127.0.0.1:P instead of starting one; several ports (a cluster's silo
                             edges): connection i uses port i mod their count
      --regions a,b,...      cluster regions (Hello's region, docs/cluster.md): connection i works in region i mod their
                             count; sites and couriers are set up in each, inside 5 km of its --corners point
      --corners "x y;x y"    one corner per region (engine coordinates), the region's area containing x..x+5000, y..y+5000
      --fsync LIST           policies to start the server with, comma-separated (default Always,Interval,Never)
      --clock Manual|Wall    clock of the started server (default Manual: no wall-clock ticks during the run)
      --connections LIST     default 1,16,64
      --window N             requests in flight per connection, throughput mode (default 256)
      --latency-window N     requests in flight per connection, latency mode (default 8)
      --warmup S             seconds of warm-up per level (default 2)
      --duration S           measured seconds per level (default 10)
      --max-commands N       commands per level at most (default 50,000,000)
      --couriers N           couriers on shift (default 1000)
      --tls LIST             off, on, or off,on: plaintext and/or TLS (a certificate made for the run), side by side (default off)
    crash-cycles options:
      --fsync LIST           default Always,Interval,Never
      --cycles N             default 20
      --batch N              kill after a random 10%..100% of N orders are acknowledged (default 5000)
      --window N             orders in flight (default 512)
      --seed N               default 42
    fuzz options:
      --frames N             bad frames on the connections that stay open (default 1,000,000)
      --connections N        connections that stay open (default 4)
      --killers N            parallel loops of connection-killing garbage (default 2)
      --window N             bad frames pipelined per connection (default 256)
      --seed N               default 20261126
      --fsync P              default Always (the server default)
      --tls true             every connection over TLS (a certificate made for the run; default false)
    soak options:
      --days N               simulated days (default 14)
      --orders-per-day N     orders of each generated day (default 100,000; at least 1,000)
      --fsync P              journal fsync policy of the server (default Always, the server default)
      --cancel-share X       share of orders the customer cancels 2-15 minutes after placing it (default 0.02)
      --seed N               day d is the wave of seed N + d (default 11)
      --keep-data true       keep the server's data directory (default false: deleted at the end)
      --server-log FILE      append each server process's log (Information level) to FILE when it is killed
      --restarts N           restarts timed at the end of each day, a kill -9 between them, each beside a reference start;
                             the day's figure is their median (default 41: one start over the one beside it varies by
                             ~15 %, so a night's median of 41 pairs is good to ~3 %, enough to show +-10 % steps)
      --gcdump-dir DIR       a heap dump of the server at each day's end, before the kill (needs dotnet-gcdump on PATH)
    restarts options:
      --server-dll A[,B]     builds to compare, alternated run by run (a self-contained publish's Dispatch.Server.dll works)
      --data DIR[,DIR2]      data directories to start on ("empty" = a new empty one), each copied once per build
                             (e.g. a soak's directory kept with --keep-data true)
      --runs N               starts per build and directory (default 15)
      --fsync P              default Always
    live-view options:
      --viewers LIST         SSE feed connections per level, alternating run by run; "off" = no --http-port (default 0,50)
      --rounds N             times each level runs (default 2)
      --connections N        UpdateCourierPosition connections (default 16)
      --window N             requests in flight per connection (default 64)
      --couriers N           couriers on shift (default 1000)
      --orders-per-tick N    orders placed before each tick (default 20)
      --tick-ms N            wall milliseconds between ticks (default 200)
      --warmup S / --duration S   default 3 / 15
      --fsync P              default Interval
    common:
      --server-dll PATH      default src/Dispatch.Server/bin/Release/net10.0/Dispatch.Server.dll (build it with -c Release)
      --out PATH             report file
    """;

string command = "load";
int start = 0;
if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal)) { command = args[0]; start = 1; }
var opts = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = start; i < args.Length; i++)
{
    if (args[i] is "-h" or "--help") { Console.WriteLine(Usage); return 0; }
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) { Console.Error.WriteLine($"bad argument {args[i]}\n{Usage}"); return 2; }
    opts[args[i][2..]] = args[++i];
}
string Opt(string name, string fallback) => opts.TryGetValue(name, out var v) ? v : fallback;
int Int(string name, int fallback) => int.Parse(Opt(name, fallback.ToString(CultureInfo.InvariantCulture)).Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
double Num(string name, double fallback) => double.Parse(Opt(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
string[] List(string name, string fallback) => Opt(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

string RepoFile(string relative)
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln"))) return Path.Combine(dir.FullName, relative);
    return Path.GetFullPath(relative);
}

try
{
    switch (command)
    {
        case "load":
        {
            int[] ports = List("port", "").Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            int? port = ports.Length > 0 ? ports[0] : null;
            string[] regions = List("regions", "");
            var corners = Opt("corners", "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
                .Select(xy => xy.Length == 2 ? (xy[0], xy[1]) : throw new FormatException("--corners: each corner is 'x y'")).ToArray();
            if (corners.Length != regions.Length) throw new FormatException($"--corners: {corners.Length} corners for {regions.Length} regions (--regions); give one per region");
            if (regions.Length > 0 && port is null) throw new FormatException("--regions needs --port (a running cluster's edges)");
            var settings = new LoadSettings(
                ServerDll: port is null ? ServerProcess.LocateServerDll(opts.GetValueOrDefault("server-dll")) : "",
                ExternalPort: port,
                FsyncPolicies: List("fsync", "Always,Interval,Never"),
                Clock: Opt("clock", "Manual"),
                ConnectionLevels: List("connections", "1,16,64").Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray(),
                ThroughputWindow: Int("window", 256),
                LatencyWindow: Int("latency-window", 8),
                Warmup: TimeSpan.FromSeconds(Num("warmup", 2)),
                Duration: TimeSpan.FromSeconds(Num("duration", 10)),
                MaxCommandsPerLevel: long.Parse(Opt("max-commands", "50000000").Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture),
                Couriers: Int("couriers", 1000),
                Sites: 10,
                OutPath: Opt("out", RepoFile(Path.Combine("bench", "results", "server-load.md"))),
                TlsModes: List("tls", "off").Select(t => t.ToLowerInvariant() switch
                {
                    "on" or "true" => true,
                    "off" or "false" => false,
                    _ => throw new FormatException($"--tls takes off, on or off,on, not '{t}'"),
                }).ToArray()) { MorePorts = ports.Skip(1).ToArray(), Regions = regions, Corners = corners };
            return await LoadRunner.RunAsync(settings);
        }
        case "crash-cycles":
        {
            var settings = new CrashSettings(
                ServerDll: ServerProcess.LocateServerDll(opts.GetValueOrDefault("server-dll")),
                FsyncPolicies: List("fsync", "Always,Interval,Never"),
                Cycles: Int("cycles", 20),
                Batch: Int("batch", 5000),
                Window: Int("window", 512),
                Seed: Int("seed", 42),
                OutPath: Opt("out", RepoFile(Path.Combine("bench", "results", "server-crash.md"))));
            return await CrashCycles.RunAsync(settings);
        }
        case "live-view":
        {
            var settings = new LiveViewLoadSettings(
                ServerDll: ServerProcess.LocateServerDll(opts.GetValueOrDefault("server-dll")),
                Fsync: Opt("fsync", "Interval"),
                ViewerLevels: List("viewers", "0,50"),
                Rounds: Int("rounds", 2),
                Connections: Int("connections", 16),
                Window: Int("window", 64),
                Couriers: Int("couriers", 1000),
                OrdersPerTick: Int("orders-per-tick", 20),
                TickEveryMs: Int("tick-ms", 200),
                Warmup: TimeSpan.FromSeconds(Num("warmup", 3)),
                Duration: TimeSpan.FromSeconds(Num("duration", 15)),
                OutPath: Opt("out", RepoFile(Path.Combine("bench", "results", "live-view-load.md"))));
            foreach (string v in settings.ViewerLevels)
                if (v != "off" && !(int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n is >= 0 and <= 1000))
                {
                    Console.Error.WriteLine($"live-view: --viewers takes off or counts 0..1000, not '{v}'\n{Usage}");
                    return 2;
                }
            return await LiveViewLoad.RunAsync(settings);
        }
        case "live-view-screenshots":
        {
            var settings = new LiveViewScreenshotSettings(
                Url: Opt("url", "http://127.0.0.1:7421/"),
                AtMinutes: List("at", "540").Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray(),
                OutDir: Opt("out", RepoFile(Path.Combine("bench", "results", "live-view"))),
                Chromium: Opt("chromium", "/usr/bin/chromium"),
                Width: Int("width", 1500),
                Height: Int("height", 1050));
            return await LiveViewScreenshots.RunAsync(settings);
        }
        case "fuzz":
        {
            var settings = new FuzzRunSettings(
                ServerDll: ServerProcess.LocateServerDll(opts.GetValueOrDefault("server-dll")),
                Frames: long.Parse(Opt("frames", "1000000").Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture),
                Seed: Int("seed", 20261126),
                Connections: Int("connections", 4),
                KillerLoops: Int("killers", 2),
                Window: Int("window", 256),
                Fsync: Opt("fsync", "Always"),
                OutPath: Opt("out", RepoFile(Path.Combine("bench", "results", "server-fuzz.md"))),
                Tls: bool.Parse(Opt("tls", "false")));
            return await FuzzRun.RunAsync(settings);
        }
        case "soak":
        {
            var settings = new Dispatch.LoadTest.Soak.SoakSettings(
                ServerDll: ServerProcess.LocateServerDll(opts.GetValueOrDefault("server-dll")),
                Days: Int("days", 14),
                OrdersPerDay: Int("orders-per-day", 100_000),
                Fsync: Opt("fsync", "Always"),
                Seed: Int("seed", 11),
                CancelShare: Num("cancel-share", 0.02),
                OutPath: Opt("out", RepoFile(Path.Combine("bench", "results", "server-soak.md"))),
                KeepData: bool.Parse(Opt("keep-data", "false")),
                ServerLogPath: opts.GetValueOrDefault("server-log"),
                Restarts: Int("restarts", 41),
                GcdumpDir: opts.GetValueOrDefault("gcdump-dir"));
            if (settings.Restarts < 1)
            {
                Console.Error.WriteLine($"soak: --restarts must be at least 1\n{Usage}");
                return 2;
            }
            if (settings.Days < 1 || settings.OrdersPerDay < 1_000 || settings.OrdersPerDay > 1_000_000 || !(settings.CancelShare is >= 0 and <= 1))
            {
                Console.Error.WriteLine($"soak: --days must be at least 1, --orders-per-day 1,000..1,000,000, --cancel-share 0..1\n{Usage}");
                return 2;
            }
            return await Dispatch.LoadTest.Soak.SoakRun.RunAsync(settings);
        }
        case "restarts":
        {
            var dlls = List("server-dll", "");
            var settings = new Dispatch.LoadTest.Soak.RestartSettings(
                ServerDlls: dlls.Length == 0 ? [ServerProcess.LocateServerDll(null)] : dlls.Select(d => ServerProcess.LocateServerDll(d)).ToArray(),
                DataDirs: List("data", "empty"),
                Runs: Int("runs", 15),
                Fsync: Opt("fsync", "Always"),
                OutPath: Opt("out", RepoFile(Path.Combine("bench", "results", "server-restart.md"))));
            if (settings.Runs < 1)
            {
                Console.Error.WriteLine($"restarts: --runs must be at least 1\n{Usage}");
                return 2;
            }
            return await Dispatch.LoadTest.Soak.RestartComparison.RunAsync(settings);
        }
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException or FormatException or TimeoutException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
