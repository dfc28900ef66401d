using Dispatch.Cluster.Regions;
using Dispatch.Protocol;
using Dispatch.Server;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>
/// A region's engine that never stops: the same <see cref="RegionEngine"/> the grain runs, driven directly, every
/// accepted command acknowledged at once. Its answers are what a region that was deactivated, moved or rebuilt must
/// still give, byte for byte.
/// </summary>
internal sealed class ReferenceRegion
{
    private readonly RegionEngine _engine;

    private ReferenceRegion(RegionEngine engine) => _engine = engine;

    public static async Task<ReferenceRegion> CreateAsync(string id)
    {
        var (_, area, _, _) = Scenario.Regions.Single(r => r.Id == id);
        var map = RegionMap.From([new RegionDefinition { Id = id, Area = area }]);
        map.TryGet(id, out var region);
        var engine = await RegionEngine.RebuildAsync(region, new ServerOptions { Clock = ClockMode.Manual }, new InMemoryRegionStore(), CancellationToken.None);
        return new ReferenceRegion(engine);
    }

    public byte[] Execute(in Command c)
    {
        var output = new FrameBuffer();
        if (_engine.Execute(c, Frames.Payload(c), output) is { } entry)
        {
            _engine.Committed(entry);
            ReplyCodec.WriteAck(output, c.RequestId, entry.Now);
        }
        return output.Drain();
    }
}
