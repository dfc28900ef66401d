using System.Buffers;
using System.IO.Pipelines;
using Dispatch.Server.Buffers;
using FsCheck;
using FsCheck.Xunit;

namespace Dispatch.Server.Tests.Buffers;

/// <summary>
/// The reply path's pool: bounded per size, gives back what lay unused for a whole trim interval, never hands one array
/// to two renters, allocates nothing once warm; and the pipes really take their segments from it.
/// </summary>
public class TrimmingArrayPoolTests
{
    private static TrimmingArrayPool Pool(long bytesPerSize = 1 << 20) => new(bytesPerSize, Timeout.InfiniteTimeSpan);

    [Fact]
    public void Rented_arrays_are_powers_of_two_from_128_bytes_and_come_back_to_the_next_renter()
    {
        var pool = Pool();
        Assert.Empty(pool.Rent(0));
        Assert.Equal(128, pool.Rent(1).Length);
        Assert.Equal(128, pool.Rent(128).Length);
        Assert.Equal(256, pool.Rent(129).Length);
        Assert.Equal(4 << 20, pool.Rent(3 << 20).Length);
        var a = pool.Rent(5000);
        Assert.Equal(8192, a.Length);
        pool.Return(a);
        Assert.Equal(8192, pool.HeldBytes);
        Assert.Same(a, pool.Rent(4097));
        Assert.Equal(0, pool.HeldBytes);
    }

    [Fact]
    public void Arrays_past_the_largest_size_or_of_a_foreign_length_are_left_to_the_collector()
    {
        var pool = Pool();
        var big = pool.Rent((4 << 20) + 1);
        Assert.Equal((4 << 20) + 1, big.Length); // exactly what was asked, not pooled
        pool.Return(big);
        pool.Return(new byte[1000]);
        pool.Return(new byte[64]); // below the smallest size
        Assert.Equal(0, pool.HeldBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(-1));
    }

    [Fact]
    public void Each_size_holds_at_most_its_share()
    {
        var pool = Pool(bytesPerSize: 64 * 1024);
        var arrays = new byte[300][];
        for (int i = 0; i < arrays.Length; i++) arrays[i] = new byte[16 * 1024];
        foreach (var a in arrays) pool.Return(a);
        Assert.Equal(64 * 1024, pool.HeldBytes); // 4 arrays of 16 KiB: the budget
        for (int i = 0; i < arrays.Length; i++) arrays[i] = new byte[128];
        foreach (var a in arrays) pool.Return(a);
        Assert.Equal(64 * 1024 + 256 * 128, pool.HeldBytes); // never more than 256 of a size
    }

    [Fact]
    public void A_trim_drops_the_arrays_unused_since_the_previous_trim_and_keeps_the_working_set()
    {
        var pool = Pool();
        var burst = new byte[10][];
        for (int i = 0; i < burst.Length; i++) burst[i] = pool.Rent(1000);
        foreach (var a in burst) pool.Return(a);
        Assert.Equal(10 * 1024, pool.HeldBytes);

        pool.Trim(); // the ten were all used in this interval
        Assert.Equal(10 * 1024, pool.HeldBytes);

        for (int round = 0; round < 5; round++) // a steady load of three at a time
        {
            var three = new[] { pool.Rent(1000), pool.Rent(1000), pool.Rent(1000) };
            foreach (var a in three) pool.Return(a);
        }
        pool.Trim();
        Assert.Equal(3 * 1024, pool.HeldBytes);

        pool.Trim(); // a quiet interval
        Assert.Equal(0, pool.HeldBytes);
    }

    [Fact]
    public void The_trim_timer_gives_an_idle_pool_back()
    {
        var time = new ManualTime();
        var pool = new TrimmingArrayPool(1 << 20, TimeSpan.FromSeconds(10), time);
        pool.Return(pool.Rent(20_000));
        Assert.Equal(32 * 1024, pool.HeldBytes);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(32 * 1024, pool.HeldBytes); // returned during the first interval: kept once
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, pool.HeldBytes);
        pool.StopTrimming();
    }

    [Fact]
    public void Renting_and_returning_a_warm_size_allocates_nothing()
    {
        var pool = Pool();
        var blocks = new PipeBlockPool(pool, 1 << 20);
        pool.Return(pool.Rent(3000));
        blocks.Rent(16 * 1024).Dispose();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            var a = pool.Rent(3000);
            pool.Return(a);
            var b = blocks.Rent(16 * 1024);
            b.Dispose();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_block_disposed_twice_goes_back_once_and_refuses_use_after_return()
    {
        var pool = Pool();
        var blocks = new PipeBlockPool(pool, 1 << 20);
        Assert.Equal(128, blocks.Rent(100).Memory.Length);
        var block = blocks.Rent();
        Assert.Equal(4096, block.Memory.Length); // the default block
        block.Dispose();
        block.Dispose();
        Assert.Equal(4096, pool.HeldBytes);
        Assert.Throws<ObjectDisposedException>(() => block.Memory);
        Assert.Throws<ArgumentOutOfRangeException>(() => blocks.Rent((1 << 20) + 1));
    }

    [Fact]
    public async Task A_connections_pipes_take_their_segments_from_the_pool_and_give_them_back()
    {
        var pool = Pool();
        var blocks = new PipeBlockPool(pool, 1 << 20);
        var sink = new MemoryStream();
        var writer = PipeWriter.Create(sink, new StreamPipeWriterOptions(blocks, minimumBufferSize: 16 * 1024, leaveOpen: true));
        var payload = new byte[100_000];
        Random.Shared.NextBytes(payload);
        writer.Write(payload);
        await writer.FlushAsync();
        await writer.CompleteAsync();
        Assert.Equal(payload, sink.ToArray());
        Assert.True(pool.HeldBytes >= 16 * 1024, $"held {pool.HeldBytes}");

        long held = pool.HeldBytes;
        var reader = PipeReader.Create(new MemoryStream(payload), new StreamPipeReaderOptions(blocks, bufferSize: 16 * 1024, minimumReadSize: 4 * 1024));
        var read = new MemoryStream();
        while (true)
        {
            var r = await reader.ReadAsync();
            foreach (var m in r.Buffer) read.Write(m.Span);
            reader.AdvanceTo(r.Buffer.End);
            if (r.IsCompleted) break;
        }
        await reader.CompleteAsync();
        Assert.Equal(payload, read.ToArray());
        Assert.Equal(held, pool.HeldBytes); // the reader's segments came from the pool's held arrays and went back
    }

    /// <summary>Random rents, returns and trims: no array is ever handed to two renters, every array is long enough,
    /// the pool never holds more than its budget, and two quiet trims empty it.</summary>
    [Property(MaxTest = 200)]
    public void Never_the_same_array_twice_never_over_budget_empty_after_two_quiet_trims(NonEmptyArray<int> script)
    {
        const long budget = 32 * 1024;
        var pool = Pool(budget);
        var rented = new List<byte[]>();
        var out_ = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        foreach (int step in script.Get)
        {
            int op = (step & int.MaxValue) % 8;
            if (op < 4)
            {
                int want = ((step >> 3) & int.MaxValue) % 70_000;
                var a = pool.Rent(want);
                Assert.True(a.Length >= want);
                if (a.Length > 0) Assert.True(out_.Add(a), "an array handed out twice");
                rented.Add(a);
            }
            else if (op < 7 && rented.Count > 0)
            {
                int at = ((step >> 3) & int.MaxValue) % rented.Count;
                var a = rented[at];
                rented.RemoveAt(at);
                out_.Remove(a);
                pool.Return(a);
            }
            else pool.Trim();
            long cap = 0;
            for (int size = 128; size <= 4 << 20; size *= 2) cap += Math.Clamp(budget / size, 4, 256) * size;
            Assert.True(pool.HeldBytes <= cap);
        }
        pool.Trim();
        pool.Trim();
        Assert.Equal(0, pool.HeldBytes);
    }

    private sealed class ManualTime : TimeProvider
    {
        private readonly List<(TimerCallback Callback, object? State, TimeSpan Period, TimeSpan Due)> _timers = new();
        private TimeSpan _now;

        public void Advance(TimeSpan by)
        {
            _now += by;
            for (int i = 0; i < _timers.Count; i++)
            {
                var t = _timers[i];
                while (t.Due <= _now)
                {
                    t.Callback(t.State);
                    t.Due += t.Period;
                }
                _timers[i] = t;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _timers.Add((callback, state, period, _now + dueTime));
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
