using System.Globalization;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Simulator.World;
using Dispatch.Travel;

namespace Dispatch.Simulator.Tests.World;

/// <summary>The per-order promise file (<c>scenarios --out</c> -> <c>promises/*.csv</c>): one line per order with what
/// the engine promised at placement, the point estimate and situation it came from, and the drop-off; NaN where
/// there is none, so an offline calibration replay sees exactly what the engine saw.</summary>
public class PromiseLedgerTests
{
    [Fact]
    public void The_csv_holds_each_orders_placement_point_promise_drop_and_situation()
    {
        var engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320));
        engine.AddSite(1, 0, 0);
        engine.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        engine.PlaceOrder(new OrderRequest(0, 1, 10 * 320, 0, 3, 20), 3);
        var ledger = new PromiseLedger(2);
        ledger.Placed(0, engine, 0, now: 3);
        ledger.Delivered(0, 33);
        Assert.True(engine.TryGetPromise(0, out var p));

        var w = new StringWriter(CultureInfo.InvariantCulture);
        ledger.WriteCsv(w);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("order,placed,point,promise,drop,situation", lines[0].TrimEnd('\r'));
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"0,3,{p.PointEstimate:R},{p.FirstPromised:R},33,{p.Situation}"), lines[1].TrimEnd('\r'));
        Assert.Equal("1,NaN,NaN,NaN,NaN,0", lines[2].TrimEnd('\r'));     // never placed
        Assert.Equal(20 + 2 + 10 + 2, p.PointEstimate);                    // a courier waiting at the site: the lower bound
        Assert.Equal(0, p.Situation);                                      // no wait expected
    }
}
