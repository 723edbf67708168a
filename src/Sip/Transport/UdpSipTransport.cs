using System.Net;
using System.Net.Sockets;

namespace CallCenter.Sip.Transport;

/// <summary>
/// SIP over UDP (RFC 3261 section 18): one socket, one message per datagram. A datagram that does
/// not parse is dropped, or answered with the parser's suggested status when it is a request that
/// carries the headers needed for a response. Nothing a peer sends stops the receive loop.
/// </summary>
public sealed class UdpSipTransport : ISipTransport
{
    private const int MaxDatagramSize = 65535;

    private readonly Socket _socket;
    private readonly SipTransportOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _receiveLoop;
    private long _droppedCount;

    /// <summary>Binds the socket at once; port 0 picks a free port, reported by <see cref="LocalEndPoint"/>.</summary>
    public UdpSipTransport(IPEndPoint localEndPoint, SipTransportOptions? options = null)
    {
        _options = options ?? new SipTransportOptions();
        _socket = new Socket(localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.ReceiveBufferSize = _options.UdpSocketBufferSize;
            _socket.SendBufferSize = _options.UdpSocketBufferSize;
            _socket.Bind(localEndPoint);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public event Action<SipInboundMessage>? MessageReceived;

    /// <summary>Raised when a datagram is dropped or a handler fails; for logging.</summary>
    public event Action<string>? Diagnostic;

    public string Protocol => "UDP";

    public bool IsReliable => false;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams that were dropped because they did not parse.</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedCount);

    public void Start() => _receiveLoop ??= Task.Run(ReceiveLoopAsync);

    public async ValueTask SendAsync(SipMessage message, IPEndPoint destination, CancellationToken cancellationToken = default)
    {
        byte[] bytes = message.ToBytes();
        await _socket.SendToAsync(bytes, SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_receiveLoop is not null)
        {
            try
            {
                await _receiveLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stopping.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[MaxDatagramSize];
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                // ICMP port unreachable and the like are reported on the next receive; keep going.
                Diagnostic?.Invoke($"receive error: {exception.SocketErrorCode}");
                continue;
            }

            var source = (IPEndPoint)result.RemoteEndPoint;
            try
            {
                await HandleDatagramAsync(buffer.AsMemory(0, result.ReceivedBytes), source).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One bad datagram or a failing handler must not stop the receive loop.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Diagnostic?.Invoke($"datagram from {source} failed: {exception.Message}");
            }
        }
    }

    private async Task HandleDatagramAsync(ReadOnlyMemory<byte> datagram, IPEndPoint source)
    {
        if (IsKeepAlive(datagram.Span))
        {
            return;
        }

        if (!SipMessageParser.TryParse(datagram.Span, out SipMessage? message, out SipParseException? error))
        {
            Interlocked.Increment(ref _droppedCount);
            Diagnostic?.Invoke($"malformed datagram from {source}: {error.Message}");
            if (_options.AnswerMalformedRequests && SipMalformedRequestResponder.TryCreateResponse(datagram.Span, error) is { } response)
            {
                await SendAsync(response, source).ConfigureAwait(false);
            }

            return;
        }

        MessageReceived?.Invoke(new SipInboundMessage(message, source, this));
    }

    private static bool IsKeepAlive(ReadOnlySpan<byte> datagram)
    {
        foreach (byte b in datagram)
        {
            if (b is not ((byte)'\r' or (byte)'\n' or 0))
            {
                return false;
            }
        }

        return true;
    }
}
