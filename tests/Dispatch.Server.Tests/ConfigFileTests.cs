using System.Net;
using System.Net.Sockets;
using Dispatch.Client;
using Dispatch.Protocol;
using Dispatch.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Tests;

/// <summary>--config &lt;file&gt;: a JSON file with the Dispatch section, below the environment and the command line.
/// (Two of these tests set environment variables: <see cref="ProcessEnvironmentCollection"/>.)</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public class ConfigFileTests
{
    private static int FreePort()
    {
        using var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)l.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task Config_file_sets_port_and_limits_and_env_and_command_line_override_it()
    {
        string dir = TestServer.NewDataDirectory();
        Directory.CreateDirectory(dir);
        int port = FreePort();
        string file = Path.Combine(dir, "dispatch.json");
        string data = Path.Combine(dir, "data").Replace("\\", "\\\\", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, $$"""
            {
              "Dispatch": {
                "Address": "127.0.0.1",
                "Port": {{port}},
                "DataDirectory": "{{data}}",
                "Clock": "Manual",
                "Fsync": "Never",
                "MaxFrameBytes": 2048,
                "MaxConnections": 7,
                "InboxCapacity": 123,
                "ServerName": "from-file"
              }
            }
            """);
        // The environment beats the file; the command line beats both. (This test alone reads Dispatch__ServerName.)
        Environment.SetEnvironmentVariable("Dispatch__ServerName", "from-env");
        IHost host;
        try
        {
            var builder = ServerHostBuilder.Create(["--config", file, "--Dispatch:MaxConnections=9"]);
            builder.Logging.ClearProviders();
            host = builder.Build();
        }
        finally
        {
            Environment.SetEnvironmentVariable("Dispatch__ServerName", null);
        }
        try
        {
            var o = host.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
            Assert.Equal(port, o.Port);
            Assert.Equal(2048, o.MaxFrameBytes);
            Assert.Equal(123, o.InboxCapacity);
            Assert.Equal(ClockMode.Manual, o.Clock);
            Assert.Equal("from-env", o.ServerName);
            Assert.Equal(9, o.MaxConnections);

            await host.StartAsync().WaitAsync(TestServer.Timeout);
            await using var c = await DispatchClient.ConnectAsync("127.0.0.1", port, "config-test").WaitAsync(TestServer.Timeout);
            Assert.Equal(2048, c.Server.MaxFrameBytes);
            Assert.Equal(ClockMode.Manual, c.Server.Clock);
            Assert.Equal("from-env", c.Server.ServerName);
            await c.AddSiteAsync(1, 0, 0);
            Assert.True(File.Exists(Path.Combine(dir, "data", "journal-0.dspj")));
        }
        finally
        {
            await host.StopAsync().WaitAsync(TestServer.Timeout);
            host.Dispose();
            TestServer.TryDelete(dir);
        }
    }

    [Fact]
    public void Config_file_ranks_above_appsettings_and_below_the_environment_and_command_line()
    {
        // The order of the sources is the precedence (later wins). The host's own DOTNET_ variables come before
        // appsettings.json; the file must land after appsettings.json, not beside them.
        string dir = TestServer.NewDataDirectory();
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "ranked.json");
        File.WriteAllText(file, "{}");
        try
        {
            var sources = ServerHostBuilder.Create(["--config", file]).Configuration.Sources;
            // The last match: the host's configuration holds the arguments too, before the application's sources.
            int Index(Func<Microsoft.Extensions.Configuration.IConfigurationSource, bool> match)
            {
                for (int i = sources.Count - 1; i >= 0; i--) if (match(sources[i])) return i;
                return -1;
            }
            int appsettings = Index(x => x is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path: "appsettings.json" });
            int configFile = Index(x => x is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path: "ranked.json" });
            int environment = Index(x => x is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" });
            int commandLine = Index(x => x is Microsoft.Extensions.Configuration.CommandLine.CommandLineConfigurationSource);
            Assert.True(appsettings >= 0 && configFile > appsettings && environment > configFile && commandLine > environment,
                $"order: appsettings {appsettings}, --config {configFile}, environment {environment}, command line {commandLine}");
        }
        finally
        {
            TestServer.TryDelete(dir);
        }
    }

    [Fact]
    public void Missing_config_file_is_an_error_at_start()
    {
        var missing = Path.Combine(TestServer.NewDataDirectory(), "nope.json");
        var ex = Assert.Throws<FileNotFoundException>(() => ServerHostBuilder.Create(["--config", missing]));
        Assert.Contains("nope.json", ex.Message);
    }

    [Fact]
    public void Config_argument_forms()
    {
        Assert.Null(ServerHostBuilder.ConfigFileArgument(["--port", "1"]));
        Assert.Equal("a.json", ServerHostBuilder.ConfigFileArgument(["--config", "a.json"]));
        Assert.Equal("b.json", ServerHostBuilder.ConfigFileArgument(["--config=b.json", "--port", "1"]));
    }

    [Fact]
    public void Every_engine_setting_is_a_flat_key_of_the_Dispatch_section()
    {
        Environment.SetEnvironmentVariable("Dispatch__TravelWeight", "0.3");
        ServerOptions o;
        try
        {
            var builder = ServerHostBuilder.Create(["--Dispatch:Profile=general", "--Dispatch:GeneralImprovementMovesPerTick=7",
                "--Dispatch:Replanning=false", "--Dispatch:TickIntervalMinutes=0.5", "--port", "7421"]);
            using var host = builder.Build();
            o = host.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        }
        finally
        {
            Environment.SetEnvironmentVariable("Dispatch__TravelWeight", null);
        }
        Assert.Equal(7421, o.Port);
        Assert.Equal(new Dispatch.Engine.DispatchOptions
        {
            Profile = Dispatch.Engine.DispatchProfile.General,
            GeneralImprovementMovesPerTick = 7,
            Replanning = false,
            TickIntervalMinutes = 0.5,
            TravelWeight = 0.3,
        }, o.Engine);
    }

    [Fact]
    public void A_bad_engine_setting_names_its_configuration_key()
    {
        using var host = ServerHostBuilder.Create(["--Dispatch:MaxBundleSize=lots"]).Build();
        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IOptions<ServerOptions>>().Value);
        Assert.Contains("Dispatch:MaxBundleSize", ex.Message);
        Assert.Contains("lots", ex.Message);
    }

    [Fact]
    public void Configuration_files_are_not_watched_for_changes()
    {
        // Options are read once at start; a watcher on the working directory would be set up at every start and woken by
        // every journal write under it. The host configuration can still turn reloading back on.
        var builder = ServerHostBuilder.Create([]);
        var json = builder.Configuration.Sources.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationSource>().ToList();
        Assert.NotEmpty(json);
        Assert.All(json, s => Assert.False(s.ReloadOnChange, $"{s.Path} is watched for changes"));
    }
}
