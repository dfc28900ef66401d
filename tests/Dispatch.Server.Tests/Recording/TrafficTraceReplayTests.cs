using System.Buffers;
using Dispatch.Client;
using Dispatch.Hosting;
using Dispatch.Protocol;
using Dispatch.Travel;

namespace Dispatch.Server.Tests.Recording;

/// <summary>
/// A recorded trace with traffic in it, replayed through the server's command router
/// (<see cref="EngineDriver{TTravel}"/>) as bench replay-recorded does, ends in the recording server's
/// state: the router applies traffic commands exactly as the server did.
/// </summary>
public class TrafficTraceReplayTests : IDisposable
{
    private static readonly double[] Everywhere = [0, 0, 5000, 0, 5000, 5000, 0, 5000];
    private static readonly Command[] Queries =
        [Command.GetOrder(7, Scenario.Order), Command.GetCourier(8, Scenario.Courier), Command.GetCounts(9), Command.QuoteDropoff(10, Scenario.Site, 2500, 1800, 100)];
    private readonly string _dir = TestServer.NewDataDirectory();

    public TrafficTraceReplayTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => TestServer.TryDelete(_dir);

    [Fact]
    public async Task A_trace_with_traffic_replays_through_the_router_to_the_servers_answers()
    {
        string trace = Path.Combine(_dir, "traffic" + CommandTraceFormat.FileExtension);
        var served = new List<ServerMessage>();
        await using (var s = await TestServer.StartAsync(o => { o.RecordPath = trace; o.TrafficBounds = "0,0,5000,5000"; o.TrafficCellSize = 50; }, Path.Combine(_dir, "data")))
        await using (var c = await s.ConnectAsync())
        {
            await Scenario.SetUpAsync(c);
            double t = await Scenario.TickUntilAssignedAsync(c);
            await c.AddCongestionZoneAsync(1, 0.25, t, double.PositiveInfinity, Everywhere);
            await c.AddClosureAsync(2, t, double.PositiveInfinity, WireClosureKind.Line, [1800, 0, 1800, 5000]);
            await c.SetCitywideFactorAsync(0.5, t + 1, t + 3);
            await c.TickAsync(t + 1);
            await c.TickAsync(t + 2);
            // The client numbers its own requests: compare answers with the request id left out.
            foreach (var q in Queries) served.Add((await c.RequestAsync(q)) with { RequestId = 0 });
        }

        var recorded = CommandTraceReader.ReadAll(trace);
        Assert.Null(recorded.Problem);
        Assert.Equal(3, recorded.Records.Count(r => r.Command.IsTrafficEvent));

        Assert.Equal(served, Replay(recorded, withTraffic: true));
        // Without its traffic commands the same trace ends elsewhere: they are what makes the replay exact.
        Assert.NotEqual(served[0], Replay(recorded, withTraffic: false)[0]);
    }

    /// <summary>Replays every record through a fresh router built from the header's settings, then answers the queries there.</summary>
    private static List<ServerMessage> Replay(TraceContents trace, bool withTraffic)
    {
        var h = trace.Header;
        var driver = new EngineDriver<EuclideanCeilMinutes>(new EuclideanCeilMinutes(h.MetersPerMinute), TraceEngineSettings.OptionsFrom(h),
            new TrafficPicture(TrafficSettings.FromText(h.TrafficBounds, h.TrafficCellSize, h.ClosureDetourMinutes)));
        var discard = default(DiscardSink);
        double now = 0;
        foreach (var r in trace.Records)
        {
            if (!withTraffic && r.Command.IsTrafficEvent) continue;
            driver.Route(r.Command, r.EngineTime, ref discard, null);
            now = r.EngineTime;
        }
        var replies = new FrameBuffer();
        foreach (var q in Queries)
            Assert.Equal(1, driver.Route(q, now, ref discard, replies));
        var answers = new List<ServerMessage>();
        var seq = new ReadOnlySequence<byte>(replies.WrittenMemory);
        while (FrameReader.TryReadFrame(ref seq, 1 << 20, out var payload, out _) == FrameStatus.Frame) answers.Add(ReplyCodec.Read(payload) with { RequestId = 0 });
        return answers;
    }
}
