namespace Dispatch.Core.Tests.TimeWindows;

/// <summary>
/// PlaceOrder refuses bad time windows and service minutes with a <see cref="DispatchException"/> naming the
/// order and the field, under every profile, and leaves the engine unchanged: the same order placed right
/// after with good values is accepted as if nothing happened.
/// </summary>
public class OrderWindowValidationTests
{
    private static readonly OrderRequest Good = new(7, 1, 1000, 0, PlacedAt: 10, ReadyAt: 20);

    public static TheoryData<string, OrderRequest, string> BadOrders() => new()
    {
        { "PickupBy NaN", Good with { PickupBy = double.NaN }, "PickupBy" },
        { "PickupBy -inf", Good with { PickupBy = double.NegativeInfinity }, "PickupBy" },
        { "PickupBy beyond MaxTime", Good with { PickupBy = 2e9 }, "PickupBy" },
        { "PickupBy before ready", Good with { PickupBy = 19.5 }, "PickupBy 19.5 is before its ReadyAt 20" },
        { "DeliverAfter NaN", Good with { DeliverAfter = double.NaN }, "DeliverAfter" },
        { "DeliverAfter +inf", Good with { DeliverAfter = double.PositiveInfinity }, "DeliverAfter" },
        { "DeliverAfter negative", Good with { DeliverAfter = -1 }, "DeliverAfter" },
        { "DeliverBy NaN", Good with { DeliverBy = double.NaN }, "DeliverBy" },
        { "DeliverBy negative", Good with { DeliverBy = -5 }, "DeliverBy" },
        { "DeliverBy before ready", Good with { DeliverBy = 15 }, "DeliverBy 15 is before its ReadyAt 20" },
        { "DeliverBy before DeliverAfter", Good with { DeliverAfter = 50, DeliverBy = 40 }, "DeliverBy 40 is before its DeliverAfter 50" },
        { "pickup service NaN", Good with { PickupServiceMinutes = double.NaN }, "PickupServiceMinutes" },
        { "pickup service negative", Good with { PickupServiceMinutes = -1 }, "PickupServiceMinutes" },
        { "drop-off service infinite", Good with { DropoffServiceMinutes = double.PositiveInfinity }, "DropoffServiceMinutes" },
        { "drop-off service negative", Good with { DropoffServiceMinutes = -0.5 }, "DropoffServiceMinutes" },
    };

    [Theory]
    [MemberData(nameof(BadOrders))]
    public void A_bad_window_is_refused_naming_the_order_and_the_field_and_changes_nothing(string what, OrderRequest bad, string expected)
    {
        foreach (var profile in new[] { DispatchProfile.Mdrp, DispatchProfile.General, DispatchProfile.Greedy })
        {
            var e = EngineFactory.Create(profile);
            e.AddSite(1, 0, 0);
            e.CourierOnShift(new CourierShift(1, 0, 0, 0, 300), 0);
            var counts = e.Counts;
            var ex = Assert.Throws<DispatchException>(() => e.PlaceOrder(bad, 10));
            Assert.Equal(DispatchError.InvalidValue, ex.Error);
            Assert.Contains("order 7", ex.Message);
            Assert.Contains(expected, ex.Message);
            Assert.Equal(counts, e.Counts);
            Assert.Equal(OrderStatus.Unknown, e.GetOrderStatus(7));
            // Nothing half-done: the same id with good values goes in.
            e.PlaceOrder(Good, 10);
            Assert.Equal(OrderStatus.Open, e.GetOrderStatus(7));
            _ = what;
        }
    }

    [Fact]
    public void Edge_values_are_accepted()
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 0, 0);
        e.PlaceOrder(Good with { OrderId = 1, PickupBy = 20, DeliverBy = 20 }, 10);                       // latest = ready
        e.PlaceOrder(Good with { OrderId = 2, DeliverAfter = 90, DeliverBy = 90 }, 10);                   // a single instant
        e.PlaceOrder(Good with { OrderId = 3, DeliverAfter = 0, PickupBy = double.PositiveInfinity }, 10); // the defaults, spelt out
        e.PlaceOrder(Good with { OrderId = 4, PickupServiceMinutes = 0, DropoffServiceMinutes = 12.5 }, 10);
        e.PlaceOrder(Good with { OrderId = 5, DeliverAfter = 5 }, 10);                                    // earliest before placement: no constraint
        Assert.Equal(5, e.Counts.Open);
    }
}
