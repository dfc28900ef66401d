using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dispatch.Server.Hosting;

/// <summary>
/// Builds the server's generic host from command-line arguments. Configuration, lowest to highest
/// precedence: appsettings.json, appsettings.{Environment}.json, the file given with
/// <c>--config &lt;file&gt;</c> (JSON with a "Dispatch" section), environment variables
/// (Dispatch__Port=7420), the command line (--port 7420 --data ./data, or any option as
/// --Dispatch:MaxConnections=100). See docs/protocol.md, "Running the server".
/// </summary>
public static class ServerHostBuilder
{
    /// <summary>The command-line short forms and the configuration keys they set.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>
    {
        ["--port"] = "Dispatch:Port",
        ["--data"] = "Dispatch:DataDirectory",
        ["--address"] = "Dispatch:Address",
        ["--clock"] = "Dispatch:Clock",
        ["--fsync"] = "Dispatch:Fsync",
        ["--travel"] = "Dispatch:Travel",
        ["--speed"] = "Dispatch:MetersPerMinute",
        ["--record"] = "Dispatch:RecordPath",
        ["--tls-cert"] = "Dispatch:TlsCertificate",
        ["--tls-cert-password-file"] = "Dispatch:TlsCertificatePasswordFile",
        ["--tls-client-ca"] = "Dispatch:TlsClientCa",
        ["--auth-tokens"] = "Dispatch:AuthTokens",
        ["--http-port"] = "Dispatch:HttpPort",
        ["--http-address"] = "Dispatch:HttpAddress",
    };

    /// <summary>A host builder with the server's configuration sources and its hosted service.</summary>
    public static HostApplicationBuilder Create(string[] args)
    {
        // The options are read once, at start (IOptions, not IOptionsMonitor), so the host's reload-on-change of
        // appsettings.json would only cost: a recursive file watcher on the content root (the working directory), set up
        // at every start (one inotify watch per sub-directory: 400 ms of CPU when started from a large /tmp), and woken by
        // every journal write when the data directory lies below it (the default ./data). Off unless the host
        // configuration (DOTNET_hostBuilder__reloadConfigOnChange) turns it back on.
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, Configuration = configuration });
        if (ConfigFileArgument(args) is { } file) AddConfigFile(builder.Configuration, file);
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(SwitchMappings));
        var section = builder.Configuration.GetSection(ServerOptions.Section);
        builder.Services.Configure<ServerOptions>(section);
        builder.Services.Configure<ServerOptions>(o => o.Engine = EngineConfiguration.Bind(section, o.Engine));
        // Room to drain connections and sync the journal after SIGTERM.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddHostedService<DispatchHostedService>();
        return builder;
    }

    /// <summary>The value of <c>--config &lt;file&gt;</c> or <c>--config=&lt;file&gt;</c>, if given (the last one wins).</summary>
    public static string? ConfigFileArgument(string[] args)
    {
        string? file = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config")
            {
                if (i + 1 >= args.Length) throw new ArgumentException("--config needs a file name");
                file = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                file = args[i]["--config=".Length..];
            }
        }
        return file;
    }

    /// <summary>
    /// Adds a required JSON file just below the application's environment variables (the unprefixed source; the host's
    /// DOTNET_ one comes before appsettings.json), so it overrides appsettings.json and is overridden by the environment
    /// and the command line.
    /// </summary>
    internal static void AddConfigFile(IConfigurationBuilder configuration, string file)
    {
        string path = Path.GetFullPath(file);
        if (!File.Exists(path)) throw new FileNotFoundException($"configuration file {path} (--config) not found", path);
        var source = new JsonConfigurationSource { Path = Path.GetFileName(path), Optional = false, ReloadOnChange = false };
        source.FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetDirectoryName(path)!);
        var sources = configuration.Sources;
        int at = -1;
        for (int i = 0; i < sources.Count; i++)
        {
            if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" }) { at = i; break; }
        }
        if (at < 0) sources.Add(source);
        else sources.Insert(at, source);
    }
}
