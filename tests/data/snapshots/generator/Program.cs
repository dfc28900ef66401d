// Writes engine-v<version>-mdrp-200.snapshot and engine-v<version>-general-200.snapshot into <out-dir> with the Core this
// project references (the Core of the commit that wrote that format; see tests/data/snapshots/README.md): SnapshotTests'
// scenario (new Random(5), windows off), Drive loop and DecisionLog, copied from tests/Dispatch.Core.Tests, driven from
// minute 0 to 200 under the profile's default options of that commit, then SaveSnapshot. Copied, not referenced: this
// program builds against an old commit's Core, which today's test project does not, and the copies must stay what
// that test drives (SnapshotTests compares the files with a run of its own Drive from the start).
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Travel;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: <format version, for the file names> <out-dir>");
    return 2;
}
string version = args[0];
string outDir = args[1];
Directory.CreateDirectory(outDir);
const int Cut = 200;
foreach (var profile in new[] { DispatchProfile.Mdrp, DispatchProfile.General })
{
    var options = new DispatchOptions { Profile = profile };
    var a = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), options);
    var orders = Scenario.Setup(a, new Random(5), windows: false);
    var log = new DecisionLog();
    Scenario.Drive(a, log, orders, 0, Cut);
    string file = Path.Combine(outDir, $"engine-v{version}-{profile.ToString().ToLowerInvariant()}-{Cut}.snapshot");
    using (var fs = File.Create(file)) a.SaveSnapshot(fs);
    Console.WriteLine($"{file}: {new FileInfo(file).Length} B, {a.Counts}, {log.Lines.Count} log lines");
}
return 0;

/// <summary>SnapshotTests' Setup and Drive, unchanged.</summary>
internal static class Scenario
{
    /// <summary>Drives an engine from minute <paramref name="from"/> to <paramref name="to"/>: places due orders, confirms due stops, a courier drops out at 90, ticks.</summary>
    public static void Drive(DispatchEngine<EuclideanCeilMinutes> e, DecisionLog log, OrderRequest[] orders, int from, int to)
    {
        var sink = log.ToSink();
        for (int t = from; t < to; t++)
        {
            log.ConfirmDue(e, t);
            foreach (var o in orders.Where(o => o.PlacedAt == t)) e.PlaceOrder(o, t);
            if (t == 90) e.CourierOffShift(3, t);
            if (t == 100 && e.GetOrderStatus(40) is OrderStatus.Open or OrderStatus.Assigned) e.CancelOrder(40, t);
            e.Tick(t, ref sink);
        }
    }

    /// <summary>The scenario of these tests (a v1 snapshot of it is in tests/data/snapshots): 12 sites, 8 couriers,
    /// 120 orders; with <paramref name="windows"/>, deliver-by, pickup-by, deliver-after and service minutes on some.</summary>
    public static OrderRequest[] Setup(DispatchEngine<EuclideanCeilMinutes> a, Random rng, bool windows)
    {
        for (int s = 0; s < 12; s++) a.AddSite(s, rng.Next(8000), rng.Next(8000));
        for (int c = 0; c < 8; c++) a.CourierOnShift(new CourierShift(c, rng.Next(8000), rng.Next(8000), rng.Next(30), 200 + rng.Next(60), 3), 0);
        return Enumerable.Range(0, 120).Select(i =>
        {
            int placed = rng.Next(150);
            var o = new OrderRequest(i, rng.Next(12), rng.Next(8000), rng.Next(8000), placed, placed + 5 + rng.Next(20));
            if (!windows) return o;
            return (i % 4) switch
            {
                0 => o with { DeliverBy = o.ReadyAt + 50 },
                1 => o with { PickupBy = o.ReadyAt + 25, DropoffServiceMinutes = 6 },
                2 => o with { DeliverAfter = o.ReadyAt + 30, DeliverBy = o.ReadyAt + 70, PickupServiceMinutes = 2 },
                _ => o,
            };
        }).ToArray();
    }
}

/// <summary>
/// What an engine decided, as text lines (assignments with their stops, plan changes) to compare two engines
/// with, and the stops that fall due so a driver can confirm them at their planned times.
/// (tests/Dispatch.Core.Tests/Support/DecisionLog.cs, unchanged.)
/// </summary>
internal sealed class DecisionLog
{
    public readonly List<string> Lines = new();
    public readonly List<(double At, long Order, StopKind Kind)> Due = new();

    /// <summary>A sink writing into this log (a struct, as the tick wants).</summary>
    public Sink ToSink() => new(this);

    /// <summary>Confirms the pickups and drop-offs due by <paramref name="t"/>, earliest first, each at its planned time.</summary>
    public void ConfirmDue(DispatchEngine<EuclideanCeilMinutes> e, int t)
    {
        foreach (var d in Due.Where(d => d.At <= t).OrderBy(d => d.At).ThenBy(d => d.Kind).ThenBy(d => d.Order).ToList())
        {
            Due.Remove(d);
            var st = e.GetOrderStatus(d.Order);
            if (d.Kind == StopKind.Pickup && st == OrderStatus.Assigned) e.ConfirmPickup(d.Order, d.At);
            else if (d.Kind == StopKind.Dropoff && st == OrderStatus.PickedUp) e.ConfirmDropoff(d.Order, d.At);
        }
    }

    internal readonly struct Sink(DecisionLog log) : IAssignmentSink
    {
        public void OnAssignment(in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops)
        {
            log.Lines.Add($"{a}|{string.Join(";", stops.ToArray())}");
            foreach (var s in stops) log.Due.Add((s.ServiceAt, s.OrderId, s.Kind));
        }

        public void OnPlanChange(in PlanChange change) => log.Lines.Add(change.ToString());
    }
}
