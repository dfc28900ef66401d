using System.Text.Json;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>After a restart the live view starts from what the engine recovered (sites, couriers and their routes, orders
/// still in work, pickups done), not empty.</summary>
public sealed class LiveViewRestartTests
{
    [Fact]
    public async Task After_a_restart_the_view_starts_from_the_recovered_picture()
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            static void View(ServerOptions o) { o.HttpPort = 0; o.HttpFeedIntervalMs = 50; }
            long carrier;
            await using (var s = await TestServer.StartAsync(View, dir))
            {
                await using var c = await s.ConnectAsync();
                await c.AddSiteAsync(1, 1000, 1000);
                await c.CourierOnShiftAsync(7, 900, 900, 0, 600);
                await c.CourierOnShiftAsync(8, 3000, 3000, 0, 600);
                await c.PlaceOrderAsync(10, 1, 2000, 2000, 0, 1);
                await c.PlaceOrderAsync(11, 1, 2500, 1500, 0, 45);
                for (int t = 1; t <= 5 && (await c.GetOrderAsync(10)).CourierId < 0; t++) await c.TickAsync(t);
                carrier = (await c.GetOrderAsync(10)).CourierId;
                Assert.True(carrier >= 0, "order 10 was assigned");
                double pickup = (await c.GetOrderAsync(10)).PlannedPickup;
                await c.TickAsync(Math.Max(5, Math.Ceiling(pickup)));
                await c.ConfirmPickupAsync(10, pickup);
            }

            await using (var s = await TestServer.StartAsync(View, dir))
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{s.Server.HttpEndPoint!.Port}/"), Timeout = TestServer.Timeout };
                // Nothing new was sent to this server: what the view shows is the recovered engine's picture.
                JsonElement state = default;
                var deadline = DateTime.UtcNow + TestServer.Timeout;
                while (DateTime.UtcNow < deadline)
                {
                    using var doc = JsonDocument.Parse(await http.GetStringAsync("api/state"));
                    state = doc.RootElement.Clone();
                    if (state.GetProperty("o").GetArrayLength() == 2) break;
                    await Task.Delay(50);
                }
                Assert.Equal([1L], state.GetProperty("s").EnumerateArray().Select(x => x[0].GetInt64()));
                Assert.Equal([7L, 8L], state.GetProperty("c").EnumerateArray().Select(x => x[0].GetInt64()).Order());
                var orders = state.GetProperty("o").EnumerateArray().ToDictionary(o => o[0].GetInt64());
                Assert.Equal(2, orders.Count);
                // [id, x, y, promise, drop-off, courier, status]: 10 picked up by its courier, 11 open.
                Assert.Equal((2000.0, carrier, 2), (orders[10][1].GetDouble(), orders[10][5].GetInt64(), orders[10][6].GetInt32()));
                Assert.Equal((2500.0, -1L, 0), (orders[11][1].GetDouble(), orders[11][5].GetInt64(), orders[11][6].GetInt32()));
                // The carrier's route (its drop-off) is there too.
                var route = state.GetProperty("c").EnumerateArray().Single(x => x[0].GetInt64() == carrier);
                Assert.Equal(1, route[6].GetInt32());
                Assert.Equal(2, route[7].GetInt32()); // a drop-off
            }
        });
    }
}
