using Dispatch.Engine;
using Dispatch.Hosting;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests;

/// <summary>
/// The server's traffic picture forgets zones, closures and citywide factors once their window has ended (at the
/// first tick at or after the end): a server fed traffic for months holds only the traffic still to come or under
/// way, in memory and in its snapshots, and an ended zone's or closure's id may be used again.
/// </summary>
public class TrafficExpiryTests
{
    private static readonly double[] Square = [1000, 1000, 3000, 1000, 3000, 3000, 1000, 3000];
    private static readonly double[] Street = [2000, 0, 2000, 5000];

    private static TrafficPicture Picture() => new(TrafficSettings.Default);

    [Fact]
    public void Ended_definitions_leave_at_the_update_after_their_end_and_their_ids_are_free_again()
    {
        var p = Picture();
        p.Apply(Command.AddCongestionZone(0, 3, 0.5, 0, 10, Square));
        p.Apply(Command.AddClosure(0, 4, 0, 20, WireClosureKind.Line, Street));
        p.Apply(Command.SetCitywideFactor(0, 0.8, 0, double.PositiveInfinity));
        Assert.True(p.Update(0));
        Assert.Equal(DispatchError.DuplicateId, Assert.Throws<DispatchException>(() => p.Apply(Command.AddCongestionZone(0, 3, 0.5, 0, 10, Square))).Error);

        Assert.True(p.Update(10));
        Assert.Equal([MessageType.AddClosure, MessageType.SetCitywideFactor], p.Definitions.Select(c => c.Type));
        Assert.Single(p.Model.Closures);
        Assert.Empty(p.Model.Zones);
        p.Apply(Command.AddCongestionZone(0, 3, 0.6, 10, 40, Square)); // the id of an ended zone
        Assert.True(p.Update(11));
        Assert.False(p.Update(12));
        Assert.True(p.Update(20));
        Assert.Equal([0L, 3L], p.Definitions.Select(c => c.Id)); // the rain, then the new zone 3
    }

    [Fact]
    public void A_restored_picture_after_forgetting_decides_travel_and_changes_exactly_like_the_original()
    {
        var p = Picture();
        for (int i = 0; i < 20; i++)
        {
            p.Apply(Command.AddCongestionZone(0, 100 + i, 0.5, i * 10, i * 10 + 15, Square));
            p.Apply(Command.AddClosure(0, 200 + i, i * 10 + 5, i * 10 + 12, WireClosureKind.Line, Street));
            p.Update(i * 10 + 7);
        }
        p.Apply(Command.AddCongestionZone(0, 999, 0.3, 150, 400, Square)); // added after the last update: pending
        Assert.True(p.Definitions.Count < 6, $"{p.Definitions.Count} definitions held");

        var restored = TrafficPicture.LoadSection(p.SaveSection(), TrafficSettings.Default);
        Assert.Equal(p.Definitions, restored.Definitions);
        for (double t = 198; t < 420; t += 3)
        {
            Assert.Equal(p.Update(t), restored.Update(t));
            Assert.Equal(p.Model.MeanSlowness(0, 0, 4000, 4000, out int a), restored.Model.MeanSlowness(0, 0, 4000, 4000, out int b));
            Assert.Equal(a, b);
        }
        Assert.Empty(p.Definitions);
    }
}
