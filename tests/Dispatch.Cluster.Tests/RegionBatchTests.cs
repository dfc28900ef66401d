using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using ErrorCode = Dispatch.Protocol.ErrorCode;

namespace Dispatch.Cluster.Tests;

/// <summary>A batch (the edge's group commit) answers exactly as its requests one by one, journals in one write, and on a failed write acknowledges none.</summary>
public sealed class RegionBatchTests
{
    [Fact]
    public async Task A_batch_answers_as_its_requests_one_by_one_and_journals_them_in_one_write()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await ClusterKit.StartAsync(store, silos: 1);
        var commands = Scenario.Hour(0, 0);
        var reference = await ReferenceRegion.CreateAsync("north");
        // Batches of 1 to 37 requests: refusals, queries and ticks (pushes before their Ack) mixed in.
        int at = 0, size = 1;
        while (at < commands.Count)
        {
            var batch = commands.Skip(at).Take(size).ToList();
            var expected = batch.SelectMany(c => reference.Execute(c)).ToArray();
            Assert.Equal(expected, await kit.Region("north").ExecuteBatch(batch.Select(c => Frames.Payload(c)).ToArray()));
            at += size;
            size = size % 37 + 1;
        }
        Assert.Equal(commands.Count(c => c.IsEngineEvent), store.Head("north"));
    }

    [Fact]
    public async Task Several_connections_batches_in_one_turn_answer_each_as_alone_and_journal_in_one_write()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await ClusterKit.StartAsync(store, silos: 1);
        var commands = Scenario.Hour(0, 0);
        var reference = await ReferenceRegion.CreateAsync("north");
        // Turns of 1 to 4 groups of 1 to 23 requests each, as a silo's lane merges its connections' batches.
        int at = 0, size = 1, groups = 1, calls = 0;
        while (at < commands.Count)
        {
            var turn = new List<List<Command>>();
            for (int g = 0; g < groups && at < commands.Count; g++)
            {
                turn.Add(commands.Skip(at).Take(size).ToList());
                at += size;
                size = size % 23 + 1;
            }
            var expected = turn.Select(batch => batch.SelectMany(c => reference.Execute(c)).ToArray()).ToArray();
            int appendsBefore = store.Appends;
            var answers = await kit.Region("north").ExecuteGroupsFrom([.. turn.Select(b => b.Select(c => Frames.Payload(c)).ToArray())], null, null);
            Assert.Equal(expected, answers);
            Assert.True(store.Appends - appendsBefore <= 1, "one turn, one store write");
            groups = groups % 4 + 1;
            calls++;
        }
        Assert.Equal(commands.Count(c => c.IsEngineEvent), store.Head("north"));
        Assert.True(store.Appends <= calls);

        // A failed write: every request of every group is answered Internal under its own id, none acknowledged.
        store.FailNextAppend = new IOException("store unreachable");
        long head = store.Head("north");
        var failed = await kit.Region("north").ExecuteGroupsFrom(
            [[Frames.Payload(Command.AddSite(7, 77, 2000, 2000))], [Frames.Payload(Command.GetCounts(8)), Frames.Payload(Command.CourierOnShift(9, 99, 1000, 1000, 0, 100))]], null, null);
        Assert.Equal([7u], Frames.Read(failed[0]).Select(m => m.RequestId));
        Assert.Equal([8u, 9u], Frames.Read(failed[1]).Select(m => m.RequestId));
        Assert.All(failed.SelectMany(Frames.Read), m => Assert.Equal(ErrorCode.Internal, Assert.IsType<ErrorMessage>(m).Code));
        Assert.Equal(head, store.Head("north"));
    }

    [Fact]
    public async Task When_the_batch_cannot_be_made_durable_no_request_of_it_is_acknowledged()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await ClusterKit.StartAsync(store, silos: 1);
        await kit.Send("north", Command.AddSite(1, 1, 1000, 1000));
        store.FailNextAppend = new IOException("store unreachable");
        var batch = new[] { Command.AddSite(2, 2, 2000, 2000), Command.GetCounts(3), Command.CourierOnShift(4, 9, 1000, 1000, 0, 100) };
        var answer = Frames.Read(await kit.Region("north").ExecuteBatch(batch.Select(c => Frames.Payload(c)).ToArray()));
        Assert.Equal([2u, 3u, 4u], answer.Select(m => m.RequestId));
        Assert.All(answer, m => Assert.Equal(ErrorCode.Internal, Assert.IsType<ErrorMessage>(m).Code));
        Assert.Equal(1, store.Head("north"));
    }

    [Fact]
    public async Task A_courier_app_group_confirms_only_its_couriers_orders_in_the_turn_that_applies_them()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await ClusterKit.StartAsync(store, silos: 1);
        await kit.Ok("north", Command.AddSite(1, 1, 1000, 1000));
        await kit.Ok("north", Command.CourierOnShift(2, 7, 1100, 1000, 0, 600, 3));
        await kit.Ok("north", Command.PlaceOrder(3, 70, 1, 3000, 3000, 0, 1));
        await kit.Ok("north", Command.Tick(4, 2));
        long head = store.Head("north");

        // Group 0 speaks for courier 8, group 1 for courier 7, group 2 is an integration's (no courier): the same pickup.
        var answers = await kit.Region("north").ExecuteGroupsFrom(
            [[Frames.Payload(Command.ConfirmPickup(10, 70, 2)), Frames.Payload(Command.GetCounts(11))],
             [Frames.Payload(Command.ConfirmPickup(12, 70, 2))],
             [Frames.Payload(Command.ConfirmDropoff(13, 70, 2))]], null, [8, 7, -1]);
        var refused = Assert.IsType<ErrorMessage>(Frames.Read(answers[0])[0]);
        Assert.Equal((ErrorCode.Forbidden, 10u), (refused.Code, refused.RequestId));
        Assert.Contains("not an order courier 8 carries", refused.Message);
        Assert.IsType<CountsMessage>(Frames.Read(answers[0])[1]);
        Assert.IsType<AckMessage>(Assert.Single(Frames.Read(answers[1])));
        Assert.IsType<AckMessage>(Assert.Single(Frames.Read(answers[2])));
        // Only the two accepted confirmations were journaled.
        Assert.Equal(head + 2, store.Head("north"));

        var wrongLength = await Assert.ThrowsAsync<ArgumentException>(() => kit.Region("north").ExecuteGroupsFrom([[Frames.Payload(Command.GetCounts(14))]], null, [1, 2]));
        Assert.Contains("one per group", wrongLength.Message);
    }
}
