namespace Dispatch.Simulator.Tests.Scenarios;

/// <summary>The scenarios command runs its jobs in parallel: bad input found inside a job is reported as bad input (exit 2,
/// one "error:" line naming what is wrong), not as an unhandled exception with every job's copy of it.</summary>
[Collection(ConsoleCapture.Collection)]
public class ScenarioCommandErrorTests
{
    [SkippableFact]
    public void A_scenario_window_before_the_trace_is_refused_once_by_the_table()
    {
        string trace = TestPaths.SharedMdrpInstance("1o100t100s1p100");
        string scenario = Path.Combine(Path.GetTempPath(), "scenario-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(scenario, """{ "name": "early", "description": "rain before the trace starts", "events": [ { "kind": "rain", "from": "start-100", "to": "start+10", "factor": 0.7 } ] }""");
        try
        {
            string text = ConsoleCapture.StandardError(() => Assert.Equal(2, Cli.Run(["scenarios", scenario, trace])));
            const string expected = "error: scenario 'early': event 1 (rain): citywide factor: window start must be a finite time";
            Assert.Contains(expected, text);
            Assert.Equal(1, text.Split(expected).Length - 1); // re-planning on and off both failed: said once
            Assert.DoesNotContain("Unhandled", text);
        }
        finally { File.Delete(scenario); }
    }

    [SkippableFact]
    public void A_negative_peak_is_refused_by_name()
    {
        string trace = TestPaths.SharedMdrpInstance("1o100t100s1p100");
        string scenario = Path.Combine(TestPaths.RepoRoot, "samples", "scenarios", "dinner-rain.json");
        string text = ConsoleCapture.StandardError(() => Assert.Equal(2, Cli.Run(["scenarios", scenario, trace, "--peak", "-5"])));
        Assert.Contains("error: PeakMinute must be a finite minute >= 0, got -5", text);
    }
}
