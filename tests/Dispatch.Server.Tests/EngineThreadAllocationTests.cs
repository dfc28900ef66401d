using Dispatch.Protocol;
using Dispatch.Server.Buffers;
using Dispatch.Server.Engine;
using Dispatch.Server.Journal;
using Dispatch.Server.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dispatch.Server.Tests;

/// <summary>
/// The engine thread's path for a position update allocates nothing once warm: taking commands from the inbox, the
/// router and engine, the journal append and commit, the Ack, handing the batch's replies over, and sleeping until the
/// next command (<see cref="WakingInbox"/>). Read on the engine thread itself: the probe's <see cref="ReplyTarget.Send"/>
/// runs there at the end of every batch (under Interval and Never), so the difference between two of its readings is
/// everything that thread allocated for one batch. Under Always the replies leave from the journal-sync thread
/// (<see cref="GroupCommitSyncer"/>), so there the readings cover that thread's part: the fsync and the hand-over.
/// Alone, not beside other test classes: see <see cref="AllocationCollection"/>. A batch during which a collection ran is
/// left out: a collection started by another thread retires this thread's allocation buffer, and its unused rest can
/// then be counted without this thread allocating (a clean-clone run read this once, on a loaded machine). Core's
/// allocation tests skip such passes the same way.
/// </summary>
[Collection(AllocationCollection.Name)]
public class EngineThreadAllocationTests
{
    private const int Warmup = 300;
    private const int Measured = 300;

    [Theory]
    [InlineData(FsyncPolicy.Interval)]
    [InlineData(FsyncPolicy.Never)]
    [InlineData(FsyncPolicy.Always)]
    public async Task A_batch_of_position_updates_allocates_nothing_on_the_engine_thread(FsyncPolicy fsync)
    {
        string dir = TestServer.NewDataDirectory();
        var options = new ServerOptions
        {
            DataDirectory = dir,
            Clock = ClockMode.Manual,
            Fsync = fsync,
            SnapshotEveryRecords = 0, // a snapshot copies the engine's state (an allocation by design, between batches)
            SnapshotEveryEngineMilliseconds = 0,
        };
        using var metrics = new ServerMetrics();
        var host = new EngineHost(options, NullLogger.Instance, metrics, TimeProvider.System);
        var probe = new Probe(4 * (Warmup + Measured) + 64); // a batch of four may come back in up to four pieces
        try
        {
            host.Start();
            uint rid = 0;
            Post(host, probe, Command.AddSite(++rid, 1, 1000, 1000));
            for (int c = 1; c <= 10; c++) Post(host, probe, Command.CourierOnShift(++rid, c, 1000 + c, 1000, 0, 100_000));
            var random = new Random(7);
            int mark = 0;
            for (int batch = 0; batch < Warmup + Measured; batch++)
            {
                if (batch == Warmup) mark = probe.Marks;
                // A few updates posted together, as a connection's read loop posts what one socket read brought.
                for (int i = 0; i < 4; i++)
                    Assert.True(host.Inbox.TryWrite(InboxItem.Request(Command.UpdateCourierPosition(++rid, 1 + random.Next(10), 1000 + random.Next(4000), 1000 + random.Next(4000)), probe)));
                probe.WaitForFrames((int)rid);
            }
            int last = probe.Marks - 1;
            Assert.True(last - mark >= Measured - 1, $"{last - mark} batches measured");
            Assert.Equal(0, probe.Errors);
            long allocated = 0;
            int quiet = 0;
            for (int m = mark; m < last; m++)
            {
                if (probe.CollectionsAt(m + 1) != probe.CollectionsAt(m)) continue;
                allocated += probe.AllocatedAt(m + 1) - probe.AllocatedAt(m);
                quiet++;
            }
            Assert.True(quiet >= Measured / 2, $"a collection ran during {last - mark - quiet} of {last - mark} batches");
            Assert.True(allocated == 0, $"the engine thread allocated {allocated} bytes over {quiet} batches of position updates (of {last - mark}; the others saw a collection)");
        }
        finally
        {
            await host.CompleteAsync().WaitAsync(TestServer.Timeout);
            host.Dispose();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static void Post(EngineHost host, Probe probe, in Command command)
    {
        Assert.True(host.Inbox.TryWrite(InboxItem.Request(command, probe)));
        probe.WaitForFrames((int)command.RequestId);
    }

    /// <summary>A connection as the engine sees it: counts the frames it gets and reads the engine thread's allocation counter at each batch.</summary>
    private sealed class Probe(int capacity) : ReplyTarget
    {
        private readonly long[] _allocated = new long[capacity];
        private readonly int[] _collections = new int[capacity];
        private readonly SemaphoreSlim _sent = new(0);
        private int _frames;
        private int _marks;
        private int _errors;

        public override string Name => "probe";

        public int Marks => Volatile.Read(ref _marks);

        public int Errors => Volatile.Read(ref _errors);

        public long AllocatedAt(int mark) => _allocated[mark];

        /// <summary>Gen-0 collections counted when the mark was read (a batch is measured only between equal counts).</summary>
        public int CollectionsAt(int mark) => _collections[mark];

        public override void Send(ArraySegment<byte> frames, int frameCount)
        {
            // First, before anything here could allocate: the engine thread's total so far.
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            int collections = GC.CollectionCount(0);
            // Every reply is a single-frame Ack or Error: the type is the second byte of the MessagePack array after the prefix.
            for (int at = frames.Offset; at < frames.Offset + frames.Count;)
            {
                int length = (frames.Array![at] << 24) | (frames.Array[at + 1] << 16) | (frames.Array[at + 2] << 8) | frames.Array[at + 3];
                if (frames.Array[at + 5] == (byte)MessageType.Error) _errors++;
                at += ProtocolConstants.HeaderBytes + length;
            }
            ServerBuffers.Frames.Return(frames.Array!);
            if (_marks < _allocated.Length)
            {
                _allocated[_marks] = allocated;
                _collections[_marks] = collections;
            }
            Volatile.Write(ref _marks, _marks + 1);
            Interlocked.Add(ref _frames, frameCount);
            _sent.Release();
        }

        public override void CompleteOutbound() { }

        /// <summary>Waits until <paramref name="count"/> replies in all came (request ids are 1, 2, ...: one reply each).</summary>
        public void WaitForFrames(int count)
        {
            while (Volatile.Read(ref _frames) < count)
                Assert.True(_sent.Wait(TestServer.Timeout), $"{Volatile.Read(ref _frames)} of {count} replies");
        }
    }
}
