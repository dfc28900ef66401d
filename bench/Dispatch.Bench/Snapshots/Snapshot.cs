using Dispatch.Simulator.Mdrp;

namespace Dispatch.Bench.Snapshots;

/// <summary>An open order of a snapshot: placed, not yet committed to a courier.</summary>
internal readonly record struct SnapOrder(long Id, int Site, double DropX, double DropY, double PlacedAt, double ReadyAt);

/// <summary>A courier of a snapshot: where and when it is free of committed work, and when its shift ends.</summary>
internal readonly record struct SnapCourier(long Id, double X, double Y, double AvailableAt, double ShiftEnd);

/// <summary>How a snapshot engine treats the couriers that are idle at <see cref="Snapshot.Now"/>.</summary>
internal enum SnapshotMode
{
    /// <summary>As the snapshot says: idle couriers can be sent at Now, so the tick at Now commits.</summary>
    AsIs,

    /// <summary>
    /// Every courier is free one minute after Now at the earliest: the tick at Now plans everything
    /// (candidates, both matchings, bundling) and commits nothing, so it can be repeated on an
    /// unchanged state as often as a benchmark wants.
    /// </summary>
    PlanningOnly,
}

/// <summary>
/// A frozen dispatch situation at minute <see cref="Now"/>: the open orders and the couriers that can
/// take them (each at the point and time its committed work ends). Committed, not yet delivered
/// orders are not part of it: whatever solver looks at the snapshot cannot change them.
/// </summary>
internal sealed class Snapshot
{
    /// <summary>Couriers count if they are free within this many minutes of Now. One minute short of the
    /// engine's 45-minute look-ahead, so the candidate set is the same at Now - 1 and at Now (see <see cref="BuildEngine"/>).</summary>
    public const double CourierWindowMinutes = 44;

    public required string Name { get; init; }
    public required double Now { get; init; }
    public required MdrpParameters Parameters { get; init; }
    public required double[] SiteX { get; init; }
    public required double[] SiteY { get; init; }
    public required SnapOrder[] Orders { get; init; }
    public required SnapCourier[] Couriers { get; init; }

    public int IdleCouriers => Couriers.Count(c => c.AvailableAt <= Now);

    public EuclideanCeilMinutes Travel => new(Parameters.MetersPerMinute);

    /// <summary>Engine options for this snapshot: the trace's parameters, room for every order, courier and site, and the
    /// second core for large ticks (the benchmarks measure the tick as a host that owns two cores would run it).</summary>
    public DispatchOptions EngineOptions(DispatchProfile profile = DispatchProfile.Mdrp) => new()
    {
        Profile = profile,
        PickupServiceMinutes = Parameters.PickupServiceMinutes,
        DropoffServiceMinutes = Parameters.DropoffServiceMinutes,
        TargetClickToDoorMinutes = Parameters.TargetClickToDoor,
        MaxClickToDoorMinutes = Parameters.MaxClickToDoor,
        TickIntervalMinutes = 1,
        InitialOrderCapacity = Orders.Length + 16,
        InitialCourierCapacity = Couriers.Length + 16,
        InitialSiteCapacity = SiteX.Length + 16,
        UseSecondCore = true,
    };

    /// <summary>
    /// A fresh engine holding exactly this snapshot: every site, every courier as a shift starting when
    /// it is free (at its free point), every open order. Nothing has ticked yet.
    /// </summary>
    /// <remarks>
    /// A fresh engine grows its tick buffers (candidate grid, and the matching solver past 4,096 rows) in
    /// its first tick. A benchmark that wants the steady state warms it with <see cref="WarmUp"/> first.
    /// </remarks>
    public DispatchEngine<EuclideanCeilMinutes> BuildEngine(SnapshotMode mode, DispatchOptions? options = null)
    {
        var engine = new DispatchEngine<EuclideanCeilMinutes>(Travel, options ?? EngineOptions());
        for (int s = 0; s < SiteX.Length; s++) engine.AddSite(s, SiteX[s], SiteY[s]);
        foreach (var c in Couriers)
        {
            double start = mode == SnapshotMode.PlanningOnly ? Math.Min(Math.Max(c.AvailableAt, Now + 1), c.ShiftEnd) : c.AvailableAt;
            engine.CourierOnShift(new CourierShift(c.Id, c.X, c.Y, start, c.ShiftEnd), Now);
        }
        foreach (var o in Orders)
            engine.PlaceOrder(new OrderRequest(o.Id, o.Site, o.DropX, o.DropY, o.PlacedAt, o.ReadyAt), Now);
        return engine;
    }

    /// <summary>
    /// Sizes an <see cref="SnapshotMode.AsIs"/> engine's tick buffers without changing its state: a tick
    /// at Now - 1, when no courier is idle yet (every shift starts at Now or later), plans the same
    /// couriers and every order placed before Now, and commits nothing.
    /// </summary>
    public void WarmUp(DispatchEngine<EuclideanCeilMinutes> engine)
    {
        var sink = new NullSink();
        engine.Tick(Now - 1, ref sink);
        if (sink.Assignments != 0) throw new InvalidOperationException($"{Name}: the warm-up tick at {Now - 1} committed {sink.Assignments} assignments");
    }

    public override string ToString() =>
        $"{Name}: minute {Now}, {Orders.Length} open orders, {Couriers.Length} couriers ({IdleCouriers} idle now), {SiteX.Length} sites";
}
