using System.Text.Json;
using Dispatch.Simulator.Scenarios;
using Xunit.Abstractions;

namespace Dispatch.Simulator.Tests.Scenarios;

/// <summary>The delivery-exception scenarios (failed and wrong deliveries, an out-of-stock wave, a holiday surge): they run
/// with nothing lost, every re-made order is delivered, and their figures reach metrics.json and the report.</summary>
public class ScenarioExceptionTests(ITestOutputHelper output)
{
    private static string ScenarioDir => Path.Combine(TestPaths.RepoRoot, "samples", "scenarios");

    [SkippableTheory]
    [InlineData("failed-deliveries-at-peak.json", "0o100t100s1p100")]
    [InlineData("failed-deliveries-at-peak.json", "4o100t100s1p100")]
    [InlineData("out-of-stock-wave.json", "1o100t100s1p100")]
    [InlineData("out-of-stock-wave.json", "5o100t100s1p100")]
    [InlineData("holiday-surge.json", "2o100t100s1p100")]
    public void The_exception_scenarios_lose_no_order_and_deliver_every_remade_one(string scenario, string trace)
    {
        var inst = MdrpInstance.Load(TestPaths.SharedMdrpInstance(trace));
        var s = ScenarioFile.Load(Path.Combine(ScenarioDir, scenario));
        foreach (bool replan in new[] { true, false })
        {
            var r = WorldReplay.Run(inst, new WorldReplayOptions { Scenario = s, Replan = replan });
            output.WriteLine($"{scenario} on {trace}, replan {replan}: failed {r.FailedDeliveries}, wrong {r.WrongDeliveries}, re-delivered {r.RedeliveriesDelivered} of {r.Redeliveries} (c2d {r.RedeliveryClickToDoorMean:F1}), out of stock {r.OutOfStockChanges}, cancels after {r.CancelsAfterOutOfStock}, unserved {r.Unserved}, lost {r.Lost}");
            Assert.Equal(0, r.Lost);
            Assert.Equal(r.Orders, r.Delivered + r.Cancelled + r.Unserved);
            Assert.Equal(r.FailedDeliveries + r.WrongDeliveries, r.Redeliveries);
            Assert.Equal(r.Redeliveries, r.RedeliveriesDelivered);
            switch (scenario)
            {
                case "failed-deliveries-at-peak.json":
                    Assert.True(r.FailedDeliveries > 0, "deliveries failed");
                    // From the original placement: a failed order waited for its first trip, the re-make and a second trip.
                    Assert.True(r.RedeliveryClickToDoorMean > r.ClickToDoorMean, $"{r.RedeliveryClickToDoorMean:F1} vs {r.ClickToDoorMean:F1}");
                    break;
                case "out-of-stock-wave.json":
                    Assert.True(r.OutOfStockChanges > 0 && r.CancelsAfterOutOfStock > 0, "changes and cancels after them");
                    Assert.True(r.CancelsAfterOutOfStock <= r.Cancelled);
                    break;
                case "holiday-surge.json":
                    Assert.True(r.Orders > inst.Orders.Length * 1.1, $"{r.Orders} orders for {inst.Orders.Length} in the trace");
                    break;
            }
        }
    }

    [Theory]
    [InlineData("""{"events":[{"kind":"delivery-failures","from":"peak","to":"peak+10"}]}""", "event 1 (delivery-failures): 'share' must be in (0, 1]")]
    [InlineData("""{"events":[{"kind":"delivery-failures","from":"peak","to":"peak+10","share":0.1,"wrong":2}]}""", "'wrong' must be in [0, 1]")]
    [InlineData("""{"events":[{"kind":"delivery-failures","from":"peak","to":"peak+10","share":0.1,"minutes":-1}]}""", "'minutes' (to re-make an order) must be in [0, 240]")]
    [InlineData("""{"events":[{"kind":"out-of-stock","from":"peak","to":"peak+10","share":0.1}]}""", "event 1 (out-of-stock): 'minutes' must be in (0, 240]")]
    [InlineData("""{"events":[{"kind":"out-of-stock","from":"peak","to":"peak+10","share":0.1,"minutes":5,"cancel":-0.5}]}""", "'cancel' must be in [0, 1]")]
    public void A_bad_exception_event_is_refused_with_the_event_and_field_at_fault(string json, string expected)
    {
        string path = Path.Combine(Path.GetTempPath(), "scenario-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ScenarioFile.Load(path));
            Assert.Contains(expected, e.Message);
        }
        finally { File.Delete(path); }
    }

    [SkippableFact]
    public void A_failed_delivery_run_writes_its_figures_to_metrics_json_and_the_report()
    {
        string dir = TestPaths.SharedMdrpInstance("0o100t100s1p100");
        using var temp = new TempFolder("dispatch-scenario");
        Assert.Equal(0, Cli.Run(["replay", dir, "--scenario", Path.Combine(ScenarioDir, "failed-deliveries-at-peak.json"), "--out", temp.Path]));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "metrics.json")));
        var m = json.RootElement;
        Assert.Equal(0, m.GetProperty("lost").GetInt32());
        int remade = m.GetProperty("redeliveries").GetInt32();
        Assert.True(remade > 0);
        Assert.Equal(remade, m.GetProperty("redeliveries_delivered").GetInt32());
        Assert.Equal(remade, m.GetProperty("failed_deliveries").GetInt32() + m.GetProperty("wrong_deliveries").GetInt32());
        Assert.True(m.GetProperty("redelivery_click_to_door_mean").GetDouble() > 0);
        string html = File.ReadAllText(Path.Combine(temp.Path, "report.html"));
        Assert.Contains($"{remade} re-made, {remade} re-delivered", html);
    }
}
