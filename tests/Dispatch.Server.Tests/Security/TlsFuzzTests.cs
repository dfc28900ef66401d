using System.Net.Security;
using System.Net.Sockets;
using Dispatch.Client;
using Dispatch.Fuzzing;
using Dispatch.Protocol;
using Xunit.Abstractions;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// The 100,000-bad-frame fuzz (FuzzTests' bar) over TLS with token authentication: the same generator, every connection
/// through a TLS handshake and an operator's token, while a third loop sends plaintext garbage to the TLS port. The
/// server must stay alive and correct, answer every well-framed bad message once, and drop every plaintext peer at the
/// handshake.
/// </summary>
public class TlsFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_hundred_thousand_bad_frames_over_TLS_leave_the_server_alive_and_correct()
    {
        const int seed = 20261201;
        const long target = 100_000;
        using var certs = new TestCertificates();
        using var tokens = new TokensFile();
        tokens.Write(Tokens.Lines());
        await using var s = await TestServer.StartAsync(o =>
        {
            o.MaxFrameBytes = 4096; o.HandshakeTimeout = TimeSpan.FromSeconds(5);
            o.TlsCertificate = certs.ServerPfx; o.TlsCertificatePasswordFile = certs.PasswordFile; o.AuthTokens = tokens.Path;
        });
        var ca = certs.Ca;
        var client = new FuzzClient(
            async (inner, ct) =>
            {
                var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    // The fuzz is about the server; which certificates a client trusts is TlsTests' subject.
                    RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null,
                }, ct).ConfigureAwait(false);
                return ssl;
            },
            Tokens.Operator,
            new DispatchClientOptions { Tls = true, TargetHost = "localhost", TrustedCa = ca, Token = Tokens.Operator });
        var settings = new FuzzSettings(s.Port, target, seed, KeepOpenConnections: 4, KillerLoops: 2, Window: 256, MaxFrameBytes: s.Options.MaxFrameBytes, Client: client);

        using var stopPlaintext = new CancellationTokenSource();
        var plaintext = Task.Run(() => PlaintextLoopAsync(s.Port, seed, stopPlaintext.Token));
        FuzzResult result;
        try
        {
            result = await BadFrameFuzzer.RunAsync(settings).WaitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            await stopPlaintext.CancelAsync();
        }
        long plaintextConnections = await plaintext;
        output.WriteLine($"{result.KeepOpenFrames:N0} bad frames over TLS, {result.Replies:N0} replies ({result.ErrorReplies:N0} errors), "
            + $"{result.KillerConnections:N0} killed TLS connections, {plaintextConnections:N0} plaintext connections, {s.Server.Metrics.TlsHandshakeFailures:N0} handshakes failed, in {result.Elapsed.TotalSeconds:F1} s");
        foreach (var m in result.InternalErrors) output.WriteLine("Internal: " + m);

        Assert.True(result.KeepOpenFrames >= target, $"only {result.KeepOpenFrames} bad frames sent (seed {seed})");
        Assert.Equal(result.KeepOpenFrames, result.Replies);
        Assert.Empty(result.InternalErrors);
        Assert.True(result.KillerConnections > 0 && result.KillerCloseChecks > 0);
        Assert.True(plaintextConnections > 0 && s.Server.Metrics.TlsHandshakeFailures >= plaintextConnections, $"{plaintextConnections} plaintext connections, {s.Server.Metrics.TlsHandshakeFailures} handshake failures");
        Assert.Equal(0, s.Server.Metrics.AuthFailures);

        Assert.False(s.Server.Completion.IsCompleted, $"engine stopped (seed {seed})");
        var check = await BadFrameFuzzer.CheckServerAsync(s.Port, idBase: 9_000_000_000, client.Options).WaitAsync(TestServer.Timeout);
        var problems = BadFrameFuzzer.Problems(check, 9_000_000_000, minFramesIn: target);
        Assert.True(problems.Count == 0, $"seed {seed}: " + string.Join("; ", problems));
        Assert.Equal(WireOrderStatus.Open, check.Order.Status);
    }

    /// <summary>Plaintext frames and random bytes to the TLS port until stopped; each must be closed without a frame back.</summary>
    private static async Task<long> PlaintextLoopAsync(int port, int seed, CancellationToken stop)
    {
        var rng = new Random(seed);
        long n = 0;
        var buffer = new byte[256];
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", port);
            n++;
            byte[] bytes = rng.Next(2) == 0 ? RawConnection.Frame(Command.Hello(1, "plaintext", false)) : RandomBytes(rng);
            try
            {
                await socket.SendAsync(bytes, SocketFlags.None);
                using var timeout = new CancellationTokenSource(TestServer.Timeout);
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
                {
                    // A TLS alert at most: never a protocol frame (the server never got that far).
                }
            }
            catch (SocketException)
            {
                // Reset by the server: closed.
            }
        }
        return n;
    }

    private static byte[] RandomBytes(Random rng)
    {
        var b = new byte[rng.Next(1, 200)];
        rng.NextBytes(b);
        b[0] = (byte)(b[0] == 0x16 ? 0x17 : b[0]); // not a TLS handshake record: plaintext garbage
        return b;
    }
}
