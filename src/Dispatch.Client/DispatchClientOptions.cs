using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Dispatch.Client;

/// <summary>
/// How <see cref="DispatchClient"/> connects: the client name and subscription it announces in Hello, its bearer token,
/// and TLS. With <see cref="Tls"/> on, the server's certificate is checked against <see cref="TrustedCa"/> when given
/// (the chain must end there, the system's roots are not used, and the name must match <see cref="TargetHost"/>), else
/// by <see cref="ServerCertificateValidation"/> when given, else by the system's roots.
/// </summary>
public sealed class DispatchClientOptions
{
    /// <summary>Name sent in Hello (logged by the server).</summary>
    public string ClientName { get; set; } = "Dispatch.Client";

    /// <summary>Ask for pushes in Hello.</summary>
    public bool Subscribe { get; set; }

    /// <summary>The bearer token a server with authentication asks for (Hello's sixth field); null: none sent.</summary>
    public string? Token { get; set; }

    /// <summary>The dispatch region of a cluster to work with (Hello's seventh field, docs/cluster.md); null: none sent (a single
    /// server, or the cluster's default region).</summary>
    public string? Region { get; set; }

    /// <summary>
    /// The servers to reconnect to when the connection is lost (the silos of a cluster, docs/cluster.md), tried in order from
    /// the one after the lost one. Empty (the default): no reconnecting; a lost connection fails every request and closes
    /// the client, the single-server behaviour. See <see cref="DispatchClient"/> for what happens to requests in flight.
    /// </summary>
    public IList<DnsEndPoint> Endpoints { get; set; } = [];

    /// <summary>How long a reconnect keeps trying the endpoints before the client gives up and closes.</summary>
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait between two rounds over the endpoints while reconnecting.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest one connection attempt (connect, TLS, Hello) may take while reconnecting.</summary>
    public TimeSpan ReconnectAttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Speak TLS (1.2 or 1.3).</summary>
    public bool Tls { get; set; }

    /// <summary>The name the server's certificate must carry; null: the host connected to.</summary>
    public string? TargetHost { get; set; }

    /// <summary>The CA the server's certificate must chain to (a private CA); null: <see cref="ServerCertificateValidation"/> or the system's roots.</summary>
    public X509Certificate2? TrustedCa { get; set; }

    /// <summary>A custom check of the server's certificate (used when <see cref="TrustedCa"/> is null).</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <summary>A client certificate (with its private key) for servers that map certificates to roles.</summary>
    public X509Certificate2? ClientCertificate { get; set; }
}
