using Dispatch.Cluster.Durability;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using ErrorCode = Dispatch.Protocol.ErrorCode;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// Reads are fenced like writes. After a silo dies Orleans may, for a while, hold two activations of one region; the one
/// the writes no longer reach would answer queries from old state (the 8-region kill test once read acknowledged orders
/// as unknown that way). A read-only batch compares the store's head with its activation's: a stale activation answers
/// Internal ("reloading") and deactivates, and the next request rebuilds the region with everything written.
/// </summary>
public sealed class StaleActivationTests
{
    [Fact]
    public async Task An_activation_behind_the_store_answers_no_query_and_the_next_one_sees_every_write()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await ClusterKit.StartAsync(store, silos: 1);
        await kit.Send("north", Command.AddSite(1, 1, 1000, 1000));
        Assert.Equal(WireOrderStatus.Unknown, Assert.IsType<OrderInfoMessage>(Assert.Single(await kit.Send("north", Command.GetOrder(2, 70)))).Status);

        // Another activation of north writes an order: this activation does not know it.
        await store.AppendAsync("north", [new JournalEntry(2, 0, Frames.Payload(Command.PlaceOrder(9, 70, 1, 3000, 3000, 0, 1)))]);

        var stale = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("north", Command.GetOrder(3, 70))));
        Assert.Equal((ErrorCode.Internal, 3u), (stale.Code, stale.RequestId));
        Assert.Contains("stale", stale.Message);
        // The stale activation deactivates; the next request gets a region rebuilt from the store, the order in it.
        var info = await RetryAsync(() => kit.Send("north", Command.GetOrder(4, 70)));
        Assert.Equal(WireOrderStatus.Open, Assert.IsType<OrderInfoMessage>(info).Status);
    }

    private static async Task<ServerMessage> RetryAsync(Func<Task<List<ServerMessage>>> send)
    {
        for (int i = 0; ; i++)
        {
            var answer = Assert.Single(await send());
            if (answer is not ErrorMessage { Code: ErrorCode.Internal } || i == 50) return answer;
            await Task.Delay(100);
        }
    }
}
