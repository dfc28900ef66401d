using System.Text.Json;
using Dispatch.Protocol;
using Dispatch.Server.Security;

namespace Dispatch.Server.Tests.Security;

/// <summary>The audit log holds exactly the accepted state changes of a session: who, what, from where; nothing refused, no queries.</summary>
public class AuditTests
{
    [Fact]
    public async Task The_audit_log_holds_exactly_the_accepted_state_changes_of_a_session()
    {
        using var tokens = new TokensFile();
        tokens.Write(Tokens.Lines());
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            var expected = new List<(string Credential, string Type, long? Order, long? Courier)>();
            await using (var s = await TestServer.StartAsync(o => o.AuthTokens = tokens.Path, dir))
            {
                await using var shop = await s.ConnectAsync(Tokens.As(Tokens.Integration));
                await using var viewer = await s.ConnectAsync(Tokens.As(Tokens.Viewer));
                await using var ops = await s.ConnectAsync(Tokens.As(Tokens.Operator));
                await using var courier = await s.ConnectAsync(Tokens.As(Tokens.Courier7));

                await shop.AddSiteAsync(1, 1000, 1000); expected.Add(("shop-system", "AddSite", null, null));
                await shop.PlaceOrderAsync(100, 1, 2500, 1800, 0, 12); expected.Add(("shop-system", "PlaceOrder", 100, null));
                await shop.PlaceOrderAsync(101, 1, 2600, 1700, 0, 15); expected.Add(("shop-system", "PlaceOrder", 101, null));
                Assert.Equal(ErrorCode.DuplicateId, Assert.IsType<ErrorMessage>(await shop.RequestAsync(Command.PlaceOrder(0, 100, 1, 1, 1, 0, 1))).Code);
                Assert.Equal(ErrorCode.UnknownId, Assert.IsType<ErrorMessage>(await shop.RequestAsync(Command.CancelOrder(0, 999))).Code);
                Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await viewer.RequestAsync(Command.AddSite(0, 2, 0, 0))).Code);
                await viewer.GetCountsAsync();
                await ops.CourierOnShiftAsync(7, 900, 1200, 0, 240); expected.Add(("ops-alice", "CourierOnShift", null, 7));
                await ops.TickAsync(1); expected.Add(("ops-alice", "Tick", null, null));
                await courier.UpdateCourierPositionAsync(7, 950, 1100); expected.Add(("courier-7", "UpdateCourierPosition", null, 7));
                Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await courier.RequestAsync(Command.UpdateCourierPosition(0, 8, 1, 1))).Code);
                Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await courier.RequestAsync(Command.ConfirmPickup(0, 101, 1))).Code);
                await shop.CancelOrderAsync(101); expected.Add(("shop-system", "CancelOrder", 101, null));
                await ops.GetMetricsAsync();
            } // stopping the server writes the audit log's last lines

            var lines = SecurityCommands.AuditLines(dir).ToList();
            var seen = lines.Select(l =>
            {
                using var d = JsonDocument.Parse(l);
                var e = d.RootElement;
                Assert.True(e.GetProperty("remote").GetString()!.StartsWith("127.0.0.1:", StringComparison.Ordinal), l);
                Assert.True(DateTimeOffset.Parse(e.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-5), l);
                return (e.GetProperty("credential").GetString()!, e.GetProperty("type").GetString()!,
                    e.TryGetProperty("orderId", out var o) ? o.GetInt64() : (long?)null,
                    e.TryGetProperty("courierId", out var k) ? k.GetInt64() : (long?)null);
            }).ToList();
            Assert.Equal(expected, seen);
            Assert.Contains("\"role\":\"courier-app\"", lines.Single(l => l.Contains("UpdateCourierPosition", StringComparison.Ordinal)));

            // Queryable by order id.
            var output = new StringWriter();
            Assert.Equal(0, SecurityCommands.Run(["audit", "--data", dir, "--order", "101"], output, TextWriter.Null));
            var forOrder = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, forOrder.Length);
            Assert.Contains("\"PlaceOrder\"", forOrder[0]);
            Assert.Contains("\"CancelOrder\"", forOrder[1]);
        });
    }

    [Fact]
    public async Task The_audit_file_rotates_by_size_and_reads_back_in_order()
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            await using (var s = await TestServer.StartAsync(o => { o.Audit = AuditMode.On; o.AuditFileBytes = 4096; }, dir))
            {
                await using var c = await s.ConnectAsync();
                var acks = Enumerable.Range(1, 300).Select(i => c.AddSiteAsync(i, i, i)).ToArray();
                await Task.WhenAll(acks);
            }
            Assert.True(Directory.GetFiles(Path.Combine(dir, "audit"), "audit-*.jsonl").Length >= 2);
            var ids = SecurityCommands.AuditLines(dir).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("siteId").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), ids);
            Assert.All(SecurityCommands.AuditLines(dir), l => Assert.Contains("\"credential\":\"anonymous\"", l));
        });
    }

    [Fact]
    public async Task Without_authentication_there_is_no_audit_log_by_default()
    {
        await TestServer.WithDataDirectoryAsync(async dir =>
        {
            await using (var s = await TestServer.StartAsync(null, dir))
            {
                await using var c = await s.ConnectAsync();
                await c.AddSiteAsync(1, 0, 0);
            }
            Assert.False(Directory.Exists(Path.Combine(dir, "audit")));
        });
    }
}
