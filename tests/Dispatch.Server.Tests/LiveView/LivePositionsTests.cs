using Dispatch.Server.LiveView;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>The live view's per-courier position slots: the latest report wins, slots survive growth, a read never mixes two reports.</summary>
public class LivePositionsTests
{
    [Fact]
    public void The_latest_report_of_each_courier_is_taken_once()
    {
        var p = new LivePositions();
        p.Report(7, 1, 2, 10);
        p.Report(9, 5, 5, 10);
        p.Report(7, 3, 4, 11); // overwrites courier 7's slot
        var taken = Drain(p);
        Assert.Equal([(7L, 3.0, 4.0, 11.0), (9L, 5.0, 5.0, 10.0)], taken);
        Assert.Empty(Drain(p)); // nothing new
        p.Report(9, 6, 6, 12);
        Assert.Equal([(9L, 6.0, 6.0, 12.0)], Drain(p));
    }

    [Fact]
    public void Slots_survive_the_table_growing()
    {
        var p = new LivePositions();
        for (int i = 0; i < 1000; i++) p.Report(i, i, -i, 1);
        var taken = Drain(p);
        Assert.Equal(1000, taken.Count);
        Assert.All(taken, t => Assert.Equal((double)t.Id, t.X));
        p.Report(3, 30, -30, 2);
        Assert.Equal([(3L, 30.0, -30.0, 2.0)], Drain(p));
    }

    [Fact]
    public async Task A_reader_never_sees_half_of_a_report()
    {
        var p = new LivePositions();
        p.Report(1, 0, 0, 0);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (int k = 1; !stop.IsCancellationRequested; k++) p.Report(1, k, k, k);
        });
        int reads = 0;
        var until = DateTime.UtcNow.AddMilliseconds(300);
        while (DateTime.UtcNow < until)
        {
            foreach (var (_, x, y, at) in Drain(p))
            {
                Assert.True(x == y && y == at, $"torn read {x}, {y}, {at}");
                reads++;
            }
        }
        stop.Cancel();
        await writer;
        Assert.True(reads > 0);
    }

    private static List<(long Id, double X, double Y, double At)> Drain(LivePositions p)
    {
        var list = new List<(long, double, double, double)>();
        for (int i = 0; i < p.Count; i++)
        {
            if (!p.Pending(i, out long id)) continue;
            p.Take(i, out double x, out double y, out double at);
            list.Add((id, x, y, at));
        }
        return list;
    }
}
