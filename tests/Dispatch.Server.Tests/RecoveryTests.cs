using Dispatch.Protocol;
using Dispatch.Server.Journal;

namespace Dispatch.Server.Tests;

/// <summary>Restarts on the same data directory, in process.</summary>
public class RecoveryTests
{
    [Fact]
    public async Task State_survives_a_graceful_restart_including_decisions_and_the_manual_clock()
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            OrderInfoMessage before;
            CountsMessage countsBefore;
            await using (var s = await TestServer.StartAsync(o => o.Fsync = FsyncPolicy.Always, dir))
            await using (var c = await s.ConnectAsync())
            {
                await Scenario.SetUpAsync(c);
                await Scenario.TickUntilAssignedAsync(c);
                await c.PlaceOrderAsync(101, Scenario.Site, 10, 10, 20, 25);
                before = await c.GetOrderAsync(Scenario.Order);
                countsBefore = await c.GetCountsAsync();
            }
            await using (var s = await TestServer.StartAsync(null, dir))
            await using (var c = await s.ConnectAsync())
            {
                var after = await c.GetOrderAsync(Scenario.Order);
                Assert.Equal(before with { RequestId = 0 }, after with { RequestId = 0 });
                Assert.Equal(countsBefore with { RequestId = 0 }, (await c.GetCountsAsync()) with { RequestId = 0 });
                Assert.Equal(c.Server.Now, (await c.PingAsync()).Now);
                Assert.True(c.Server.Now > 0);
            }
        });
    }

    [Fact]
    public async Task A_corrupt_tail_is_cut_with_a_warning_and_the_server_starts()
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            await using (var s = await TestServer.StartAsync(null, dir))
            await using (var c = await s.ConnectAsync())
            {
                await c.AddSiteAsync(1, 0, 0);
                await c.AddSiteAsync(2, 0, 0);
            }
            // The last segment (the shutdown snapshot started a new one): a torn tail is only legal there.
            string path = JournalSegment.List(dir)[^1].Path;
            long good = new FileInfo(path).Length;
            await File.AppendAllTextAsync(path, "\u0007torn write");
            for (int round = 0; round < 2; round++) // and a second start does not trip on anything
            {
                await using var s = await TestServer.StartAsync(null, dir);
                await using var c = await s.ConnectAsync();
                Assert.Equal(ErrorCode.DuplicateId, Assert.IsType<ErrorMessage>(await c.RequestAsync(Command.AddSite(0, 2, 0, 0))).Code);
                Assert.Equal(good, new FileInfo(path).Length);
            }
        });
    }
}
