using Dispatch.Cluster.Regions;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using ErrorCode = Dispatch.Protocol.ErrorCode;

namespace Dispatch.Cluster.Tests;

/// <summary>Bad requests and bad region configuration are refused with an error that names the field; nothing is journaled.</summary>
public sealed class RegionBadInputTests
{
    [Fact]
    public async Task Bad_requests_are_refused_naming_the_field_and_leave_the_journal_untouched()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await ClusterKit.StartAsync(store, silos: 1);

        // Not MessagePack [type, rid, ...].
        var malformed = Assert.IsType<ErrorMessage>(Assert.Single(Frames.Read(await kit.Region("north").Execute([0xC1, 0x00]))));
        Assert.Equal(ErrorCode.MalformedMessage, malformed.Code);

        // A site outside the region's area.
        var outside = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("north", Command.AddSite(2, 1, 500, -500))));
        Assert.Equal(ErrorCode.InvalidValue, outside.Code);
        Assert.Contains("outside region 'north'", outside.Message);
        Assert.Contains("AddSite", outside.Message);

        // The engine's own refusals, as the server gives them.
        var unknownSite = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("north", Command.PlaceOrder(3, 10, 99, 100, 100, 0, 5))));
        Assert.Equal(ErrorCode.UnknownId, unknownSite.Code);
        await kit.Send("north", Command.Tick(4, 10));
        var backwards = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("north", Command.Tick(5, 3))));
        Assert.Equal(5u, backwards.RequestId);

        // Session commands are the edge's.
        var hello = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("north", Command.Hello(6, "x", true))));
        Assert.Equal(ErrorCode.UnknownMessageType, hello.Code);
        Assert.IsType<PongMessage>(Assert.Single(await kit.Send("north", Command.Ping(7))));

        Assert.Equal(1, store.Head("north")); // only the Tick at 10
    }

    [Fact]
    public async Task A_region_that_is_not_configured_answers_every_request_with_an_error_naming_it()
    {
        await using var kit = await ClusterKit.StartAsync(new InMemoryRegionStore(), silos: 1);
        var e = Assert.IsType<ErrorMessage>(Assert.Single(await kit.Send("atlantis", Command.GetCounts(9))));
        Assert.Equal(ErrorCode.UnknownId, e.Code);
        Assert.Equal(9u, e.RequestId);
        Assert.Contains("region 'atlantis' is not configured", e.Message);
        Assert.Contains("north", e.Message);
    }

    [Theory]
    [InlineData("no way", "POLYGON ((0 0, 1 0, 1 1, 0 0))", "Cluster:Regions:0:Id")]
    [InlineData("a", "POLYGON ((0 0, 1 0", "Cluster:Regions:0:Area")]
    [InlineData("a", "POINT (1 1)", "must be a non-empty POLYGON")]
    [InlineData("a", "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "not valid")]
    public void A_bad_region_is_refused_naming_its_key(string id, string area, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => RegionMap.From([new RegionDefinition { Id = id, Area = area }]));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Regions_may_share_a_border_but_not_an_area_nor_an_id()
    {
        var map = RegionMap.From(Scenario.Regions.Select(r => new RegionDefinition { Id = r.Id, Area = r.Area }).ToList());
        Assert.Equal("north", map.Locate(5000, 5000)?.Id);
        Assert.Equal("south", map.Locate(5000, -5000)?.Id);
        Assert.Null(map.Locate(50_000, 0));

        var overlap = Assert.Throws<ArgumentException>(() => RegionMap.From([
            new RegionDefinition { Id = "a", Area = "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))" },
            new RegionDefinition { Id = "b", Area = "POLYGON ((5 5, 15 5, 15 15, 5 15, 5 5))" }]));
        Assert.Contains("Cluster:Regions:1:Area", overlap.Message);
        Assert.Contains("overlaps region 'a'", overlap.Message);

        var twice = Assert.Throws<ArgumentException>(() => RegionMap.From([
            new RegionDefinition { Id = "a", Area = "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))" },
            new RegionDefinition { Id = "a", Area = "POLYGON ((20 0, 30 0, 30 10, 20 10, 20 0))" }]));
        Assert.Contains("Cluster:Regions:1:Id", twice.Message);
        Assert.Throws<ArgumentException>(() => RegionMap.From([]));
    }
}
