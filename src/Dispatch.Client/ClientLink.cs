using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Dispatch.Client;

/// <summary>
/// One TCP (or TLS) connection of a <see cref="DispatchClient"/>: the socket, its pipes, and its send and receive loops. A
/// client with failover endpoints replaces its link when one is lost; the requests and their replies live in the client.
/// </summary>
internal sealed class ClientLink
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly CancellationTokenSource _stop = new();

    private ClientLink(DnsEndPoint endPoint, Socket socket, Stream stream)
    {
        EndPoint = endPoint;
        _socket = socket;
        _stream = stream;
        Input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        Output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public DnsEndPoint EndPoint { get; }
    public PipeReader Input { get; }
    public PipeWriter Output { get; }
    public Task ReceiveLoop { get; set; } = Task.CompletedTask;
    public Task SendLoop { get; set; } = Task.CompletedTask;

    /// <summary>Cancelled when the link is given up: the send loop stops taking requests for it.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Why the send loop failed, if it did (the receive loop's end reports the loss).</summary>
    public Exception? SendFailure { get; set; }

    /// <summary>Connects to <paramref name="endPoint"/> (and authenticates TLS when asked); no Hello yet.</summary>
    public static async Task<ClientLink> OpenAsync(DnsEndPoint endPoint, Func<Stream, string, CancellationToken, Task<Stream>>? tls, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            await socket.ConnectAsync(endPoint.Host, endPoint.Port, cancellationToken).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (tls is not null) stream = await tls(stream, endPoint.Host, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new ClientLink(endPoint, socket, stream);
    }

    /// <summary>Stops the send loop and closes the socket (the receive loop then ends).</summary>
    public void Abort()
    {
        try { _stop.Cancel(); } catch (ObjectDisposedException) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch { /* already closed */ }
        _stream.Dispose();
    }

    /// <summary>Lets the send loop finish what it took, then closes the socket and waits for both loops.</summary>
    public async Task CloseAsync()
    {
        try { await SendLoop.ConfigureAwait(false); } catch { /* reported through the client */ }
        try { _socket.Shutdown(SocketShutdown.Both); } catch { /* already closed */ }
        _stream.Dispose();
        try { await ReceiveLoop.ConfigureAwait(false); } catch { /* reported through the client */ }
    }
}
