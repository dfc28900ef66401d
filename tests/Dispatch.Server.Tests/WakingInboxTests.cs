using System.Threading.Channels;
using Dispatch.Protocol;
using Dispatch.Server.Engine;

namespace Dispatch.Server.Tests;

/// <summary>
/// The engine thread's sleep (<see cref="WakingInbox.Sleep"/>) never misses a command: writers racing with the sleeper
/// always wake it. The sleeper here waits without a timeout, so a single lost wake-up would hang it and the test would
/// fail at its liveness limit (a bound on hanging, not a speed requirement).
/// </summary>
public class WakingInboxTests
{
    [Fact]
    public async Task Racing_writers_always_wake_the_sleeping_reader()
    {
        const int Writers = 4, PerWriter = 20_000;
        var channel = Channel.CreateBounded<InboxItem>(new BoundedChannelOptions(64)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            AllowSynchronousContinuations = false,
        });
        var inbox = new WakingInbox(channel);
        int read = 0, sleeps = 0;
        var reader = new Thread(() =>
        {
            while (true)
            {
                while (channel.Reader.TryRead(out _)) read++;
                if (channel.Reader.Completion.IsCompleted) return;
                sleeps++;
                inbox.Sleep(Timeout.Infinite);
            }
        }) { IsBackground = true, Name = "waking-inbox-reader" };
        reader.Start();

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (int i = 0; i < PerWriter; i++)
            {
                await inbox.WriteAsync(InboxItem.Request(Command.Ping((uint)i + 1), null!));
                // Now and then a pause, so the reader runs dry and goes to sleep between writes.
                if (random.Next(8) == 0) Thread.Yield();
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(TestServer.Timeout);
        inbox.TryComplete();
        Assert.True(reader.Join(TestServer.Timeout), $"the reader hangs asleep after {Volatile.Read(ref read)} of {Writers * PerWriter} items");
        Assert.Equal(Writers * PerWriter, read);
        Assert.True(sleeps > 0);
    }
}
