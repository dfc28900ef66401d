namespace Dispatch.Core.Tests;

/// <summary>An engine rebuilt from a snapshot decides exactly as the original from then on.</summary>
public class SnapshotTests
{
    /// <summary>Drives an engine from minute <paramref name="from"/> to <paramref name="to"/>: places due orders, confirms due stops, a courier drops out at 90, ticks.</summary>
    private static void Drive(DispatchEngine<EuclideanCeilMinutes> e, DecisionLog log, OrderRequest[] orders, int from, int to)
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

    /// <summary>
    /// Drives the original engine <paramref name="a"/> (logging into <paramref name="logA"/>) and the
    /// restored <paramref name="b"/> on from <paramref name="cut"/> to minute 400 with the same events, and
    /// asserts that the restored engine logs exactly what the original logged after the cut.
    /// </summary>
    private static void DriveBothAndCompare(DispatchEngine<EuclideanCeilMinutes> a, DecisionLog logA, DispatchEngine<EuclideanCeilMinutes> b, OrderRequest[] orders, int cut)
    {
        var logB = new DecisionLog();
        logB.Due.AddRange(logA.Due);
        int before = logA.Lines.Count;
        Drive(a, logA, orders, cut, 400);
        Drive(b, logB, orders, cut, 400);
        Assert.Equal(logA.Lines.Skip(before), logB.Lines);
    }

    /// <summary>The scenario of these tests (a v1 snapshot of it is in tests/data/snapshots): 12 sites, 8 couriers,
    /// 120 orders; with <paramref name="windows"/>, deliver-by, pickup-by, deliver-after and service minutes on some.</summary>
    private static OrderRequest[] Setup(DispatchEngine<EuclideanCeilMinutes> a, Random rng, bool windows)
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

    [Theory]
    [InlineData(DispatchProfile.Mdrp, 60, false)]
    [InlineData(DispatchProfile.Mdrp, 95, false)]
    [InlineData(DispatchProfile.General, 70, false)]
    [InlineData(DispatchProfile.General, 70, true)]
    [InlineData(DispatchProfile.General, 97, true)]
    [InlineData(DispatchProfile.Greedy, 80, false)]
    [InlineData(DispatchProfile.Reyes, 62, false)]
    [InlineData(DispatchProfile.Reyes, 83, false)]
    public void A_restored_engine_decides_exactly_like_the_original(DispatchProfile profile, int cut, bool windows)
    {
        var rng = new Random(5);
        var options = new DispatchOptions { Profile = profile };
        var a = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), options);
        var orders = Setup(a, rng, windows);
        var logA = new DecisionLog();
        Drive(a, logA, orders, 0, cut);

        using var snapshot = new MemoryStream();
        a.SaveSnapshot(snapshot);
        snapshot.Position = 0;
        var b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(snapshot, new EuclideanCeilMinutes(320), options);
        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(a.LastTick, b.LastTick);

        DriveBothAndCompare(a, logA, b, orders, cut);
        Assert.Equal(a.Counts, b.Counts);
        Assert.True(a.Counts.Delivered > 40, $"the run delivers: {a.Counts}");
        // The default retention forgets orders finished an hour before: both engines forget the same ones.
        int forgotten = 0;
        for (int i = 0; i < orders.Length; i++)
        {
            bool known = a.TryGetOrder(i, out var va);
            Assert.Equal(known, b.TryGetOrder(i, out var vb));
            Assert.Equal(va, vb);
            if (!known) forgotten++;
        }
        Assert.True(forgotten > 0, "the run outlasts the retention of some finished orders");
    }

    /// <summary>
    /// A version-1 snapshot (before time windows; written by the engine of commit 5229890, see
    /// tests/data/snapshots/README.md) still loads: its orders get no windows and the options' service minutes,
    /// and the engine then decides exactly like one that ran the same events from the start. The improvement
    /// moves are off in both: the engine that wrote the file had none; neither forgets finished orders.
    /// </summary>
    [Theory]
    [InlineData(DispatchProfile.General, 70)]
    [InlineData(DispatchProfile.Mdrp, 60)]
    public void A_version_1_snapshot_still_loads_and_decides_like_the_engine_that_ran_from_the_start(DispatchProfile profile, int cut)
    {
        // The engine that wrote the file kept every order for good (no retention yet).
        // Nor promises in its plan (weight 0) nor the freed courier's rescue value, which came later still.
        var options = new DispatchOptions { Profile = profile, GeneralImprovementMovesPerTick = 0, FinishedOrderRetentionMinutes = double.PositiveInfinity, PromiseLatenessWeight = 0, PromiseBreakCost = 0, FreedCourierRescue = false };
        var (a, orders, logA) = RunToOldSnapshotCut(options, cut);

        string file = OldSnapshot(1, profile, cut);
        using var v1 = File.OpenRead(file);
        var b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(v1, new EuclideanCeilMinutes(320), options);
        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(a.LastTick, b.LastTick);
        // Same state: the new engine's snapshot of either is byte for byte the same.
        using (var sa = new MemoryStream())
        using (var sb = new MemoryStream())
        {
            a.SaveSnapshot(sa);
            b.SaveSnapshot(sb);
            Assert.Equal(sa.ToArray(), sb.ToArray());
        }

        DriveBothAndCompare(a, logA, b, orders, cut);
        Assert.True(a.Counts.Delivered > 40, $"the run delivers: {a.Counts}");
    }

    /// <summary>
    /// A version-3 snapshot (finished orders in their order slots; written by the engine of commit 5e036a1, see
    /// tests/data/snapshots/README.md) still loads under the default retention: it answers for every order as the engine
    /// that ran from the start does, its finished orders move to the history at the next tick, and from there on it
    /// decides exactly like that engine (whose slots were reused earlier: decisions never depend on slots).
    /// </summary>
    [Theory]
    [InlineData(DispatchProfile.Mdrp, 200)]
    [InlineData(DispatchProfile.General, 200)]
    public void A_version_3_snapshot_still_loads_and_its_finished_orders_move_to_the_history(DispatchProfile profile, int cut)
    {
        // The files were written by an engine without promises in its plan (weight 0) and without the freed courier's
        // rescue value (FreedCourierRescue off): this one plans the same way.
        var options = new DispatchOptions { Profile = profile, PromiseLatenessWeight = 0, PromiseBreakCost = 0, FreedCourierRescue = false };
        var (a, orders, logA) = RunToOldSnapshotCut(options, cut);

        string file = OldSnapshot(3, profile, cut);
        using var v3 = File.OpenRead(file);
        var b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(v3, new EuclideanCeilMinutes(320), options);
        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(a.LastTick, b.LastTick);
        Assert.True(a.OrdersInHistory > 0, "the run has finished orders still retained at the cut");
        Assert.Equal(0, b.OrdersInHistory); // version 3 kept them in their slots
        SameOrders(a, b, orders);

        var logB = new DecisionLog();
        logB.Due.AddRange(logA.Due);
        int before = logA.Lines.Count;
        Drive(a, logA, orders, cut, cut + 1);
        Drive(b, logB, orders, cut, cut + 1);
        Assert.Equal(a.OrdersInHistory, b.OrdersInHistory); // moved at the first tick
        SameOrders(a, b, orders);
        Drive(a, logA, orders, cut + 1, 400);
        Drive(b, logB, orders, cut + 1, 400);
        Assert.Equal(logA.Lines.Skip(before), logB.Lines);
        Assert.Equal(a.Counts, b.Counts);
        SameOrders(a, b, orders);
    }

    /// <summary>
    /// A version-4 snapshot (before the exceptions block of version 5; written by the engine of commit f738282, see
    /// tests/data/snapshots/README.md) still loads: no exceptions counted, and it decides exactly like the engine that ran
    /// from the start. A wrong delivery of an order that format kept only in its history is refused naming the format
    /// (it did not keep the order's site and drop-off); one still in the hot store is re-made as usual.
    /// </summary>
    [Theory]
    [InlineData(DispatchProfile.Mdrp, 200)]
    [InlineData(DispatchProfile.General, 200)]
    public void A_version_4_snapshot_still_loads_and_decides_like_the_engine_that_ran_from_the_start(DispatchProfile profile, int cut)
    {
        // The files were written by an engine without promises in its plan (weight 0) and without the freed courier's
        // rescue value (FreedCourierRescue off): this one plans the same way.
        var options = new DispatchOptions { Profile = profile, PromiseLatenessWeight = 0, PromiseBreakCost = 0, FreedCourierRescue = false };
        var (a, orders, logA) = RunToOldSnapshotCut(options, cut);

        string file = OldSnapshot(4, profile, cut);
        DispatchEngine<EuclideanCeilMinutes> Load()
        {
            using var v4 = File.OpenRead(file);
            return DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(v4, new EuclideanCeilMinutes(320), options);
        }
        var b = Load();
        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(default, b.Exceptions);
        Assert.Equal(a.OrdersInHistory, b.OrdersInHistory);
        SameOrders(a, b, orders);
        DriveBothAndCompare(a, logA, b, orders, cut);
        Assert.Equal(a.Counts, b.Counts);

        var c = Load();
        // Most delivered orders are in the history by then (refused); a few are still hot (re-made, or refused while a
        // route still names them): every refusal names its order, and the history's name the format.
        int refusedForFormat = 0;
        foreach (var o in orders.Where(o => c.GetOrderStatus(o.OrderId) == OrderStatus.Delivered).ToList())
        {
            try { c.WrongOrderDelivered(o.OrderId, cut, cut); }
            catch (DispatchException ex)
            {
                Assert.Contains($"order {o.OrderId}", ex.Message);
                if (ex.Message.Contains("format 5", StringComparison.Ordinal)) refusedForFormat++;
            }
        }
        Assert.True(refusedForFormat > 0, "orders kept only in a version-4 history are refused naming the format");
    }

    /// <summary>
    /// A version-6 snapshot (promise errors learnt whole, at delivery, before the commit errors and drifts of version 7;
    /// written by the engine of commit c886de1 with promises out of its plan, see tests/data/snapshots/README.md) still
    /// loads: the same orders as the engine that ran from the start, and the same assignments from then on (promises
    /// weigh nothing in either plan; only the re-quotes may differ, since the loaded calibration holds whole errors and
    /// no drift; no kitchen slips, as a version-7 one). It then learns in the new way and writes a snapshot of the
    /// current format (8) that reads back to itself.
    /// </summary>
    [Theory]
    [InlineData(DispatchProfile.Mdrp, 200)]
    [InlineData(DispatchProfile.General, 200)]
    public void A_version_6_snapshot_still_loads_and_assigns_like_the_engine_that_ran_from_the_start(DispatchProfile profile, int cut)
    {
        var options = new DispatchOptions { Profile = profile, PromiseLatenessWeight = 0, PromiseBreakCost = 0 };
        var a = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), options);
        var orders = Setup(a, new Random(5), windows: false);
        var logA = new DecisionLog();
        Drive(a, logA, orders, 0, cut);

        string file = OldSnapshot(6, profile, cut);
        DispatchEngine<EuclideanCeilMinutes> b;
        using (var v6 = File.OpenRead(file)) b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(v6, new EuclideanCeilMinutes(320), options);
        Assert.Equal(a.Counts, b.Counts);
        SameOrders(a, b, orders);
        for (long id = 0; id < orders.Length; id++)
            if (b.TryGetPromise(id, out var promise)) Assert.True(promise.Promised >= promise.FirstPromised, $"order {id}: {promise}");

        var logB = new DecisionLog();
        logB.Due.AddRange(logA.Due);
        int before = logA.Lines.Count;
        Drive(a, logA, orders, cut, 400);
        Drive(b, logB, orders, cut, 400);
        static bool Assignment(string line) => !line.Contains("Requoted", StringComparison.Ordinal);
        Assert.Equal(logA.Lines.Skip(before).Where(Assignment), logB.Lines.Where(Assignment));
        Assert.Equal(a.Counts, b.Counts);

        CurrentFormatReadsBackToItself(b, options);
    }

    /// <summary>
    /// A version-7 snapshot (promises with commit errors and drifts, before the kitchen slips of version 8; written by the
    /// engine of commit fb8dcef, see tests/data/snapshots/README.md) loads into an engine that decides, re-quotes and
    /// quotes exactly like the one that ran from the start: this scenario's kitchens keep their ready times, so the slips
    /// the running engine learns are all 0 and its margins are those of the loaded one, which learns none for the orders
    /// it loaded. Both make their promises without the demand still to come (format 10), as the engine that wrote the
    /// file did: the loaded rings, spread over the demand bands, then answer for demand band 0 as they did for their wait
    /// band.
    /// </summary>
    [Theory]
    [InlineData(DispatchProfile.Mdrp, 200)]
    [InlineData(DispatchProfile.General, 200)]
    public void A_version_7_snapshot_loads_and_decides_requotes_and_quotes_like_the_engine_that_ran_from_the_start(DispatchProfile profile, int cut)
    {
        // The engine that wrote the file had no break cost of promises yet.
        var options = new DispatchOptions { Profile = profile, PromiseBreakCost = 0 };
        var (a, logA, b, orders) = LoadBesideTheEngineFromTheStart(7, profile, cut, options);
        // Version 7 holds no provisional matching (format 9 does): the loaded engine quotes without one until its first
        // tick makes one, so the engine that ran on forgets its own here to quote the same.
        a.ForgetProvisionalMatching();

        DriveOnAndCompareWithQuotes(a, logA, b, orders, cut);
    }

    /// <summary>
    /// A version-9 snapshot (the planner's provisional matching, before the demand bands and recent placements of version
    /// 10; written by the engine of commit 23d8b1a, see tests/data/snapshots/README.md), the format every server ran
    /// before this one, loads into an engine that decides, re-quotes and quotes exactly like the one that ran from the
    /// start when both make their promises without the demand still to come, as the engine that wrote it did: its
    /// wait-band rings, spread over the demand bands, answer for demand band 0 as they did, and its provisional matching
    /// is read as it was written. With the demand still to come on, the loaded engine starts with none held (the window
    /// fills with the next placements) and quotes on.
    /// </summary>
    [Theory]
    [InlineData(DispatchProfile.Mdrp, 200)]
    [InlineData(DispatchProfile.General, 200)]
    public void A_version_9_snapshot_loads_and_decides_requotes_and_quotes_like_the_engine_that_ran_from_the_start(DispatchProfile profile, int cut)
    {
        var options = new DispatchOptions { Profile = profile };
        var (a, logA, b, orders) = LoadBesideTheEngineFromTheStart(9, profile, cut, options);
        for (int k = 0; k < 12; k++)
            Assert.Equal(a.QuoteDropoff(k % 12, 400 * k, 5000 - 300 * k, cut + 5 + k, cut), b.QuoteDropoff(k % 12, 400 * k, 5000 - 300 * k, cut + 5 + k, cut));

        DriveOnAndCompareWithQuotes(a, logA, b, orders, cut);

        // The demand still to come on (as a server runs): loaded again, the engine places the next orders (which fill
        // its window) and writes a snapshot of the current format that reads back to itself.
        DispatchEngine<EuclideanCeilMinutes> d;
        using (var v9 = File.OpenRead(OldSnapshot(9, profile, cut))) d = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(v9, new EuclideanCeilMinutes(320), options);
        d.PlaceOrder(new OrderRequest(1000, 3, 1000, 1000, cut, cut + 10), cut);
        d.PlaceOrder(new OrderRequest(1001, 4, 2000, 1000, cut, cut + 4), cut);
        Assert.Equal(2, d.RecentPlacementsHeld);
        CurrentFormatReadsBackToItself(d, options);
    }

    /// <summary>An engine run from the start to <paramref name="cut"/> and one loaded from the fixture of format
    /// <paramref name="version"/> written at that cut, both making promises without the demand still to come (as every
    /// engine before format 10 did): the same counts, orders and promises.</summary>
    private static (DispatchEngine<EuclideanCeilMinutes> A, DecisionLog LogA, DispatchEngine<EuclideanCeilMinutes> B, OrderRequest[] Orders)
        LoadBesideTheEngineFromTheStart(int version, DispatchProfile profile, int cut, DispatchOptions options)
    {
        var a = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), options) { ReadsDemandStillToCome = false };
        var orders = Setup(a, new Random(5), windows: false);
        var logA = new DecisionLog();
        Drive(a, logA, orders, 0, cut);

        DispatchEngine<EuclideanCeilMinutes> b;
        using (var old = File.OpenRead(OldSnapshot(version, profile, cut))) b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(old, new EuclideanCeilMinutes(320), options);
        b.ReadsDemandStillToCome = false;
        Assert.Equal(0, b.RecentPlacementsHeld);
        Assert.Equal(a.Counts, b.Counts);
        SameOrders(a, b, orders);
        for (long id = 0; id < orders.Length; id++)
        {
            Assert.Equal(a.TryGetPromise(id, out var pa), b.TryGetPromise(id, out var pb));
            Assert.Equal(pa, pb);
        }
        return (a, logA, b, orders);
    }

    /// <summary>Both engines driven from <paramref name="cut"/> to 400 decide and re-quote alike, and quote alike at 400.</summary>
    private static void DriveOnAndCompareWithQuotes(DispatchEngine<EuclideanCeilMinutes> a, DecisionLog logA, DispatchEngine<EuclideanCeilMinutes> b, OrderRequest[] orders, int cut)
    {
        DriveBothAndCompare(a, logA, b, orders, cut);
        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(a.RequoteCount, b.RequoteCount);
        for (int k = 0; k < 12; k++)
            Assert.Equal(a.QuoteDropoff(k % 12, 400 * k, 5000 - 300 * k, 410 + k, 400), b.QuoteDropoff(k % 12, 400 * k, 5000 - 300 * k, 410 + k, 400));
    }

    /// <summary><paramref name="e"/>'s snapshot is of the current format (10) and reads back to an engine that writes the
    /// same bytes.</summary>
    private static void CurrentFormatReadsBackToItself(DispatchEngine<EuclideanCeilMinutes> e, DispatchOptions options)
    {
        using var current = new MemoryStream();
        e.SaveSnapshot(current);
        Assert.Equal(10, BitConverter.ToInt32(current.ToArray(), 4));
        current.Position = 0;
        var c = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(current, new EuclideanCeilMinutes(320), options);
        using var again = new MemoryStream();
        c.SaveSnapshot(again);
        Assert.Equal(current.ToArray(), again.ToArray());
    }

    private static void SameOrders(DispatchEngine<EuclideanCeilMinutes> a, DispatchEngine<EuclideanCeilMinutes> b, OrderRequest[] orders)
    {
        foreach (var o in orders)
        {
            Assert.Equal(a.TryGetOrder(o.OrderId, out var va), b.TryGetOrder(o.OrderId, out var vb));
            Assert.Equal(va, vb);
        }
    }

    [Fact]
    public void A_snapshot_of_an_unknown_version_is_refused_clearly()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320));
        using var ms = new MemoryStream();
        e.SaveSnapshot(ms);
        byte[] bytes = ms.ToArray();
        BitConverter.GetBytes(99).CopyTo(bytes, 4);
        var ex = Assert.Throws<InvalidDataException>(() => DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(new MemoryStream(bytes), new EuclideanCeilMinutes(320)));
        Assert.Contains("snapshot version 99", ex.Message);
    }

    [Fact]
    public void A_torn_or_foreign_snapshot_is_refused_clearly()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320));
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(1, 0, 0, 0, 100), 0);
        e.PlaceOrder(new OrderRequest(1, 1, 500, 0, 0, 0), 0);
        using var ms = new MemoryStream();
        e.SaveSnapshot(ms);
        byte[] bytes = ms.ToArray();

        var torn = Assert.Throws<InvalidDataException>(() => DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(new MemoryStream(bytes[..^7]), new EuclideanCeilMinutes(320)));
        Assert.Contains("torn", torn.Message);
        var foreign = Assert.Throws<InvalidDataException>(() => DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(new MemoryStream(new byte[64]), new EuclideanCeilMinutes(320)));
        Assert.Contains("not a dispatch engine snapshot", foreign.Message);
        var other = Assert.Throws<InvalidDataException>(() => DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(new MemoryStream(bytes), new EuclideanCeilMinutes(320), new DispatchOptions { Profile = DispatchProfile.General }));
        Assert.Contains("profile Mdrp", other.Message);
    }

    /// <summary>
    /// The engine that runs from the start, up to the cut where the checked-in old snapshots were written (the same
    /// seeded events); it forgets its promise history, which those files predate.
    /// </summary>
    private static (DispatchEngine<EuclideanCeilMinutes> Engine, OrderRequest[] Orders, DecisionLog Log) RunToOldSnapshotCut(DispatchOptions options, int cut)
    {
        var a = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), options);
        var orders = Setup(a, new Random(5), windows: false);
        var log = new DecisionLog();
        Drive(a, log, orders, 0, cut);
        a.ForgetPromiseHistory();
        return (a, orders, log);
    }

    /// <summary>The checked-in snapshot file of format <paramref name="version"/> (tests/data/snapshots/README.md), after
    /// checking that it really is that version.</summary>
    private static string OldSnapshot(int version, DispatchProfile profile, int cut)
    {
        string file = Path.Combine(AppContext.BaseDirectory, "data", "snapshots", $"engine-v{version}-{profile.ToString().ToLowerInvariant()}-{cut}.snapshot");
        Assert.Equal(version, BitConverter.ToInt32(File.ReadAllBytes(file), 4));
        return file;
    }
}
