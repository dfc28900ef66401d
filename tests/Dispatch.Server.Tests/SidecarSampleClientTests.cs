using System.Globalization;

namespace Dispatch.Server.Tests;

/// <summary>
/// samples/SidecarClient against the real server: <c>stream</c> plays a shared MDRP trace's courier fleet through the
/// protocol (places orders, ticks, confirms every stop at its planned time) and must deliver every order, whatever
/// plan changes (ETA changes, re-quotes, resequencing) the engine pushes on the way. Skipped with the reason only
/// when ../shared is absent outside CI.
/// </summary>
public class SidecarSampleClientTests
{
    [SkippableFact]
    public async Task Stream_delivers_every_order_of_a_shared_trace()
    {
        string trace = Path.Combine(RepoRoot(), "..", "shared", "mdrp", "instances", "0o100t100s1p100");
        if (!Directory.Exists(trace))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"{trace} is missing (CI=true: ../shared must be beside the repository)");
            Skip.If(true, $"{trace} not found: the shared MDRP traces are not beside the repository");
        }
        int orders = File.ReadLines(Path.Combine(trace, "orders.txt")).Count() - 1;

        await using var s = await TestServer.StartAsync();
        string dll = Path.Combine(AppContext.BaseDirectory, "SidecarClient.dll");
        var (code, output) = await Run("dotnet", dll, "stream", trace, "--port", s.Port.ToString(CultureInfo.InvariantCulture));
        Assert.True(code == 0, $"SidecarClient stream exited {code}:\n{Tail(output)}");
        Assert.Contains($"(0 refused)", output);
        Assert.Contains($"{orders} orders delivered of {orders}", output);
        Assert.Contains("plan change", output); // the engine did push plan changes on the way (re-quotes at least)

        await using var c = await s.ConnectAsync();
        var k = await c.GetCountsAsync();
        Assert.Equal((orders, orders), (k.Known, k.Delivered));
    }

    private static string Tail(string output) => output.Length > 4000 ? output[^4000..] : output;

    private static Task<(int Code, string Output)> Run(string file, params string[] args) => Support.SampleProcess.Run(TimeSpan.FromSeconds(120), file, args);

    private static string RepoRoot() => Support.SampleProcess.RepoRoot();
}
