using System.Security.Cryptography;
using System.Text;
using Dispatch.Engine;
using Dispatch.Server.Snapshots;

namespace Dispatch.Server.Tests.Snapshots;

/// <summary>
/// A snapshot is used only when its settings text matches the server's byte for byte (SHA-256), so the text
/// must never change for the same settings: these are the texts (and the default's fingerprint) written by
/// the servers that took the snapshots on disk today.
/// </summary>
public class EngineSettingsTextTests
{
    private static readonly string[] DefaultEngineLines =
    [
        "engine.BehindToleranceMinutes=3", "engine.BundleReadyWindowMinutes=12", "engine.CandidateCouriersPerSite=20",
        "engine.CourierLookaheadMinutes=45", "engine.DropoffServiceMinutes=4", "engine.EtaChangeThresholdMinutes=1",
        "engine.FreedCourierWeight=20", "engine.GeneralImprovementMovesPerTick=64", "engine.LargeProblemCandidateCouriers=8",
        "engine.LargeProblemOpenOrders=500", "engine.MaxBundleSize=4", "engine.MaxClickToDoorMinutes=90",
        "engine.MaxRouteStops=24", "engine.OverMaxWeight=20", "engine.OverTargetWeight=0.5",
        "engine.PickupServiceMinutes=4", "engine.PostponeDelayMinutes=10", "engine.PressureTravelWeight=2",
        "engine.Profile=Mdrp", "engine.ReassignSlipMinutes=10", "engine.Replanning=True",
        "engine.StarvationAgeMinutes=50", "engine.TargetClickToDoorMinutes=40", "engine.TickIntervalMinutes=1",
        "engine.TravelWeight=0.2",
    ];

    [Fact]
    public void Default_settings_text_and_fingerprint_are_those_of_existing_snapshots()
    {
        string expected = string.Join('\n', [.. DefaultEngineLines,
            "traffic.bounds=-50000,-50000,50000,50000", "traffic.cellSize=250", "traffic.closureDetourMinutes=10",
            "travel.metersPerMinute=320", "travel=Euclidean"]);
        string text = EngineSettings.Describe(new ServerOptions());
        Assert.Equal(expected, text);
        Assert.Equal("96e3347eafbfc89764d750cb8d759d02220849cdba229ca137af7a66315f56a1", Convert.ToHexStringLower(EngineSettings.Fingerprint(text)));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), EngineSettings.Fingerprint(text));
    }

    [Fact]
    public void Changed_settings_text_is_that_of_existing_snapshots()
    {
        var options = new ServerOptions
        {
            Travel = TravelMode.Haversine,
            Engine = new DispatchOptions
            {
                Profile = DispatchProfile.General,
                PickupServiceMinutes = 2.5,
                DropoffServiceMinutes = 3,
                TargetClickToDoorMinutes = 35,
                MaxClickToDoorMinutes = 75.5,
                TickIntervalMinutes = 0.25,
                InitialOrderCapacity = 5, // sizes arrays only: not in the text
            },
        };
        string[] engine = [.. DefaultEngineLines.Select(l => l switch
        {
            "engine.DropoffServiceMinutes=4" => "engine.DropoffServiceMinutes=3",
            "engine.MaxClickToDoorMinutes=90" => "engine.MaxClickToDoorMinutes=75.5",
            "engine.PickupServiceMinutes=4" => "engine.PickupServiceMinutes=2.5",
            "engine.Profile=Mdrp" => "engine.Profile=General",
            "engine.TargetClickToDoorMinutes=40" => "engine.TargetClickToDoorMinutes=35",
            "engine.TickIntervalMinutes=1" => "engine.TickIntervalMinutes=0.25",
            _ => l,
        })];
        string expected = string.Join('\n', [.. engine,
            "traffic.bounds=-50000,-50000,50000,50000", "traffic.cellSize=250", "traffic.closureDetourMinutes=10",
            "travel.detourFactor=1.3", "travel.haversineKmh=20", "travel=Haversine"]);
        string text = EngineSettings.Describe(options);
        Assert.Equal(expected, text);
        Assert.Equal("510cb541bf8a4b295a065f8385d6562e2c2c1e56090b865d86822ed256a3df63", Convert.ToHexStringLower(EngineSettings.Fingerprint(text)));
    }

    /// <summary>A setting added after snapshots existed joins the text only when it differs from its default, so
    /// the default text above (the fingerprint of the snapshots on disk) stays as it was.</summary>
    [Fact]
    public void A_setting_added_later_appears_only_when_changed()
    {
        Assert.DoesNotContain("FinishedOrderRetentionMinutes", EngineSettings.Describe(new ServerOptions()));
        Assert.DoesNotContain("PickupBeforeReadyToleranceMinutes", EngineSettings.Describe(new ServerOptions()));
        Assert.Contains("engine.PickupBeforeReadyToleranceMinutes=2",
            EngineSettings.Describe(new ServerOptions { Engine = new DispatchOptions { PickupBeforeReadyToleranceMinutes = 2 } }).Split('\n'));
        string text = EngineSettings.Describe(new ServerOptions { Engine = new DispatchOptions { FinishedOrderRetentionMinutes = double.PositiveInfinity } });
        Assert.Contains("engine.FinishedOrderRetentionMinutes=Infinity", text.Split('\n'));
    }
}
