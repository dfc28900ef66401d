namespace Dispatch.Core.Tests;

/// <summary>
/// The tick allocates nothing in a busy steady state: 300 couriers, 2000 orders over the run, a struct
/// sink writing into preallocated buffers. Only the <c>Tick</c> calls are measured; placements and
/// confirmations happen between ticks, outside the measured region.
/// </summary>
[Collection(AllocationCollection.Name)]
public class DispatchTickAllocationTests
{
    private const int Couriers = 300, Orders = 2000, Sites = 40;
    private const int WarmupTicks = 300, MeasuredTicks = 200;

    /// <summary>Preallocated storage for what the sink hears; drained between ticks.</summary>
    private sealed class Buffer
    {
        public readonly byte[] Kind = new byte[1 << 16];
        public readonly long[] Order = new long[1 << 16];
        public readonly double[] At = new double[1 << 16];
        public int Count;
        public int Changes;
        /// <summary>Makes the sink allocate: proves the measurement would see an allocation in the tick.</summary>
        public bool Allocate;
        public static object? Sunk;
    }

    private struct BufferSink(Buffer buffer) : IAssignmentSink
    {
        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops)
        {
            var b = buffer;
            if (b.Allocate) Buffer.Sunk = new byte[16];
            for (int i = 0; i < stops.Length; i++)
            {
                ref readonly PlannedStop s = ref stops[i];
                b.Kind[b.Count] = (byte)s.Kind;
                b.Order[b.Count] = s.OrderId;
                b.At[b.Count] = s.ServiceAt;
                b.Count++;
            }
        }

        public void OnPlanChange(in PlanChange change) => buffer.Changes++;
    }

    /// <summary>Drives the engine minute by minute; returns the bytes allocated inside the measured ticks.
    /// <paramref name="moves"/>: the general profile's improvement budget (null: the default); <paramref name="windows"/>:
    /// every order must be delivered within 60 minutes of ready, a third also picked up within 20.</summary>
    private static (long Bytes, int Delivered, int Committed, long MovesApplied, int Slots) Run(DispatchProfile profile, bool allocatingSink = false, int? moves = null, bool windows = false)
    {
        var rng = new Random(42);
        var options = new DispatchOptions { Profile = profile };
        if (moves is int m) options = options with { GeneralImprovementMovesPerTick = m };
        var engine = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), options);
        for (int s = 0; s < Sites; s++) engine.AddSite(s, rng.Next(0, 8000), rng.Next(0, 8000));
        for (int c = 0; c < Couriers; c++) engine.CourierOnShift(new CourierShift(c, rng.Next(0, 8000), rng.Next(0, 8000), 0, 2000), 0);
        // Orders spread over the first 700 minutes (about 3 a minute), ready 5-25 minutes after placement.
        var orders = Enumerable.Range(0, Orders)
            .Select(i => { int placed = rng.Next(0, 700); return new OrderRequest(i, rng.Next(0, Sites), rng.Next(0, 8000), rng.Next(0, 8000), placed, placed + rng.Next(5, 26)); })
            .Select(o => windows ? o with { DeliverBy = o.ReadyAt + 60, PickupBy = o.OrderId % 3 == 0 ? o.ReadyAt + 20 : double.PositiveInfinity } : o)
            .OrderBy(o => o.PlacedAt).ToArray();

        var buffer = new Buffer { Allocate = allocatingSink };
        var sink = new BufferSink(buffer);
        var pending = new PriorityQueue<(byte Kind, long Order), double>();
        var picked = new HashSet<long>();
        int next = 0, committed = 0, measured = 0;
        long bytes = 0;
        for (int t = 0; t < WarmupTicks + MeasuredTicks; t++)
        {
            // Events of minute t, before its tick (outside the measured region).
            while (pending.TryPeek(out var ev, out double at) && at <= t)
            {
                pending.Dequeue();
                if (ev.Kind == (byte)StopKind.Pickup) { if (picked.Add(ev.Order)) engine.ConfirmPickup(ev.Order, at); }
                else if (engine.GetOrderStatus(ev.Order) == OrderStatus.PickedUp) engine.ConfirmDropoff(ev.Order, at);
            }
            while (next < orders.Length && orders[next].PlacedAt <= t) { engine.PlaceOrder(orders[next], t); next++; }

            int collections = GC.CollectionCount(0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            committed += engine.Tick(t, ref sink);
            long after = GC.GetAllocatedBytesForCurrentThread();
            // A collection during the tick can count the unused rest of the thread's allocation
            // buffer; such a tick is not measured (the caller checks that most ticks were).
            if (t >= WarmupTicks && GC.CollectionCount(0) == collections) { bytes += after - before; measured++; }

            for (int i = 0; i < buffer.Count; i++)
                if (!(buffer.Kind[i] == (byte)StopKind.Pickup && picked.Contains(buffer.Order[i])))
                    pending.Enqueue((buffer.Kind[i], buffer.Order[i]), buffer.At[i]);
            buffer.Count = 0;
        }
        Assert.True(measured >= MeasuredTicks * 3 / 4, $"only {measured} of {MeasuredTicks} ticks ran without a collection");
        return (bytes, engine.Counts.Delivered, committed, engine.ImprovementMoves.Applied, engine.OrderSlots);
    }

    [Theory]
    [InlineData(DispatchProfile.Mdrp)]
    [InlineData(DispatchProfile.Greedy)]
    [InlineData(DispatchProfile.General)]
    [InlineData(DispatchProfile.Reyes)]
    public void The_tick_allocates_nothing_in_steady_state(DispatchProfile profile)
    {
        var (bytes, delivered, committed, _, slots) = RunConfirmed(() => Run(profile));
        // The run really is busy: work is committed and delivered throughout.
        Assert.True(committed > 300, $"only {committed} assignments");
        Assert.True(delivered > 300, $"only {delivered} deliveries");
        // Finished orders were forgotten and their slots reused inside the measured ticks (default retention, 60 minutes).
        Assert.True(slots < delivered, $"{slots} order slots for {delivered} deliveries");
        Assert.Equal(0, bytes);
    }

    /// <summary>The general profile with its improvement moves (default and four times the default budget), with and without time windows.</summary>
    [Theory]
    [InlineData(DispatchOptions.DefaultGeneralImprovementMovesPerTick, false)]
    [InlineData(4 * DispatchOptions.DefaultGeneralImprovementMovesPerTick, false)]
    [InlineData(DispatchOptions.DefaultGeneralImprovementMovesPerTick, true)]
    public void The_general_tick_with_improvement_moves_allocates_nothing(int moves, bool windows)
    {
        var (bytes, delivered, committed, applied, _) = RunConfirmed(() => Run(DispatchProfile.General, moves: moves, windows: windows));
        Assert.True(committed > 300, $"only {committed} assignments");
        Assert.True(delivered > 300, $"only {delivered} deliveries");
        Assert.True(applied > 20, $"only {applied} improvement moves applied");
        Assert.Equal(0, bytes);
    }

    /// <summary>
    /// A run that measured bytes is run once more, on a fresh engine with the same inputs, and the smaller count
    /// stands. The engine is deterministic, so an allocation of its own (in the tick, or a buffer a fresh engine grows)
    /// comes back in the second run at the same ticks; what the runtime charges to this thread from outside does not.
    /// In CI, with no collection counted during the tick, one measured tick of the 256-move general run once read
    /// 7,864 B, and the same test passed alone and under load in every other run: the unused rest of this thread's
    /// allocation buffer, retired by work on another thread (see <see cref="AllocationCollection"/>).
    /// </summary>
    private static (long Bytes, int Delivered, int Committed, long MovesApplied, int Slots) RunConfirmed(Func<(long Bytes, int Delivered, int Committed, long MovesApplied, int Slots)> run)
    {
        var first = run();
        if (first.Bytes == 0) return first;
        var second = run();
        return second.Bytes < first.Bytes ? second : first;
    }

    [Fact]
    public void The_measurement_sees_an_allocation_inside_the_tick()
    {
        var (bytes, _, committed, _, _) = RunConfirmed(() => Run(DispatchProfile.Greedy, allocatingSink: true));
        Assert.True(bytes > 0 && committed > 0, $"{bytes} bytes measured with a sink that allocates");
    }
}
