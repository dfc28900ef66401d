using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests;

/// <summary>The real server as a child process, killed with SIGKILL mid-stream, restarted on the same data directory.</summary>
public class CrashTests
{
    [Theory]
    [InlineData("Never")]
    [InlineData("Always")]
    public async Task Kill_9_mid_stream_loses_no_acknowledged_order(string fsync)
    {
        string dir = TestServer.NewDataDirectory();
        Directory.CreateDirectory(dir);
        try
        {
            var acked = new ConcurrentBag<long>();
            using (var server = await ChildServer.StartAsync(dir, "--fsync", fsync))
            {
                await using var c = await DispatchClient.ConnectAsync("127.0.0.1", server.Port, "crash-test");
                await c.AddSiteAsync(1, 1000, 1000);
                for (int k = 0; k < 5; k++) await c.CourierOnShiftAsync(10 + k, 900 + k * 50, 1200, 0, 600);

                // Stream orders, pipelined, with a tick every 25; kill once enough are acknowledged, while more are in flight.
                var inFlight = new List<Task>();
                long id = 1000;
                double now = 0;
                while (acked.Count < 400 && id < 100_000)
                {
                    for (int i = 0; i < 25; i++, id++)
                    {
                        long orderId = id;
                        inFlight.Add(c.PlaceOrderAsync(orderId, 1, 1000 + orderId % 700, 1500, now, now + 5)
                            .ContinueWith(t => { if (t.IsCompletedSuccessfully) acked.Add(orderId); }, TaskContinuationOptions.ExecuteSynchronously));
                    }
                    await c.TickAsync(now++);
                }
                await server.KillAsync();
                await Task.WhenAll(inFlight).WaitAsync(TimeSpan.FromSeconds(30)); // every pending request fails or completes
            }

            Assert.True(acked.Count >= 400);
            using (var server = await ChildServer.StartAsync(dir, "--fsync", fsync))
            {
                await using var c = await DispatchClient.ConnectAsync("127.0.0.1", server.Port, "crash-test-check");
                var ids = acked.ToArray();
                var infos = await Task.WhenAll(ids.Select(c.GetOrderAsync)).WaitAsync(TimeSpan.FromSeconds(60));
                var lost = infos.Where(o => o.Status == WireOrderStatus.Unknown).Select(o => o.OrderId).ToArray();
                Assert.True(lost.Length == 0, $"acknowledged but lost after kill -9: {string.Join(", ", lost.Take(20))}\n{server.Log}");
                var counts = await c.GetCountsAsync();
                Assert.True(counts.Known >= ids.Length);
                Assert.Equal(5, counts.Couriers);
                // And the restarted server keeps going.
                await c.PlaceOrderAsync(999_999, 1, 0, 0, c.Server.Now, c.Server.Now + 1);
                // It said how its start split (the soak bench reads this line to split each restart it times).
                for (int i = 0; i < 100 && !server.Text.Contains("Serving ", StringComparison.Ordinal); i++) await Task.Delay(50);
                Assert.Matches(@"Serving \d+ ms after the process started: (\d+|NaN) ms to Main, then \d+ ms to the open port \(recovery \d+ ms of it\)", server.Text);
            }
        }
        finally
        {
            TestServer.TryDelete(dir);
        }
    }
}
