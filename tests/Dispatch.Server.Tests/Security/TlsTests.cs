using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests.Security;

/// <summary>TLS on the sidecar's port over real sockets, with certificates made at run time.</summary>
public class TlsTests : IDisposable
{
    private readonly TestCertificates _certs = new();
    private readonly TokensFile _tokens = new();

    public void Dispose()
    {
        _certs.Dispose();
        _tokens.Dispose();
    }

    private Task<TestServer> StartAsync(Action<ServerOptions>? more = null)
    {
        _tokens.Write(Tokens.Lines());
        return TestServer.StartAsync(o =>
        {
            o.TlsCertificate = _certs.ServerPfx;
            o.TlsCertificatePasswordFile = _certs.PasswordFile;
            o.TlsHandshakeTimeout = TimeSpan.FromSeconds(2);
            more?.Invoke(o);
        });
    }

    private DispatchClientOptions Tls(string? token = null, X509Certificate2? clientCertificate = null) =>
        new() { ClientName = "tls-test", Tls = true, TargetHost = "localhost", TrustedCa = _certs.Ca, Token = token, ClientCertificate = clientCertificate };

    [Fact]
    public async Task A_client_that_trusts_the_CA_talks_over_TLS()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync(Tls());
        await c.AddSiteAsync(1, 0, 0);
        Assert.Equal(1, (await c.GetCountsAsync()).Known + 1);
        Assert.Equal(0, s.Server.Metrics.TlsHandshakeFailures);
    }

    [Fact]
    public async Task Plaintext_against_the_TLS_port_is_told_to_use_TLS_and_closed()
    {
        await using var s = await StartAsync();
        using var raw = await s.RawAsync();
        // Both frames in one send: the server answers the first bytes and closes, so a second send could meet a closed
        // socket (broken pipe) before the test reads the answer.
        await raw.SendAsync((byte[])[.. RawConnection.Frame(Command.Hello(1, "plaintext", false)), .. RawConnection.Frame(Command.AddSite(2, 1, 0, 0))]);
        var replies = await raw.ReadUntilClosedAsync(); // one plaintext error frame saying why, then the close
        var error = Assert.IsType<ErrorMessage>(Assert.Single(replies));
        Assert.Equal(ErrorCode.HandshakeRequired, error.Code);
        Assert.Contains("TLS", error.Message);
        await WaitForAsync(() => s.Server.Metrics.TlsHandshakeFailures == 1);
        Assert.Equal(0, s.Server.Metrics.FramesIn); // never reached the read loop, let alone the engine
        // The .NET client without TLS is told the same.
        var refused = await Assert.ThrowsAsync<DispatchConnectionException>(() => s.ConnectAsync(new DispatchClientOptions()));
        Assert.Contains("HandshakeRequired: this port speaks TLS", refused.Message);
    }

    [Fact]
    public async Task A_peer_that_sends_nothing_is_dropped_at_the_handshake_timeout()
    {
        await using var s = await StartAsync(o => o.TlsHandshakeTimeout = TimeSpan.FromMilliseconds(300));
        using var raw = await s.RawAsync();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Empty(await raw.ReadUntilClosedAsync());
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"closed after {sw.Elapsed}");
        await WaitForAsync(() => s.Server.Metrics.TlsHandshakeFailures == 1);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_server_refuses_it()
    {
        await using var s = await StartAsync();
        var o = Tls();
        o.TrustedCa = _certs.OtherCa;
        await Assert.ThrowsAsync<AuthenticationException>(() => s.ConnectAsync(o));
    }

    [Fact]
    public async Task TLS_and_a_token_together()
    {
        await using var s = await StartAsync(o => o.AuthTokens = _tokens.Path);
        var ex = await Assert.ThrowsAsync<DispatchRequestException>(() => s.ConnectAsync(Tls()));
        Assert.Equal(ErrorCode.Unauthenticated, ex.Error.Code);
        await using var c = await s.ConnectAsync(Tls(Tokens.Viewer));
        await c.GetCountsAsync();
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused()
    {
        await using var s = await StartAsync(o => { o.AuthTokens = _tokens.Path; o.TlsClientCa = _certs.CaPem; });
        using var foreign = _certs.Client(_certs.OtherCa, "CN=courier-7");
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var c = await s.ConnectAsync(Tls(clientCertificate: foreign));
            await c.PingAsync(); // TLS 1.3 may report the server's refusal of the certificate only at the first read
        });
        await WaitForAsync(() => s.Server.Metrics.TlsHandshakeFailures == 1);
        Assert.Equal(0, s.Server.Metrics.FramesIn);
    }

    [Fact]
    public async Task A_client_certificate_from_the_client_CA_gets_its_role_from_the_tokens_file()
    {
        using var own = _certs.Client(_certs.Ca, "CN=courier-7-phone");
        using var unmapped = _certs.Client(_certs.Ca, "CN=someone-else");
        _tokens.Write([.. Tokens.Lines(), $"{Dispatch.Server.Security.TokenHash.OfCertificate(own.RawData)} courier-app 7"]);
        await using var s = await TestServer.StartAsync(o =>
        {
            o.TlsCertificate = _certs.ServerPfx; o.TlsCertificatePasswordFile = _certs.PasswordFile;
            o.AuthTokens = _tokens.Path; o.TlsClientCa = _certs.CaPem;
        });
        await using var ops = await s.ConnectAsync(Tls(Tokens.Operator));
        await ops.AddSiteAsync(1, 0, 0);
        await ops.CourierOnShiftAsync(7, 0, 0, 0, 100);
        await ops.CourierOnShiftAsync(8, 0, 0, 0, 100);

        await using var phone = await s.ConnectAsync(Tls(clientCertificate: own)); // no token: the certificate is the credential
        await phone.UpdateCourierPositionAsync(7, 5, 5);
        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<ErrorMessage>(await phone.RequestAsync(Command.UpdateCourierPosition(0, 8, 5, 5))).Code);

        // A certificate of the right CA that the tokens file does not name authenticates nobody.
        var ex = await Assert.ThrowsAsync<DispatchRequestException>(() => s.ConnectAsync(Tls(clientCertificate: unmapped)));
        Assert.Equal(ErrorCode.Unauthenticated, ex.Error.Code);
    }

    [Fact]
    public async Task A_renewed_certificate_is_used_from_the_next_connection_without_a_restart()
    {
        await using var s = await StartAsync();
        string? seen = null;
        DispatchClientOptions Capture() => new()
        {
            Tls = true, TargetHost = "localhost",
            ServerCertificateValidation = (_, cert, _, _) => { seen = cert?.Subject; return cert is not null; },
        };
        await using (var c = await s.ConnectAsync(Capture())) await c.PingAsync();
        Assert.Equal("CN=localhost", seen);
        _certs.RenewServer("CN=localhost, O=renewed");
        await using (var c = await s.ConnectAsync(Capture())) await c.PingAsync();
        Assert.Equal("CN=localhost, O=renewed", seen);
    }

    [Fact]
    public async Task The_handshake_negotiates_TLS_1_2_or_1_3()
    {
        await using var s = await StartAsync();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", s.Port);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 });
        Assert.True(ssl.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, $"negotiated {ssl.SslProtocol}");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TestServer.Timeout) Assert.Fail("condition not reached in time");
            await Task.Delay(20);
        }
    }
}
