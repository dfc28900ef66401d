using Dispatch.Cluster.Handoff;
using Dispatch.Cluster.Hosting;
using Dispatch.Cluster.Regions;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using Dispatch.Server;
using ErrorCode = Dispatch.Protocol.ErrorCode;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// Courier hand-off between the regions of <see cref="Scenario.Regions"/> (north above y = 0, south below), on an
/// in-process cluster over the fenced in-memory store: an idle courier whose position lies in the other region moves
/// there once, and stays in exactly one region whatever step a crash or a failed write interrupts.
/// </summary>
public sealed class HandoffTests
{
    private const long Courier = 7;

    /// <summary>North with a site and courier 7 on shift, then moved (idle) to (1000, -2000): south's area.</summary>
    private static async Task<ClusterKit> CourierWanderedSouth(InMemoryRegionStore store, short silos = 2, long snapshotEvery = 0, Action<DispatchClusterOptions>? configure = null)
    {
        var kit = await ClusterKit.StartAsync(store, silos, snapshotEvery, configure);
        await kit.Ok("north", Command.AddSite(1, 1, 1000, 1000));
        await kit.Ok("south", Command.AddSite(1, 2, 1000, -1000));
        await kit.Ok("north", Command.CourierOnShift(2, Courier, 1000, 1200, 0, 600, 3));
        await kit.Ok("north", Command.Tick(3, 1));
        await kit.Ok("south", Command.Tick(3, 1));
        await kit.Ok("north", Command.UpdateCourierPosition(4, Courier, 1000, -2000));
        return kit;
    }

    [Fact]
    public async Task An_idle_courier_in_the_neighbours_area_moves_there_once_and_works_there()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore());
        var round = await kit.Coordinator().RunAsync();
        var moved = Assert.Single(round.Adopted);
        Assert.Equal(("north", "south", Courier), (moved.From, moved.To, moved.CourierId));
        Assert.Equal(["south"], await kit.OwnersOf(Courier));
        Assert.False((await kit.Courier("north", Courier)).OnShift);
        var there = await kit.Courier("south", Courier);
        Assert.True(there.OnShift);
        Assert.Equal((1000.0, -2000.0), (there.FreeX, there.FreeY));

        // Nothing more to move: a second round changes nothing.
        var again = await kit.Coordinator().RunAsync();
        Assert.Empty(again.Adopted);
        Assert.Empty((await kit.Handoff("north").Couriers([])).Pending);

        // South plans with it.
        await kit.Ok("south", Command.PlaceOrder(5, 70, 2, 2000, -3000, 1, 1));
        var answer = await kit.Send("south", Command.Tick(6, 3));
        Assert.Equal(Courier, Assert.IsType<AssignmentMessage>(answer[0]).CourierId);
    }

    [Fact]
    public async Task Silos_with_Handoff_EverySeconds_move_the_courier_themselves()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore(), silos: 2, configure: o => o.Handoff.EverySeconds = 0.5);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // A round adopts the courier in south first and settles north's ticket after it, so the test waits for both (a CI
        // run once read north's ticket still pending in between).
        while (((await kit.OwnersOf(Courier)) is not ["south"] || (await kit.Handoff("north").Couriers([])).Pending.Length > 0)
            && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(200);
        Assert.Equal(["south"], await kit.OwnersOf(Courier));
        // Both silos run rounds: the move happened once (one adoption in south's journal, nothing pending).
        Assert.Empty((await kit.Handoff("north").Couriers([])).Pending);
        Assert.True((await kit.Courier("south", Courier)).OnShift);
    }

    [Fact]
    public void Bad_hand_off_settings_are_refused_naming_the_key()
    {
        Assert.Contains("Cluster:Handoff:EverySeconds", Assert.Throws<ArgumentException>(() => new HandoffSettings { EverySeconds = -1 }.Validate()).Message);
        Assert.Contains("Cluster:Handoff:PositionMarginMeters", Assert.Throws<ArgumentException>(() => new HandoffSettings { PositionMarginMeters = double.NaN }.Validate()).Message);
    }

    [Fact]
    public async Task With_a_margin_a_courier_moves_only_once_it_is_that_far_inside_the_neighbour()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore(), silos: 1); // 2 km south of the border
        Assert.Empty(await kit.Handoff("north").ReleaseOutsiders(marginMeters: 2500));
        Assert.Equal(["north"], await kit.OwnersOf(Courier));
        Assert.Single(await kit.Handoff("north").ReleaseOutsiders(marginMeters: 1500));
        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => kit.Handoff("north").ReleaseOutsiders(-1));
        Assert.Contains("marginMeters", negative.Message);
    }

    [Fact]
    public async Task A_courier_with_planned_stops_or_inside_its_region_stays()
    {
        await using var kit = await ClusterKit.StartAsync(new InMemoryRegionStore(), silos: 1);
        await kit.Ok("north", Command.AddSite(1, 1, 1000, 1000));
        await kit.Ok("north", Command.CourierOnShift(2, 8, 1000, 1200, 0, 600, 3));
        await kit.Ok("north", Command.CourierOnShift(3, 9, 5000, 5000, 0, 600, 3));
        await kit.Ok("north", Command.PlaceOrder(4, 80, 1, 1000, 3000, 0, 1));
        var answer = await kit.Send("north", Command.Tick(5, 1));
        long busy = Assert.IsType<AssignmentMessage>(answer[0]).CourierId;
        // The busy one reports a position south of the border: it carries an order, so it stays north.
        await kit.Ok("north", Command.UpdateCourierPosition(6, busy, 1000, -500));
        var round = await kit.Coordinator().RunAsync();
        Assert.Empty(round.Adopted);
        Assert.Equal(["north"], await kit.OwnersOf(8));
        Assert.Equal(["north"], await kit.OwnersOf(9));
    }

    [Fact]
    public async Task A_move_interrupted_after_the_release_is_finished_by_the_next_round_once()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore(), silos: 3);
        // Step 1 alone (the coordinator died after it), then north's silo stops.
        var ticket = Assert.Single(await kit.Handoff("north").ReleaseOutsiders());
        Assert.Equal(["north"], await kit.OwnersOf(Courier)); // released, not adopted: still north's, in transit
        // A new shift for it in north now would make it two regions' once south adopts it: refused.
        var refused = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("north", Command.CourierOnShift(9, Courier, 1000, 1000, 0, 600, 3))));
        Assert.Equal(ErrorCode.InvalidState, refused.Code);
        Assert.Contains($"hand-off {ticket.Id}", refused.Message);
        await kit.Cluster.StopSiloAsync(await kit.HostOf("north"));

        var round = await kit.Coordinator().RunAsync();
        Assert.Equal(ticket.Id, Assert.Single(round.Adopted).Id);
        Assert.Equal(["south"], await kit.OwnersOf(Courier));
        Assert.Empty((await kit.Handoff("north").Couriers([])).Pending);
    }

    [Fact]
    public async Task A_move_interrupted_after_the_adoption_is_completed_without_a_second_adoption()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore(), silos: 3);
        var ticket = Assert.Single(await kit.Handoff("north").ReleaseOutsiders());
        Assert.True((await kit.Handoff("south").Adopt(ticket)).Adopted);
        // Crash before step 3: both regions' silos stop; the ticket is still pending at north, adopted at south.
        Assert.Equal(["south"], await kit.OwnersOf(Courier));
        await kit.Cluster.StopSiloAsync(await kit.HostOf("south"));
        await kit.Cluster.DeactivateAsync(kit.Region("north"));

        // The next round re-offers the ticket; south answers from its ledger (a second CourierOnShift would be refused as
        // a duplicate and roll the courier back into north: two regions).
        var round = await kit.Coordinator().RunAsync();
        Assert.Equal(ticket.Id, Assert.Single(round.Adopted).Id);
        Assert.Empty(round.RolledBack);
        Assert.Equal(["south"], await kit.OwnersOf(Courier));
        Assert.True((await kit.Courier("south", Courier)).OnShift);
        Assert.False((await kit.Courier("north", Courier)).OnShift);
        Assert.True((await kit.Handoff("south").Adopt(ticket)).Adopted); // and again: same answer, nothing changes
        await kit.AssertEachCourierOnce();
    }

    [Fact]
    public async Task A_stale_adoption_after_the_courier_moved_back_does_not_bring_it_back()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore());
        var first = Assert.Single(await kit.Handoff("north").ReleaseOutsiders());
        Assert.True((await kit.Handoff("south").Adopt(first)).Adopted);
        // Step 3 of the first move is lost; meanwhile the courier drives north again and south hands it back.
        await kit.Ok("south", Command.UpdateCourierPosition(5, Courier, 1000, 3000));
        var back = Assert.Single(await kit.Handoff("south").ReleaseOutsiders());
        var round = new HandoffRound();
        await kit.Coordinator().FinishAsync(back, round);
        Assert.Single(round.Adopted);
        Assert.Equal(["north"], await kit.OwnersOf(Courier));

        // The first move's steps arrive late: south's answer is the remembered one and puts nobody on shift.
        Assert.True((await kit.Handoff("south").Adopt(first)).Adopted);
        await kit.Handoff("north").Complete(first.Id, AdoptOutcome.Yes);
        Assert.Equal(["north"], await kit.OwnersOf(Courier));
        Assert.False((await kit.Courier("south", Courier)).OnShift);
        Assert.True((await kit.Courier("north", Courier)).OnShift);
    }

    [Fact]
    public async Task A_refused_move_puts_the_courier_back_in_its_source()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore());
        // A client error: the same courier id is on shift in south already, so south must refuse.
        await kit.Ok("south", Command.CourierOnShift(5, Courier, 3000, -3000, 0, 600, 3));
        var round = await kit.Coordinator().RunAsync();
        var back = Assert.Single(round.RolledBack);
        Assert.True((await kit.Courier("north", Courier)).OnShift);
        var refused = await kit.Handoff("south").Adopt(back);
        Assert.False(refused.Adopted);
        Assert.Contains("already on a shift", refused.Refusal);
        Assert.Empty((await kit.Handoff("north").Couriers([])).Pending);
    }

    [Fact]
    public async Task A_failed_write_at_the_destination_leaves_the_move_pending_and_the_next_round_finishes_it()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await CourierWanderedSouth(store, silos: 2);
        Assert.Single(await kit.Handoff("north").ReleaseOutsiders());
        store.FailNextAppend = new IOException("store unreachable");
        var failed = await kit.Coordinator().RunAsync();
        Assert.Single(failed.Unfinished);
        Assert.Empty(failed.Adopted);
        // South applied the adoption but could not make it durable: that activation deactivates, and the next call finds
        // the region rebuilt from a store that never had it.
        Assert.Equal(["north"], await kit.OwnersOf(Courier));

        var round = await kit.Coordinator().RunAsync();
        Assert.Single(round.Adopted);
        Assert.Equal(["south"], await kit.OwnersOf(Courier));
        await kit.AssertEachCourierOnce();
    }

    [Fact]
    public async Task A_region_rebuilt_from_its_journal_alone_holds_the_same_hand_off_state()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await CourierWanderedSouth(store, silos: 1);
        var ticket = Assert.Single(await kit.Handoff("north").ReleaseOutsiders());
        Assert.True((await kit.Handoff("south").Adopt(ticket)).Adopted);

        // No snapshot was written (none due, no deactivation): each region's state is its journal replayed.
        foreach (var (id, area, _, _) in Scenario.Regions)
        {
            var map = RegionMap.From([new RegionDefinition { Id = id, Area = area }]);
            map.TryGet(id, out var region);
            var rebuilt = await RegionEngine.RebuildAsync(region, new ServerOptions { Clock = ClockMode.Manual }, store, CancellationToken.None);
            Assert.Equal(0, rebuilt.Rebuilt.Refused);
            if (id == "north") Assert.Equal(ticket.Id, Assert.Single(rebuilt.Handoffs.Pending).Id);
            else Assert.True(rebuilt.Handoffs.TryGetOutcome(ticket.Id, out var o) && o.Adopted);
        }
    }

    [Fact]
    public async Task Borrowing_lends_idle_couriers_near_the_border_to_a_short_region_and_is_off_by_default()
    {
        await using var kit = await ClusterKit.StartAsync(new InMemoryRegionStore(), silos: 2);
        await kit.Ok("north", Command.AddSite(1, 1, 1000, 1000));
        await kit.Ok("south", Command.AddSite(1, 2, 1000, -1000));
        // South: two idle couriers near the border, one far from it; north: none, and three orders waiting.
        await kit.Ok("south", Command.CourierOnShift(2, 21, 2000, -500, 0, 600, 3));
        await kit.Ok("south", Command.CourierOnShift(3, 22, 4000, -1500, 0, 600, 3));
        await kit.Ok("south", Command.CourierOnShift(4, 23, 4000, -9000, 0, 600, 3));
        for (int i = 0; i < 3; i++) await kit.Ok("north", Command.PlaceOrder((uint)(5 + i), 100 + i, 1, 1500 + 300 * i, 3000, 0, 1));
        await kit.Ok("north", Command.Tick(9, 1));
        await kit.Ok("south", Command.Tick(9, 1));
        var shortage = await kit.Handoff("north").Shortage();
        Assert.Equal((3, 0, 3), (shortage.WaitingOrders, shortage.IdleCouriers, shortage.Shortfall));

        Assert.Empty((await kit.Coordinator(borrowing: false).RunAsync()).Adopted);
        var round = await kit.Coordinator(borrowing: true).RunAsync();
        Assert.Equal([21L, 22L], round.Adopted.Select(t => t.CourierId).Order());
        Assert.All(round.Adopted, t => Assert.Equal(HandoffReason.Borrow, t.Reason));
        Assert.Equal(["north"], await kit.OwnersOf(21));
        Assert.Equal(["south"], await kit.OwnersOf(23));
        await kit.AssertEachCourierOnce();

        // North plans with what it borrowed.
        var answer = await kit.Send("north", Command.Tick(10, 2));
        Assert.Contains(answer.OfType<AssignmentMessage>(), a => a.CourierId is 21 or 22);
    }

    [Fact]
    public async Task Bad_hand_off_input_is_refused_naming_the_field()
    {
        await using var kit = await ClusterKit.StartAsync(new InMemoryRegionStore(), silos: 1);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => kit.Handoff("north").Lend("west", 1, 1000));
        Assert.Contains("borrower 'west'", unknown.Message);
        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => kit.Handoff("north").Lend("south", -1, 1000));
        Assert.Contains("count", negative.Message);
        var wrong = await kit.Handoff("north").Adopt(new HandoffTicket { Id = "south/9", From = "south", To = "east", CourierId = 1 });
        Assert.False(wrong.Adopted);
        Assert.Contains("for region 'east'", wrong.Refusal);
    }

    [Fact]
    public async Task After_a_move_the_old_region_refuses_the_couriers_commands_naming_the_new_one_until_that_shift_ends()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore());
        Assert.Single((await kit.Coordinator().RunAsync()).Adopted);

        // A position would be lost for south, a new shift would put the courier in two regions: refused, naming south.
        foreach (var c in new[]
        {
            Command.UpdateCourierPosition(10, Courier, 1000, 1500),
            Command.CourierOnShift(11, Courier, 1000, 1500, 700, 900, 3),
            Command.CourierOffShift(12, Courier),
        })
        {
            var error = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("north", c)));
            Assert.Equal(ErrorCode.CourierMoved, error.Code);
            Assert.Contains("to 'south'", error.Message);
            Assert.Contains("send its commands to region 'south'", error.Message);
        }
        Assert.Equal(["south"], await kit.OwnersOf(Courier));
        // South takes them.
        await kit.Ok("south", Command.UpdateCourierPosition(13, Courier, 1000, -2500));

        // Once its shift there is over (minute 600), the courier may start a new shift here.
        await kit.Ok("north", Command.Tick(14, 601));
        await kit.Ok("south", Command.Tick(14, 601));
        await kit.Ok("north", Command.CourierOnShift(15, Courier, 1000, 1500, 700, 900, 3));
    }

    [Fact]
    public async Task A_courier_handed_back_is_the_old_regions_again_and_the_refusal_moves_with_it()
    {
        await using var kit = await CourierWanderedSouth(new InMemoryRegionStore());
        Assert.Single((await kit.Coordinator().RunAsync()).Adopted);
        await kit.Ok("south", Command.UpdateCourierPosition(10, Courier, 1000, 3000));
        Assert.Single((await kit.Coordinator().RunAsync()).Adopted);
        Assert.Equal(["north"], await kit.OwnersOf(Courier));

        await kit.Ok("north", Command.UpdateCourierPosition(11, Courier, 1000, 2500));
        var error = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("south", Command.UpdateCourierPosition(12, Courier, 1000, 2000))));
        Assert.Contains("to 'north'", error.Message);

        // The same holds for a region rebuilt from its store (the departed couriers are in its snapshot and journal).
        await kit.Cluster.DeactivateAsync(kit.Region("south"));
        error = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("south", Command.UpdateCourierPosition(13, Courier, 1000, 2000))));
        Assert.Contains("to 'north'", error.Message);
    }
}
