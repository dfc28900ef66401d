using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dispatch.Client;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using ErrorCode = Dispatch.Protocol.ErrorCode;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// The sidecar's credentials at a silo's edge: a courier-app may confirm only the orders its courier carries (checked by
/// the region in the turn that applies the confirmation), and the silo's audit log holds exactly the accepted state
/// changes with who sent them, as the sidecar's does. Silos as Dispatch.Cluster runs them, over a real Redis.
/// </summary>
public sealed class ClusterSecurityTests
{
    private const string Operator = "op-token-c1", Shop = "shop-token-c2", Courier7 = "courier-7-token-c3", Courier8 = "courier-8-token-c4";

    /// <summary>A tokens-file line: the token's SHA-256 as the server stores it, the role, the name or courier id.</summary>
    private static string Line(string token, string role, string nameOrCourier) =>
        $"sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))} {role} {nameOrCourier}";

    private static DispatchClientOptions As(string token) => new() { ClientName = "test", Token = token, Region = "north" };

    [SkippableFact]
    public async Task A_courier_app_confirms_only_its_own_orders_and_the_silo_audits_exactly_the_accepted_changes()
    {
        TestRedis.Require();
        string dir = Path.Combine(Path.GetTempPath(), "dispatch-tests", "cluster-security-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string tokens = Path.Combine(dir, "tokens.txt");
            File.WriteAllLines(tokens, [Line(Operator, "operator", "ops-alice"), Line(Shop, "integration", "shop-system"), Line(Courier7, "courier-app", "7"), Line(Courier8, "courier-app", "8")]);
            string prefix = TestRedis.UniquePrefix();
            var expected = new List<(string Credential, string Type)>();
            await using (var silos = new RedisSilos(prefix, prefix, 0, null, $"--Dispatch:AuthTokens={tokens}", $"--Dispatch:DataDirectory={dir}"))
            {
                var edge = RedisSilos.Edge(await silos.StartSiloAsync());
                await using var ops = await DispatchClient.ConnectAsync("127.0.0.1", edge.Port, As(Operator));
                await using var shop = await DispatchClient.ConnectAsync("127.0.0.1", edge.Port, As(Shop));
                await using var courier7 = await DispatchClient.ConnectAsync("127.0.0.1", edge.Port, As(Courier7));
                await using var courier8 = await DispatchClient.ConnectAsync("127.0.0.1", edge.Port, As(Courier8));

                await shop.AddSiteAsync(1, 1000, 1000); expected.Add(("shop-system", "AddSite"));
                await ops.CourierOnShiftAsync(7, 1100, 1000, 0, 600); expected.Add(("ops-alice", "CourierOnShift"));
                await shop.PlaceOrderAsync(70, 1, 3000, 3000, 0, 1); expected.Add(("shop-system", "PlaceOrder"));
                await ops.TickAsync(2); expected.Add(("ops-alice", "Tick"));
                Assert.Equal(7, (await ops.GetOrderAsync(70)).CourierId);

                // Courier 8's app may not confirm courier 7's order: Forbidden, nothing applied, nothing audited.
                var other = Assert.IsType<ErrorMessage>(await courier8.RequestAsync(Command.ConfirmPickup(0, 70, 2)));
                Assert.Equal(ErrorCode.Forbidden, other.Code);
                Assert.Contains("courier 8", other.Message);
                Assert.Contains("not an order courier 8 carries", other.Message);
                Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await courier8.RequestAsync(Command.DeliveryFailed(0, 70, 2, 1))).Code);
                // Nor a position for another courier (the role table, at the edge).
                Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await courier8.RequestAsync(Command.UpdateCourierPosition(0, 7, 1, 1))).Code);
                Assert.Equal(WireOrderStatus.Assigned, (await ops.GetOrderAsync(70)).Status);

                // Its own courier's app may.
                Assert.IsType<AckMessage>(await courier7.RequestAsync(Command.ConfirmPickup(0, 70, 2))); expected.Add(("courier-7", "ConfirmPickup"));
                await courier7.UpdateCourierPositionAsync(7, 2000, 2000); expected.Add(("courier-7", "UpdateCourierPosition"));
                await ops.TickAsync(3); expected.Add(("ops-alice", "Tick"));
                await ops.GetCountsAsync();
            }

            // Stopping the silo writes the audit log's last lines.
            var lines = File.ReadAllLines(Path.Combine(dir, "audit", "audit.jsonl"));
            var seen = lines.Select(l =>
            {
                using var d = JsonDocument.Parse(l);
                return (d.RootElement.GetProperty("credential").GetString()!, d.RootElement.GetProperty("type").GetString()!);
            }).ToList();
            Assert.Equal(expected, seen);
            var pickup = lines.Single(l => l.Contains("\"ConfirmPickup\"", StringComparison.Ordinal));
            Assert.Contains("\"role\":\"courier-app\"", pickup);
            Assert.Contains("\"orderId\":70", pickup);
            Assert.Contains("\"remote\":\"127.0.0.1:", pickup);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
