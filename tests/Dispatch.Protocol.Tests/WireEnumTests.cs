using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.Protocol.Tests;

/// <summary>
/// The protocol does not reference Core (a client needs no engine), so its wire enums are copies of
/// Core's. The server casts between them by number; these tests keep the copies from drifting: every
/// member of one has a member of the same name and number in the other.
/// </summary>
public class WireEnumTests
{
    [Fact]
    public void Order_status_matches_core() => AssertSameMembers<OrderStatus, WireOrderStatus>();

    [Fact]
    public void Delivery_failure_reason_matches_core() => AssertSameMembers<DeliveryFailureReason, WireDeliveryFailureReason>();

    [Fact]
    public void Stop_kind_matches_core() => AssertSameMembers<StopKind, WireStopKind>();

    [Fact]
    public void Plan_change_kind_matches_core() => AssertSameMembers<PlanChangeKind, WirePlanChangeKind>();

    [Fact]
    public void Plan_change_reason_matches_core() => AssertSameMembers<PlanChangeReason, WirePlanChangeReason>();

    /// <summary>Error codes 1..4 are the engine's refusal categories (docs/protocol.md, Errors); the rest are the protocol's own.</summary>
    [Fact]
    public void Engine_refusals_keep_their_error_codes()
    {
        foreach (var e in Enum.GetValues<DispatchError>())
        {
            Assert.True(Enum.TryParse<ErrorCode>(e.ToString(), out var code), $"ErrorCode has no {e}");
            Assert.Equal(Convert.ToInt64(e), Convert.ToInt64(code));
        }
    }

    private static void AssertSameMembers<TCore, TWire>() where TCore : struct, Enum where TWire : struct, Enum
    {
        var core = Enum.GetValues<TCore>().ToDictionary(v => v.ToString(), v => Convert.ToInt64(v));
        var wire = Enum.GetValues<TWire>().ToDictionary(v => v.ToString(), v => Convert.ToInt64(v));
        Assert.Equal(core.OrderBy(p => p.Key), wire.OrderBy(p => p.Key));
    }
}
