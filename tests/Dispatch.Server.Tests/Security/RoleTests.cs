using Dispatch.Client;
using Dispatch.Protocol;
using Dispatch.Server.Security;

namespace Dispatch.Server.Tests.Security;

/// <summary>The role table over real sockets: forbidden commands get Forbidden naming role and command, and never reach the journal.</summary>
public class RoleTests : IAsyncLifetime
{
    private TokensFile _tokens = null!;
    private TestServer _s = null!;

    public async Task InitializeAsync()
    {
        _tokens = new TokensFile();
        _tokens.Write(Tokens.Lines());
        _s = await TestServer.StartAsync(o => o.AuthTokens = _tokens.Path);
    }

    public async Task DisposeAsync()
    {
        await _s.DisposeAsync();
        _tokens.Dispose();
    }

    /// <summary>Every state-changing request type (tags 10..25: engine events, traffic and the manual Tick), one of each.</summary>
    public static Command[] StateChanging() =>
    [
        Command.AddSite(1, 1, 0, 0), Command.PlaceOrder(1, 100, 1, 5, 5, 0, 3), Command.ChangeReadyTime(1, 100, 4),
        Command.CancelOrder(1, 100), Command.CourierOnShift(1, 7, 0, 0, 0, 100), Command.CourierOffShift(1, 7),
        Command.UpdateCourierPosition(1, 7, 1, 1), Command.ConfirmPickup(1, 100, 5), Command.ConfirmDropoff(1, 100, 6),
        Command.Tick(1, 1), Command.AddCongestionZone(1, 1, 0.5, 0, 10, [0, 0, 10, 0, 10, 10]),
        Command.AddClosure(1, 1, 0, 10, WireClosureKind.Line, [0, 0, 10, 10]), Command.SetCitywideFactor(1, 0.7, 0, 10),
        Command.DeliveryFailed(1, 100, 7, 1), Command.WrongOrderDelivered(1, 100, 8), Command.OrderChanged(1, 100, 9),
    ];

    [Fact]
    public void The_list_covers_every_state_changing_type()
    {
        var covered = StateChanging().Select(c => c.Type).ToHashSet();
        foreach (var t in Enum.GetValues<MessageType>().Where(t => new Command(t, 1).IsEngineEvent)) Assert.Contains(t, covered);
    }

    [Fact]
    public async Task A_viewer_is_refused_on_every_state_changing_command_and_nothing_is_journaled()
    {
        await using var viewer = await _s.ConnectAsync(Tokens.As(Tokens.Viewer, subscribe: true));
        foreach (var c in StateChanging())
        {
            var reply = await viewer.RequestAsync(c);
            var e = Assert.IsType<ErrorMessage>(reply);
            Assert.Equal(ErrorCode.Forbidden, e.Code);
            Assert.Contains("viewer", e.Message);
            Assert.Contains("wallboard", e.Message);
            Assert.Contains(c.Type.ToString(), e.Message);
        }
        // Queries and pushes are the viewer's.
        await viewer.GetCountsAsync();
        await viewer.GetOrderAsync(100);
        await viewer.SubscribeAsync(false);
        Assert.Equal(StateChanging().Length, ForbiddenSoFar(_s));
        Assert.Equal(0, (await viewer.GetMetricsAsync()).Snapshot.JournalRecords);
    }

    private static long ForbiddenSoFar(TestServer s) => s.Server.Metrics.ForbiddenCommands;

    [Fact]
    public async Task Only_an_operator_may_ask_server_stats_to_collect_first()
    {
        await using var viewer = await _s.ConnectAsync(Tokens.As(Tokens.Viewer));
        Assert.IsType<ServerStatsMessage>(await viewer.RequestAsync(Command.GetServerStats(0)));
        var e = Assert.IsType<ErrorMessage>(await viewer.RequestAsync(Command.GetServerStats(0, collectFirst: true)));
        Assert.Equal(ErrorCode.Forbidden, e.Code);
        Assert.Contains("collect", e.Message);
        await using var ops = await _s.ConnectAsync(Tokens.As(Tokens.Operator));
        Assert.IsType<ServerStatsMessage>(await ops.RequestAsync(Command.GetServerStats(0, collectFirst: true)));
    }

    [Fact]
    public async Task An_integration_places_orders_but_does_not_move_the_clock()
    {
        await using var shop = await _s.ConnectAsync(Tokens.As(Tokens.Integration));
        await shop.AddSiteAsync(1, 0, 0);
        await shop.PlaceOrderAsync(100, 1, 5, 5, 0, 3);
        var e = Assert.IsType<ErrorMessage>(await shop.RequestAsync(Command.Tick(0, 1)));
        Assert.Equal(ErrorCode.Forbidden, e.Code);
        Assert.Contains("integration", e.Message);
        Assert.Contains("Tick", e.Message);
        var c = Assert.IsType<ErrorMessage>(await shop.RequestAsync(Command.ConfirmPickup(0, 100, 1)));
        Assert.Equal(ErrorCode.Forbidden, c.Code);
    }

    [Fact]
    public async Task A_courier_app_confirms_only_its_own_courier_s_orders()
    {
        await using var ops = await _s.ConnectAsync(Tokens.As(Tokens.Operator));
        await ops.AddSiteAsync(1, 1000, 1000);
        await ops.CourierOnShiftAsync(7, 900, 1200, 0, 240);
        await ops.CourierOnShiftAsync(8, 1100, 800, 0, 240);
        await ops.PlaceOrderAsync(100, 1, 2500, 1800, 0, 12);
        long owner = -1;
        for (int minute = 1; minute <= 30 && owner < 0; minute++)
        {
            await ops.TickAsync(minute);
            var o = await ops.GetOrderAsync(100);
            if (o.Status == WireOrderStatus.Assigned) owner = o.CourierId;
        }
        Assert.True(owner is 7 or 8, $"order 100 not assigned (courier {owner})");
        await ops.TickAsync(31);
        long journaled = (await ops.GetMetricsAsync()).Snapshot.JournalRecords;

        string ownerToken = owner == 7 ? Tokens.Courier7 : Tokens.Courier8, otherToken = owner == 7 ? Tokens.Courier8 : Tokens.Courier7;
        long other = owner == 7 ? 8 : 7;
        await using var thief = await _s.ConnectAsync(Tokens.As(otherToken));
        var e = Assert.IsType<ErrorMessage>(await thief.RequestAsync(Command.ConfirmPickup(0, 100, 31)));
        Assert.Equal(ErrorCode.Forbidden, e.Code);
        Assert.Contains("courier-app", e.Message);
        Assert.Contains($"courier {other}", e.Message);
        Assert.Contains("ConfirmPickup", e.Message);
        // An order that does not exist reads the same: a courier's app learns nothing of other orders.
        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await thief.RequestAsync(Command.ConfirmDropoff(0, 999, 31))).Code);
        // Another courier's position, queries and pushes are not a courier app's either.
        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await thief.RequestAsync(Command.UpdateCourierPosition(0, owner, 1, 1))).Code);
        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await thief.RequestAsync(Command.GetOrder(0, 100))).Code);
        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await thief.RequestAsync(Command.Subscribe(0, true))).Code);
        Assert.Equal(journaled, (await ops.GetMetricsAsync()).Snapshot.JournalRecords);
        Assert.Equal(WireOrderStatus.Assigned, (await ops.GetOrderAsync(100)).Status);

        await using var courier = await _s.ConnectAsync(Tokens.As(ownerToken));
        await courier.UpdateCourierPositionAsync(owner, 1000, 1000);
        await courier.ConfirmPickupAsync(100, 31);
        Assert.Equal(WireOrderStatus.PickedUp, (await ops.GetOrderAsync(100)).Status);
        Assert.Equal(journaled + 2, (await ops.GetMetricsAsync()).Snapshot.JournalRecords);
    }

    [Fact]
    public async Task A_courier_app_asking_for_pushes_in_hello_is_refused_and_closed()
    {
        var ex = await Assert.ThrowsAsync<DispatchRequestException>(() => _s.ConnectAsync(Tokens.As(Tokens.Courier7, subscribe: true)));
        Assert.Equal(ErrorCode.Forbidden, ex.Error.Code);
        Assert.Contains("subscribe", ex.Error.Message);
    }

    [Fact]
    public void A_type_the_table_does_not_name_is_operator_only()
    {
        var unlisted = new Command((MessageType)40, 1, Id: 5);
        Assert.Equal(Permission.Unlisted, CommandPolicy.Required(unlisted.Type));
        foreach (var role in new[] { Role.Viewer, Role.CourierApp, Role.Integration })
            Assert.Equal(PolicyVerdict.Forbidden, CommandPolicy.Check(new Principal("x", role, 5, null, CredentialKind.Token, "k"), unlisted));
        Assert.Equal(PolicyVerdict.Allowed, CommandPolicy.Check(new Principal("x", Role.Operator, -1, null, CredentialKind.Token, "k"), unlisted));
        Assert.Equal(PolicyVerdict.Allowed, CommandPolicy.Check(Principal.Anonymous, unlisted));
    }
}
