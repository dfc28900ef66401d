
namespace Dispatch.Server.Tests;

/// <summary>
/// samples/python-client, written from docs/protocol.md alone, against the real server: it runs one order through
/// (Hello, site, courier, order, ticks to the Assignment push, pickup, refused bad confirmations, drop-off) and exits
/// non-zero on any answer the document does not promise. Needs /usr/bin/python3 with msgpack: skipped with the reason
/// when absent, except in CI (CI=true), where .ci/run installs them and their absence fails the test.
/// </summary>
public class PythonSampleClientTests
{
    private const string Python = "/usr/bin/python3";

    [SkippableFact]
    public async Task The_python_sample_client_runs_an_order_through_the_server()
    {
        string? missing = await MissingInterpreter();
        if (missing is not null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException(missing + " (CI=true: .ci/run installs python3-msgpack, it must be present)");
            Skip.If(true, missing);
        }

        await using var s = await TestServer.StartAsync();
        string script = Path.Combine(RepoRoot(), "samples", "python-client", "dispatch_client.py");
        var (code, output) = await Run(Python, script, "--host", "127.0.0.1", "--port", s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, $"the sample client exited {code}:\n{output}");
        Assert.Contains("ok: order 100 assigned", output);
        Assert.Contains("at=", output);
    }

    private static async Task<string?> MissingInterpreter()
    {
        if (!File.Exists(Python)) return $"{Python} not found (Debian: apt-get install python3-msgpack)";
        var (code, output) = await Run(Python, "-c", "import msgpack");
        return code == 0 ? null : $"{Python} has no msgpack package (Debian: apt-get install python3-msgpack): {output.Trim()}";
    }

    /// <summary>The same run over TLS (a CA made at run time, trusted by the script) with an operator's token in Hello.</summary>
    [SkippableFact]
    public async Task The_python_sample_client_runs_an_order_through_over_TLS_with_a_token()
    {
        string? missing = await MissingInterpreter();
        if (missing is not null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException(missing + " (CI=true: .ci/run installs python3-msgpack, it must be present)");
            Skip.If(true, missing);
        }

        using var certs = new Security.TestCertificates();
        using var tokens = new Security.TokensFile();
        tokens.Write(Security.Tokens.Lines());
        await using var s = await TestServer.StartAsync(o =>
        {
            o.TlsCertificate = certs.ServerPfx; o.TlsCertificatePasswordFile = certs.PasswordFile; o.AuthTokens = tokens.Path;
        });
        string script = Path.Combine(RepoRoot(), "samples", "python-client", "dispatch_client.py");
        string port = s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (code, output) = await Run(Python, script, "--host", "127.0.0.1", "--port", port, "--tls", "--ca", certs.CaPem, "--server-name", "localhost", "--token", Security.Tokens.Operator);
        Assert.True(code == 0, $"the sample client exited {code}:\n{output}");
        Assert.Contains("ok: order 100 assigned", output);

        // Without the token the server says why, and the script reports it.
        var (refused, why) = await Run(Python, script, "--host", "127.0.0.1", "--port", port, "--tls", "--ca", certs.CaPem, "--server-name", "localhost");
        Assert.NotEqual(0, refused);
        Assert.Contains("requires a bearer token", why);
    }

    private static Task<(int Code, string Output)> Run(string file, params string[] args) => Support.SampleProcess.Run(TimeSpan.FromSeconds(60), file, args);

    private static string RepoRoot() => Support.SampleProcess.RepoRoot();
}
