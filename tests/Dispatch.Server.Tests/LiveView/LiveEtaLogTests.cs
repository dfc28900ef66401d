using Dispatch.Model;
using Dispatch.Server.LiveView;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>The ETA changes' log: read in order, what a reader missed is counted, a copy the writer lapped is never used.</summary>
public class LiveEtaLogTests
{
    private static PlanChange Eta(long order, double at) => new(PlanChangeKind.EtaChanged, order, 7, at, PlanChangeReason.CourierBehind, at - 1, at);

    [Fact]
    public void A_reader_that_keeps_up_gets_every_change_in_order_and_one_that_fell_behind_counts_the_rest()
    {
        var log = new LiveEtaLog(8);
        var buffer = new EtaEntry[16];
        long cursor = 0;
        for (int i = 0; i < 5; i++) log.Write(Eta(i, i), ringHead: 100 + i);
        int n = log.Read(ref cursor, buffer, out long lost);
        Assert.Equal((5, 0L, 5L), (n, lost, cursor));
        Assert.Equal([0L, 1, 2, 3, 4], buffer[..5].Select(e => e.Order));
        Assert.Equal(104, buffer[4].RingSeq);
        Assert.Equal(PlanChangeReason.CourierBehind, buffer[4].Reason);
        Assert.Equal(0, log.Read(ref cursor, buffer, out _));
        for (int i = 5; i < 25; i++) log.Write(Eta(i, i), 0);
        n = log.Read(ref cursor, buffer, out lost);
        Assert.Equal(12, lost); // 20 written, the log holds 8: the reader goes on from the newest
        Assert.Equal(Enumerable.Range(17, 8).Select(i => (long)i), buffer[..n].Select(e => e.Order));
    }

    [Fact]
    public async Task A_reader_racing_the_writer_never_uses_a_torn_entry()
    {
        var log = new LiveEtaLog(256);
        using var stop = new CancellationTokenSource();
        // Bursts (as a tick's) bigger than the log, then a breath: the reader races some and is lapped by others.
        var writer = Task.Factory.StartNew(() =>
        {
            for (long k = 1; !stop.IsCancellationRequested;)
            {
                for (int b = 0; b < 300; b++, k++) log.Write(new PlanChange(PlanChangeKind.EtaChanged, k, k, k, PlanChangeReason.None, k, k), k);
                Thread.Yield();
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default); // its own thread: the reader below spins
        var buffer = new EtaEntry[16];
        long cursor = 0, read = 0, lost = 0;
        var until = DateTime.UtcNow.AddMilliseconds(300);
        while (DateTime.UtcNow < until || (read == 0 && DateTime.UtcNow < until.AddSeconds(10)))
        {
            int n = log.Read(ref cursor, buffer, out long l);
            lost += l;
            for (int i = 0; i < n; i++)
            {
                var e = buffer[i];
                Assert.True(e.Order == e.Courier && e.Courier == e.RingSeq && e.Drop == e.Order && e.Previous == e.Order, $"torn entry {e.Order} {e.Courier} {e.RingSeq} {e.Drop}");
                read++;
            }
        }
        stop.Cancel();
        await writer;
        Assert.True(read > 0, $"read {read}, lost {lost}, cursor {cursor}, head {log.Head}");
        Assert.Equal(cursor, read + lost); // every entry the cursor passed was either read whole or counted
    }
}
