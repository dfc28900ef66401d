using System.Runtime.InteropServices;

namespace Dispatch.Simulator.World;

/// <summary>
/// Couriers that do exactly what the engine planned (the MDRP world): every pickup and drop-off the
/// engine hands out is confirmed at its planned service time. A later plan for the same stop (a route
/// update under the General profile) supersedes the earlier one: the earlier event stays queued but is
/// no longer the latest (<see cref="IsLatest"/>), so a stop is never confirmed twice.
/// Stops heard during a tick are buffered in preallocated arrays, so the sink adds nothing to the
/// tick's allocations, and scheduled after it (<see cref="ScheduleConfirmations{TTravel}"/>).
/// </summary>
public sealed class PlanFollowers(int capacity)
{
    private StopKind[] _kind = new StopKind[capacity];
    private long[] _order = new long[capacity], _courier = new long[capacity];
    private double[] _at = new double[capacity];
    private int _count;
    private readonly Dictionary<(long Order, StopKind Kind), int> _version = new();
    private readonly Dictionary<long, long> _courierOf = new();

    /// <summary>Called from a sink during the tick: the assignment's stops, to be confirmed at their planned times.</summary>
    public void Add(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
    {
        for (int i = 0; i < stops.Length; i++)
        {
            if (_count == _kind.Length)
            {
                // Only if a caller undersized it: one tick's stops fit in the capacity the replays give.
                int n = Math.Max(16, _count * 2);
                Array.Resize(ref _kind, n); Array.Resize(ref _order, n); Array.Resize(ref _courier, n); Array.Resize(ref _at, n);
            }
            _kind[_count] = stops[i].Kind; _order[_count] = stops[i].OrderId; _courier[_count] = assignment.CourierId; _at[_count] = stops[i].ServiceAt;
            _count++;
        }
    }

    /// <summary>After the tick: queues the confirmations of the stops heard during it.</summary>
    public void ScheduleConfirmations<TTravel>(WorldDriver<TTravel> driver) where TTravel : struct, ITravelTime
    {
        for (int i = 0; i < _count; i++) Schedule(driver, _courier[i], _kind[i], _order[i], _at[i]);
        _count = 0;
    }

    /// <summary>Queues the confirmation of one planned stop at its service time (never before now), superseding any earlier plan for it.</summary>
    public void Schedule<TTravel>(WorldDriver<TTravel> driver, long courier, StopKind kind, long order, double serviceAt) where TTravel : struct, ITravelTime
    {
        ref int version = ref CollectionsMarshal.GetValueRefOrAddDefault(_version, (order, kind), out _);
        version++;
        _courierOf[order] = courier;
        driver.Schedule(Math.Max(driver.Now, serviceAt), kind == StopKind.Pickup ? WorldEventKind.PlannedPickup : WorldEventKind.PlannedDropoff, order, version);
    }

    /// <summary>False for a confirmation that a later plan superseded.</summary>
    public bool IsLatest(in WorldEvent e) =>
        _version.TryGetValue((e.Id, e.Kind == WorldEventKind.PlannedPickup ? StopKind.Pickup : StopKind.Dropoff), out int v) && v == e.Version;

    /// <summary>The courier of the latest plan for <paramref name="order"/>.</summary>
    public long CourierOf(long order) => _courierOf[order];
}
